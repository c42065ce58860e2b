"""SESS-1 to SESS-4 and SESS-6: prompt=none, prompt=login, max_age, scope claims."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from hybridcheck.checks.session import (
    check_auth_time_in_every_id_token,
    check_login_required,
    check_max_age,
    check_reauthenticated,
    check_scope_claims,
    check_silent_success,
)
from hybridcheck.evidence import AuthorizationRequest, AuthorizationResponse

from .kit import (
    AUTH_TIME,
    Signer,
    auth_request,
    delivered,
    error_response,
    fails,
    good_params,
    good_response,
    id_token_claims,
    stayed_at_tenant,
    with_params,
)

Make = Callable[[Signer], AuthorizationResponse]
LATER = AUTH_TIME + 5


def prompt_none(mode: str | None = None) -> AuthorizationRequest:
    return auth_request("code id_token", mode, extra={"prompt": "none"})


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda s: error_response(prompt_none(), "login_required"), id="login_required by fragment"),
        pytest.param(
            lambda s: error_response(prompt_none("form_post"), "interaction_required"),
            id="interaction_required by form_post",
        ),
    ],
)
def test_login_required_passes(signer: Signer, make: Make) -> None:
    check_login_required(make(signer))


BROKEN_LOGIN_REQUIRED: list[Any] = [
    pytest.param(
        lambda s: replace(error_response(prompt_none(), "login_required"), login_pages_shown=1), id="login page shown"
    ),
    pytest.param(lambda s: stayed_at_tenant(prompt_none()), id="error page at the tenant"),
    pytest.param(lambda s: error_response(prompt_none(), "consent_required"), id="consent_required"),
    pytest.param(lambda s: error_response(prompt_none(), "access_denied"), id="other error"),
    pytest.param(lambda s: good_response(s, extra={"prompt": "none"}), id="success"),
    pytest.param(lambda s: error_response(prompt_none("form_post"), "login_required", "query"), id="by query"),
    pytest.param(lambda s: with_params(error_response(prompt_none(), "login_required"), state=None), id="no state"),
]


@pytest.mark.parametrize("make", BROKEN_LOGIN_REQUIRED)
def test_login_required_broken_fails(signer: Signer, make: Make) -> None:
    with fails("SESS-1"):
        check_login_required(make(signer))


def test_silent_success_passes(signer: Signer) -> None:
    check_silent_success(good_response(signer, extra={"prompt": "none"}))


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(
            lambda s: replace(good_response(s, extra={"prompt": "none"}), login_pages_shown=1), id="login shown"
        ),
        pytest.param(lambda s: error_response(prompt_none(), "login_required"), id="login_required"),
        pytest.param(lambda s: stayed_at_tenant(prompt_none()), id="stayed at the tenant"),
    ],
)
def test_silent_success_broken_fails(signer: Signer, make: Make) -> None:
    with fails("SESS-2"):
        check_silent_success(make(signer))


def logged_in(signer: Signer, *, auth_time: int, login_pages: int, rt: str = "code id_token") -> AuthorizationResponse:
    request = auth_request(rt)
    return replace(delivered(request, good_params(signer, request, auth_time=auth_time)), login_pages_shown=login_pages)


@pytest.mark.parametrize("rt", ["code id_token", "code token"])
def test_reauthenticated_passes(signer: Signer, rt: str) -> None:
    check_reauthenticated(logged_in(signer, auth_time=LATER, login_pages=1, rt=rt), AUTH_TIME)


BROKEN_REAUTHENTICATION: list[Any] = [
    pytest.param(lambda s: logged_in(s, auth_time=LATER, login_pages=0), id="no login page"),
    pytest.param(lambda s: logged_in(s, auth_time=AUTH_TIME, login_pages=1), id="auth_time unchanged"),
    pytest.param(
        lambda s: with_params(
            logged_in(s, auth_time=LATER, login_pages=1), id_token=s.token(id_token_claims(auth_time=None))
        ),
        id="auth_time missing",
    ),
    pytest.param(lambda s: replace(stayed_at_tenant(auth_request()), login_pages_shown=1), id="flow failed"),
]


@pytest.mark.parametrize("make", BROKEN_REAUTHENTICATION)
def test_reauthenticated_broken_fails(signer: Signer, make: Make) -> None:
    with fails("SESS-3"):
        check_reauthenticated(make(signer), AUTH_TIME)


@pytest.mark.parametrize(
    ("auth_time", "login_pages", "must_reauthenticate"),
    [(LATER, 1, True), (AUTH_TIME, 0, False)],
    ids=["max_age exceeded", "max_age not exceeded"],
)
def test_max_age_passes(signer: Signer, auth_time: int, login_pages: int, must_reauthenticate: bool) -> None:
    resp = logged_in(signer, auth_time=auth_time, login_pages=login_pages)
    check_max_age(resp, previous_auth_time=AUTH_TIME, must_reauthenticate=must_reauthenticate)


BROKEN_MAX_AGE: list[Any] = [
    pytest.param(lambda s: logged_in(s, auth_time=LATER, login_pages=0), True, id="exceeded, no login page"),
    pytest.param(lambda s: logged_in(s, auth_time=AUTH_TIME, login_pages=1), True, id="exceeded, old auth_time"),
    pytest.param(lambda s: logged_in(s, auth_time=AUTH_TIME, login_pages=1), False, id="not exceeded, login shown"),
    pytest.param(lambda s: logged_in(s, auth_time=LATER, login_pages=0), False, id="not exceeded, auth_time moved"),
    pytest.param(
        lambda s: with_params(
            logged_in(s, auth_time=AUTH_TIME, login_pages=0), id_token=s.token(id_token_claims(auth_time=None))
        ),
        False,
        id="auth_time missing",
    ),
    pytest.param(
        lambda s: with_params(
            logged_in(s, auth_time=AUTH_TIME, login_pages=0), id_token=s.token(id_token_claims(auth_time=True))
        ),
        False,
        id="auth_time boolean",
    ),
    pytest.param(lambda s: logged_in(s, auth_time=LATER, login_pages=1, rt="code token"), True, id="no ID token"),
    pytest.param(lambda s: error_response(auth_request(), "login_required"), False, id="error"),
]


@pytest.mark.parametrize(("make", "must_reauthenticate"), BROKEN_MAX_AGE)
def test_max_age_broken_fails(signer: Signer, make: Make, must_reauthenticate: bool) -> None:
    with fails("SESS-4"):
        check_max_age(make(signer), previous_auth_time=AUTH_TIME, must_reauthenticate=must_reauthenticate)


EMAIL = {"email": "tester@hybridcheck.test", "email_verified": True}


UI, FRONT, BACK = "UserInfo", "front-channel ID token", "token-endpoint ID token"


def test_scope_claims_pass() -> None:
    check_scope_claims({UI: {"sub": "x", **EMAIL, "name": "extra is fine"}}, EMAIL, "openid email")


def test_scope_claims_may_be_split_over_the_sources() -> None:
    """Core §5.4: with a code, claims may come in the ID token or from UserInfo; the union counts."""
    check_scope_claims({FRONT: {"email": EMAIL["email"]}, BACK: {}, UI: {"email_verified": True}}, EMAIL,
                       "openid email")


@pytest.mark.parametrize(
    "claims",
    [{"sub": "x", "email": EMAIL["email"]}, {"sub": "x", **EMAIL, "email_verified": "true"}, {"sub": "x"}],
    ids=["email_verified missing", "email_verified a string", "no email claims"],
)
def test_scope_claims_broken_fail(claims: dict[str, Any]) -> None:
    with fails("SESS-6") as info:
        check_scope_claims({UI: claims}, EMAIL, "openid email")
    assert "'openid email'" in str(info.value)


@pytest.mark.parametrize("wrong_in", [FRONT, BACK, UI])
def test_one_right_source_does_not_excuse_a_wrong_one(wrong_in: str) -> None:
    sources = {FRONT: dict(EMAIL), BACK: dict(EMAIL), UI: dict(EMAIL)}
    sources[wrong_in]["email"] = "someone-else@hybridcheck.invalid"
    with fails("SESS-6") as info:
        check_scope_claims(sources, EMAIL, "openid email")
    assert [found.rule for found in info.value.findings] == [f"the {wrong_in} carries the user's values for scope 'openid email'"]


def test_auth_time_is_demanded_of_every_id_token(signer: Signer) -> None:
    with_time, without = signer.decoded(id_token_claims()), signer.decoded(id_token_claims(auth_time=None))
    check_auth_time_in_every_id_token({FRONT: with_time, BACK: with_time})
    with fails("SESS-4") as info:
        check_auth_time_in_every_id_token({FRONT: with_time, BACK: without})
    assert f"the {BACK} carries auth_time" in str(info.value)
