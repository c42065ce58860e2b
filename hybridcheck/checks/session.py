"""Sessions and request parameters: prompt, max_age, scope claims (SESS-1 to SESS-4, SESS-6)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hybridcheck.checks.base import fail
from hybridcheck.checks.response import check_flow_succeeded
from hybridcheck.checks.views import claim_mismatches, describe, error_of
from hybridcheck.evidence import AuthorizationResponse

_LOGIN_ERRORS = ("login_required", "interaction_required")


def check_login_required(resp: AuthorizationResponse) -> None:
    """SESS-1: ``prompt=none`` without a session returns ``login_required`` to the client.

    Core §3.1.2.6 (``interaction_required`` is accepted too); OIDF
    PromptNoneNotLoggedIn. The error comes back by the mode asked, with the state, and
    no login page is shown.
    """
    request = resp.request
    rule = "prompt=none without a session returns login_required to the client"
    if resp.login_pages_shown:
        fail("SESS-1", rule, expected="no login page", actual=f"{resp.login_pages_shown} login page(s) shown")
    if resp.channel == "none" or resp.params.get("error") not in _LOGIN_ERRORS:
        fail(
            "SESS-1",
            rule,
            expected=f"error in {list(_LOGIN_ERRORS)} returned by {request.expected_mode}",
            actual=error_of(resp) if resp.is_error else describe(resp),
        )
    if resp.channel != request.expected_mode:
        fail("SESS-1", rule, expected=f"the error returned by {request.expected_mode}", actual=describe(resp))
    if resp.params.get("state") != request.state:
        fail("SESS-1", rule, expected=f"state {request.state!r}", actual=f"state {resp.params.get('state')!r}")


def check_silent_success(resp: AuthorizationResponse) -> None:
    """SESS-2: ``prompt=none`` with a session succeeds without any UI (OIDF PromptNoneLoggedIn)."""
    if resp.login_pages_shown:
        fail(
            "SESS-2",
            "prompt=none with a session succeeds without UI",
            expected="no login page",
            actual=f"{resp.login_pages_shown} login page(s) shown",
        )
    check_flow_succeeded(resp, "SESS-2")


def _auth_time(resp: AuthorizationResponse, req_id: str, rule: str) -> float:
    """The front-channel ID token's ``auth_time``; fails ``req_id`` when there is none."""
    id_token = resp.id_token
    if id_token is None:
        fail(req_id, rule, expected="an ID token with auth_time", actual=describe(resp))
    auth_time = id_token.claims.get("auth_time")
    if isinstance(auth_time, bool) or not isinstance(auth_time, int | float):
        fail(
            req_id,
            rule,
            expected="an auth_time claim (a NumericDate)",
            actual=repr(auth_time),
            computed_from=f"ID token claims {id_token.claims}",
        )
    return auth_time


def check_reauthenticated(resp: AuthorizationResponse, previous_auth_time: int) -> None:
    """SESS-3: ``prompt=login`` shows the login again and ``auth_time`` moves forward.

    OIDF PromptLogin (Core §3.1.2.1). Without an ID token in the response type, only
    the login page is judged.
    """
    rule = "prompt=login shows the login page again and auth_time moves forward"
    if resp.login_pages_shown < 1:
        fail("SESS-3", rule, expected="a login page", actual="no login page shown")
    check_flow_succeeded(resp, "SESS-3")
    if "id_token" not in resp.request.response_type_values:
        return
    auth_time = _auth_time(resp, "SESS-3", rule)
    if auth_time <= previous_auth_time:
        fail("SESS-3", rule, expected=f"auth_time after {previous_auth_time}", actual=auth_time)


def check_max_age(resp: AuthorizationResponse, *, previous_auth_time: int, must_reauthenticate: bool) -> None:
    """SESS-4: ``max_age`` forces re-authentication once exceeded, not before; ``auth_time`` is present.

    Core §3.1.2.1 (``auth_time`` REQUIRED when ``max_age`` was sent); OIDF MaxAge1 /
    MaxAge10000.
    """
    check_flow_succeeded(resp, "SESS-4")
    if must_reauthenticate:
        rule = "an exceeded max_age forces a new login and a later auth_time"
        auth_time = _auth_time(resp, "SESS-4", rule)
        if resp.login_pages_shown < 1:
            fail("SESS-4", rule, expected="a login page", actual="no login page shown")
        if auth_time <= previous_auth_time:
            fail("SESS-4", rule, expected=f"auth_time after {previous_auth_time}", actual=auth_time)
    else:
        rule = "a max_age not exceeded keeps the session and its auth_time"
        auth_time = _auth_time(resp, "SESS-4", rule)
        if resp.login_pages_shown:
            fail("SESS-4", rule, expected="no login page", actual=f"{resp.login_pages_shown} login page(s) shown")
        if auth_time != previous_auth_time:
            fail("SESS-4", rule, expected=f"auth_time {previous_auth_time}", actual=auth_time)


#: The claims each standard scope asks for (OIDC Core §5.4).
STANDARD_SCOPE_CLAIMS: Mapping[str, tuple[str, ...]] = {
    "profile": (
        "name", "family_name", "given_name", "middle_name", "nickname", "preferred_username", "profile",
        "picture", "website", "gender", "birthdate", "zoneinfo", "locale", "updated_at",
    ),
    "email": ("email", "email_verified"),
    "address": ("address",),
    "phone": ("phone_number", "phone_number_verified"),
}


def expected_scope_claims(user_claims: Mapping[str, Any], scope: str) -> dict[str, Any]:
    """The claims of ``user_claims`` that the standard scopes in ``scope`` ask for (Core §5.4)."""
    names = {name for value in scope.split() for name in STANDARD_SCOPE_CLAIMS.get(value, ())}
    return {name: value for name, value in user_claims.items() if name in names}


def check_scope_claims(claims: Mapping[str, Any], expected: Mapping[str, Any], scope: str) -> None:
    """SESS-6: the claims of the standard scopes asked are present with the user's values.

    Core §5.4; OIDF Scope*. ``expected`` holds the claims the profile says the test
    user has for ``scope``.
    """
    mismatches = claim_mismatches(claims, expected)
    if mismatches:
        fail(
            "SESS-6",
            f"scope {scope!r} yields its claims",
            expected={name: expected[name] for name in mismatches},
            actual=mismatches,
            computed_from=f"claims returned {sorted(claims)}",
        )
