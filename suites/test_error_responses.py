"""STATE-3, RESP-6, RESP-7, RESP-8 on every error response the suite provokes, in every RT × RM cell.

Each provoked error is demanded by a requirement of its own: a missing nonce (NONCE-2), a
missing or unsupported response type (RESP-5), ``prompt=none`` without a session (SESS-1),
``response_mode=query`` with a token-bearing RT (RESP-4, which may also accept it). These
tests judge the error response that came back, one rule each. When the tenant did not
answer with an error at the client, there is nothing to judge: the test is skipped with
the reason, and the demanding requirement's own test reports the deviation, once.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from hybridcheck.checks.response import (
    check_authorization_response_iss,
    check_error_response_shape,
    check_no_repeated_parameters,
    why_no_error_response,
)
from hybridcheck.checks.state import check_error_carries_state
from hybridcheck.evidence import AuthorizationResponse, ProviderMetadata
from hybridcheck.matrix import FlowCase

pytestmark = pytest.mark.negative


@dataclass(frozen=True)
class ProvokedError:
    """A request the specs make the tenant refuse with an error, and the requirement that demands it."""

    demanded_by: str
    overrides: Callable[[FlowCase], dict[str, Any]]
    without_session: bool = False


PROVOKED = {
    "response-type-missing": ProvokedError("RESP-5", lambda case: {"response_type": None}),
    "response-type-unsupported": ProvokedError(
        "RESP-5", lambda case: {"response_type": f"{case.response_type} hybridcheck_unknown"}),
    "prompt-none-without-session": ProvokedError("SESS-1", lambda case: {"prompt": "none"}, without_session=True),
}
NONCE_MISSING = ProvokedError("NONCE-2", lambda case: {"nonce": None})
QUERY_MODE = ProvokedError("RESP-4", lambda case: {"response_mode": "query"})


#: The rules every error response is judged by, one test (and one requirement) each.
RULES = [pytest.param(req, id=req, marks=pytest.mark.req(req)) for req in ("STATE-3", "RESP-6", "RESP-7", "RESP-8")]
_RESPONSE_RULES: dict[str, Callable[[AuthorizationResponse], None]] = {
    "STATE-3": check_error_carries_state,
    "RESP-7": check_error_response_shape,
    "RESP-8": check_no_repeated_parameters,
}


def judge(rule: str, resp: AuthorizationResponse, issuer: str, provider: ProviderMetadata) -> None:
    """Judge ``resp`` by one rule; RESP-6 also needs the issuer and what discovery advertises."""
    if rule == "RESP-6":
        advertised = provider.discovery.get("authorization_response_iss_parameter_supported") is True
        check_authorization_response_iss(resp, issuer, advertised=advertised)
    else:
        _RESPONSE_RULES[rule](resp)


@pytest.fixture
def judge_provoked(shared_authorize, target, provider):
    """``judge_provoked(provoked, case, rule)``: provoke the error in ``case`` and judge it by ``rule``;
    the rules of one error, and its demanding requirement's test, judge one flow."""
    def run(provoked: ProvokedError, case: FlowCase, rule: str) -> None:
        response = shared_authorize(case, with_session=not provoked.without_session, **provoked.overrides(case))
        reason = why_no_error_response(response, provoked.demanded_by)
        if reason:
            pytest.skip(reason)
        judge(rule, response, target.issuer, provider)
    return run


#: The kinds, with the OIDF module that provokes the same error.
KINDS = [
    pytest.param("response-type-missing", marks=pytest.mark.oidf("oidcc-response-type-missing")),
    pytest.param("response-type-unsupported"),
    pytest.param("prompt-none-without-session", marks=[pytest.mark.oidf("oidcc-prompt-none-not-logged-in"),
                                                       pytest.mark.needs_capability("prompt_none")]),
]


@pytest.mark.parametrize("rule", RULES)
@pytest.mark.parametrize("kind", KINDS)
def test_error_response(case, judge_provoked, kind, rule):
    judge_provoked(PROVOKED[kind], case, rule)


@pytest.mark.oidf("oidcc-ensure-request-without-nonce-fails")
@pytest.mark.parametrize("rule", RULES)
@pytest.mark.matrix(needs=["id_token"])
def test_missing_nonce_error_response(case, judge_provoked, rule):
    judge_provoked(NONCE_MISSING, case, rule)


@pytest.mark.parametrize("rule", RULES)
@pytest.mark.matrix(modes=["fragment"])
def test_refused_query_mode_error_response(case, judge_provoked, rule):
    """Only where the tenant refuses the query mode: RESP-4 also lets it answer in the fragment."""
    judge_provoked(QUERY_MODE, case, rule)
