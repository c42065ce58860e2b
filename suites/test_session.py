"""SESS-1..5: prompt, max_age and the other request parameters (Core §3.1.2.1, OIDF prompt/max-age modules)."""

import pytest

from hybridcheck.checks.response import check_flow_succeeded
from hybridcheck.checks.id_token import flow_id_tokens
from hybridcheck.checks.session import (
    check_auth_time_in_every_id_token,
    check_login_required,
    check_max_age,
    check_reauthenticated,
    check_scope_claims,
    check_silent_success,
    expected_scope_claims,
)
from hybridcheck.clock import wait_until_epoch

pytestmark = pytest.mark.matrix(modes=["fragment", "form_post"])


def _auth_time(response) -> int:
    """``auth_time`` of the response's ID token; tests that need it run only on RTs with an ID token."""
    return int(response.id_token.claims.get("auth_time", 0)) if response.id_token else 0


@pytest.mark.negative
@pytest.mark.req("SESS-1")
@pytest.mark.oidf("oidcc-prompt-none-not-logged-in")
@pytest.mark.needs_capability("prompt_none")
def test_prompt_none_without_session_returns_login_required(case, shared_authorize):
    check_login_required(shared_authorize(case, with_session=False, prompt="none"))


@pytest.mark.req("SESS-2")
@pytest.mark.oidf("oidcc-prompt-none-logged-in")
@pytest.mark.needs_capability("prompt_none")
def test_prompt_none_with_session_succeeds_silently(case, authorize):
    """As OIDF's module: one ordinary request first (a tenant may renew its session id on every
    interaction, so the worker's saved SSO cookie is not proof of a live session), then prompt=none."""
    authorize(case)
    check_silent_success(authorize(case, prompt="none"))


@pytest.mark.req("SESS-3")
@pytest.mark.oidf("oidcc-prompt-login")
@pytest.mark.matrix(needs=["id_token"])
def test_prompt_login_forces_a_new_login(case, authorize):
    first = authorize(case)
    wait_until_epoch(_auth_time(first) + 1)  # auth_time has 1 s resolution: let it be able to move
    check_reauthenticated(authorize(case, prompt="login"), previous_auth_time=_auth_time(first))


@pytest.mark.slow
@pytest.mark.req("SESS-4")
@pytest.mark.oidf("oidcc-max-age-1")
@pytest.mark.matrix(needs=["id_token"])
@pytest.mark.needs_capability("max_age")
def test_max_age_1_forces_a_new_login_after_2_seconds(case, authorize):
    """The first flow sends ``max_age`` too, so its ``auth_time`` is REQUIRED (Core §3.1.2.1)
    and the 2 s are measured from it; without it the wait would measure nothing."""
    first = authorize(case, max_age="10000")
    wait_until_epoch(_auth_time(first) + 2)  # the requirement is about time passing
    response = authorize(case, max_age="1")
    check_max_age(response, previous_auth_time=_auth_time(first), must_reauthenticate=True)


@pytest.mark.req("SESS-4")
@pytest.mark.oidf("oidcc-max-age-10000")
@pytest.mark.matrix(needs=["id_token"])
@pytest.mark.needs_capability("max_age")
def test_max_age_10000_reuses_the_session(case, authorize):
    first = authorize(case, max_age="10000")
    response = authorize(case, max_age="10000")
    check_max_age(response, previous_auth_time=_auth_time(first), must_reauthenticate=False)


@pytest.mark.req("SESS-4")
@pytest.mark.matrix(modes=["fragment"])
@pytest.mark.needs_capability("max_age")
def test_max_age_puts_auth_time_in_every_id_token_of_the_flow(case, complete):
    """Core §3.1.2.1: with ``max_age`` sent, ``auth_time`` "MUST be included" — in the front
    channel's ID token and the token endpoint's alike (``code token``: the latter only)."""
    check_auth_time_in_every_id_token(flow_id_tokens(complete(case, max_age="10000")))


#: Request parameters that must not break the flow, each with its OIDF hybrid-plan module.
REQUEST_PARAMETERS = [
    pytest.param({"display": "page"}, id="display-page", marks=pytest.mark.oidf("oidcc-display-page")),
    pytest.param({"display": "popup"}, id="display-popup", marks=pytest.mark.oidf("oidcc-display-popup")),
    pytest.param({"login_hint": "someone@hybridcheck.test"}, id="login-hint", marks=pytest.mark.oidf("oidcc-login-hint")),
    pytest.param({"ui_locales": "de-CH fr en"}, id="ui-locales", marks=pytest.mark.oidf("oidcc-ui-locales")),
    pytest.param({"claims_locales": "de-CH fr en"}, id="claims-locales", marks=pytest.mark.oidf("oidcc-claims-locales")),
    pytest.param({"acr_values": "1 2"}, id="acr-values",
                 marks=pytest.mark.oidf("oidcc-ensure-request-with-acr-values-succeeds")),
    pytest.param({"hybridcheck_unknown_parameter": "ignored"}, id="unknown-parameter",
                 marks=pytest.mark.oidf("oidcc-ensure-request-with-unknown-parameter-succeeds")),
]


@pytest.mark.req("SESS-5")
@pytest.mark.matrix(modes=["fragment"])
@pytest.mark.parametrize("extra", REQUEST_PARAMETERS)
def test_request_parameter_does_not_break_the_flow(case, authorize, extra):
    check_flow_succeeded(authorize(case, **extra), "SESS-5")


@pytest.mark.req("SESS-5")
@pytest.mark.oidf("oidcc-id-token-hint")
@pytest.mark.matrix(needs=["id_token"], modes=["fragment"])
@pytest.mark.needs_capability("prompt_none")
def test_id_token_hint_with_prompt_none_succeeds(case, authorize):
    first = authorize(case)
    check_flow_succeeded(authorize(case, prompt="none", id_token_hint=first.params.get("id_token", "")), "SESS-5")


@pytest.mark.req("SESS-6")
@pytest.mark.oidf("oidcc-ensure-other-scope-order-succeeds")
@pytest.mark.matrix(modes=["fragment"])
def test_scope_order_does_not_matter(case, authorize):
    check_flow_succeeded(authorize(case, scope="email profile openid"), "SESS-6")


SCOPES = [
    pytest.param(f"openid {name}" if name != "all" else "openid profile email address phone", id=name,
                 marks=pytest.mark.oidf(f"oidcc-scope-{name}"))
    for name in ("profile", "email", "address", "phone", "all")
]


@pytest.mark.req("SESS-6")
@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.matrix(needs=["id_token"], lacks=["token"], modes=["fragment"])
def test_standard_scope_yields_its_claims(case, complete, tokens, profile, scope):
    """Core §5.4: with a code, the claims may come in the ID token or from UserInfo; their
    union counts for presence, and each of the three sources is judged for its values.

    One cell (``code id_token``: both ID tokens and UserInfo) per scope keeps UserInfo inside
    Auth0's 5-a-minute budget.
    """
    expected = expected_scope_claims(profile.user.claims, scope)
    if not expected:
        pytest.skip(f"profile {profile.name} lists no [user.claims] for scope {scope!r}")
    flow = complete(case, scope=scope)
    sources = {where: token.claims for where, token in flow_id_tokens(flow).items()}
    sources["UserInfo"] = tokens.userinfo(flow.tokens.access_token or "").json or {}
    check_scope_claims(sources, expected, scope)
