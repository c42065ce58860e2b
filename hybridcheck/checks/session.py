"""Sessions and request parameters: prompt, max_age, auth_time, scope claims (SESS-1 to SESS-4, SESS-6)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hybridcheck.checks.base import Findings, fail
from hybridcheck.checks.response import check_flow_succeeded
from hybridcheck.checks.views import claim_mismatches, describe, error_of
from hybridcheck.evidence import AuthorizationResponse, DecodedJwt

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


def check_auth_time_in_every_id_token(id_tokens: Mapping[str, DecodedJwt]) -> None:
    """SESS-4: with ``max_age`` sent, every ID token of the flow carries ``auth_time``.

    Core §3.1.2.1 (max_age): "the auth_time Claim value MUST be included" — in the front
    channel's and the token endpoint's ID token alike (``id_tokens`` by source). Without
    ``max_age`` it is optional (Core §2) and this check is not called.
    """
    with Findings() as findings:
        for where, id_token in id_tokens.items():
            auth_time = id_token.claims.get("auth_time")
            if isinstance(auth_time, bool) or not isinstance(auth_time, int | float):
                findings.fail("SESS-4", f"the {where} carries auth_time when max_age was sent",
                              expected="an auth_time claim (a NumericDate)",
                              actual=repr(auth_time) if "auth_time" in id_token.claims else "no auth_time claim",
                              computed_from=f"{where} claims {id_token.claims}", source="Core §3.1.2.1 (max_age)")


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


def check_scope_claims(sources: Mapping[str, Mapping[str, Any]], expected: Mapping[str, Any], scope: str) -> None:
    """SESS-6: the claims of the standard scopes asked come with the user's values.

    Core §5.4 (with a code, the claims may come in the ID token or from UserInfo, §5.4's
    last paragraph): each expected claim is present in at least one source; and every
    source that carries one (``sources`` by name: front-channel ID token, token-endpoint ID
    token, UserInfo) carries the right value — one right source does not excuse a wrong one.
    ``expected`` holds the claims the profile says the test user has for ``scope``.
    """
    union = {name for claims in sources.values() for name in claims}
    with Findings() as findings:
        missing = sorted(name for name in expected if name not in union)
        if missing:
            findings.fail("SESS-6", f"scope {scope!r} yields its claims", expected={name: expected[name] for name in missing},
                          actual="absent from every source", computed_from=f"claims of {', '.join(sources)}: {sorted(union)}",
                          source="Core §5.4")
        for where, claims in sources.items():
            wrong = {name: found for name, found in claim_mismatches(claims, expected).items() if name in claims}
            if wrong:
                findings.fail("SESS-6", f"the {where} carries the user's values for scope {scope!r}",
                              expected={name: expected[name] for name in wrong}, actual=wrong,
                              computed_from=f"{where} claims {sorted(claims)}", source="Core §5.4, §5.1")
