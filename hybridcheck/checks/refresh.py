"""Refresh tokens: REF-1..7 (OAuth §6, §5.1; Core §12.2; Security BCP §4.14)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hybridcheck.checks.base import Findings, fail, warn
from hybridcheck.checks.session import STANDARD_SCOPE_CLAIMS, expected_scope_claims
from hybridcheck.checks.token_endpoint import check_grant_refused, userinfo_claims
from hybridcheck.evidence import AuthorizationResponse, DecodedJwt, HttpExchange, TokenResponse


def _shown(response: TokenResponse) -> str:
    return f"HTTP {response.exchange.status} {response.body or response.exchange.body[:300]}"


def _granted(response: TokenResponse, asked: frozenset[str]) -> frozenset[str]:
    """The granted scope: the response's ``scope``, or what was asked when it is omitted (OAuth §5.1)."""
    granted = response.granted_scope
    return asked if granted is None else granted


def check_refresh_token_issued(response: TokenResponse) -> str:
    """REF-1: with ``offline_access`` the token endpoint returns a refresh token. Returns it."""
    if not response.ok or not response.refresh_token:
        fail("REF-1", "offline_access yields a refresh token from the token endpoint",
             expected="refresh_token in a 200 token response", actual=_shown(response))
    return response.refresh_token


def check_no_front_channel_refresh_token(resp: AuthorizationResponse) -> None:
    """REF-1: a refresh token never comes from the authorization endpoint, in any channel."""
    places = {"query": resp.query, "fragment": resp.fragment, "form_post body": resp.form}
    seen = [place for place, values in places.items() if "refresh_token" in values]
    if seen:
        fail("REF-1", "no refresh token from the authorization endpoint", expected="no refresh_token",
             actual=f"refresh_token in the {', '.join(seen)}")


def check_no_refresh_token(response: TokenResponse) -> None:
    """REF-2: without ``offline_access`` no refresh token (Core §11)."""
    if response.refresh_token:
        fail("REF-2", "no refresh token without offline_access", expected="no refresh_token",
             actual="a refresh_token in the token response")


def check_refresh_grants(
    response: TokenResponse,
    req_id: str,
    expected_scope: frozenset[str],
    *,
    access_token_claims: Mapping[str, Any] | None = None,
    api_scopes: frozenset[str] = frozenset(),
) -> None:
    """A refresh succeeded and granted exactly ``expected_scope`` (REF-3 without ``scope``,
    REF-4 with a reduced one): in the response's ``scope`` and, for a JWT access token,
    in its ``scope`` claim (the API scopes of the expected set)."""
    if not response.ok:
        fail(req_id, "the refresh succeeds", expected="HTTP 200 with an access_token", actual=_shown(response))
    granted = _granted(response, expected_scope)
    if granted != expected_scope:
        fail(req_id, "the refresh grants exactly the scope asked (OAuth §6)", expected=sorted(expected_scope),
             actual=sorted(granted))
    if access_token_claims is not None:
        in_token = frozenset(str(access_token_claims.get("scope", "")).split()) & api_scopes
        if in_token != expected_scope & api_scopes:
            fail(req_id, "the access token's scope claim holds exactly the granted API scopes",
                 expected=sorted(expected_scope & api_scopes), actual=sorted(in_token))


def _audiences(aud: Any) -> frozenset[str] | None:
    """``aud`` as a set (Core §2: a string is one audience); ``None`` when absent."""
    if aud is None:
        return None
    return frozenset([aud] if isinstance(aud, str) else aud)


def check_refreshed_id_token(
    response: TokenResponse,
    original: DecodedJwt | None,
    *,
    openid_granted: bool,
    expected: bool,
) -> None:
    """REF-3: an ID token on refresh is optional (OAuth §6, Core §12.2) and missing fails only
    where the profile ``expected`` one (Auth0, with ``openid``); no ID token without ``openid``.
    One that comes is *newly issued* — not the earlier token again, ``iat`` not before the
    original's — with the original's ``iss``, ``sub``, ``aud`` (as sets) and ``azp``, the
    original ``auth_time`` where both carry one, and no ``nonce`` or the original one (Core
    §12.2). Its signature and claims are IDT-1 and IDT-2's, judged beside. All findings together.
    The caller refreshes at least a second after the original was issued: a deterministic
    signature (RS256) over the same claims in the same second gives the same bytes."""
    id_token = response.id_token
    if not openid_granted:
        if id_token is not None:
            fail("REF-3", "no ID token when the refresh scope has no openid", expected="no id_token",
                 actual=id_token.claims, source="Core §12.2")
        return
    if id_token is None:
        if expected:
            fail("REF-3", "a refresh with openid returns a new ID token (the profile's [expectations] "
                 "refresh_id_token)", expected="an id_token", actual=_shown(response), source="Auth0; Core §12.2")
        return
    claims, before = id_token.claims, (original.claims if original else {})
    shown = f"refresh ID token claims {claims}; original {before}"
    rule = "a refreshed ID token keeps the identity of the original (Core §12.2)"
    with Findings() as findings:
        if original is not None and id_token.raw == original.raw:
            findings.fail("REF-3", "the refresh ID token is newly issued, not the earlier one again",
                          expected="a new ID token", actual="the code exchange's ID token, byte for byte",
                          computed_from=shown, source="Core §12.2")
        for name in ("iss", "sub", "azp"):  # "if no azp Claim was present in the original ID Token, one MUST NOT be"
            if claims.get(name) != before.get(name):
                findings.fail("REF-3", f"{rule}: {name}", expected=before.get(name), actual=claims.get(name),
                              computed_from=shown, source="Core §12.2")
        if _audiences(claims.get("aud")) != _audiences(before.get("aud")):
            findings.fail("REF-3", f"{rule}: aud (as a set)", expected=before.get("aud"), actual=claims.get("aud"),
                          computed_from=shown, source="Core §12.2")
        if "auth_time" in claims and "auth_time" in before and claims["auth_time"] != before["auth_time"]:
            findings.fail("REF-3", f"{rule}: auth_time of the original authentication",
                          expected=before["auth_time"], actual=claims["auth_time"], computed_from=shown,
                          source="Core §12.2")
        iat = claims.get("iat")
        if isinstance(before.get("iat"), int | float) and (not isinstance(iat, int | float) or iat < before["iat"]):
            findings.fail("REF-3", "the refresh ID token has an iat not earlier than the original's",
                          expected=f">= {before['iat']}", actual=iat, computed_from=shown, source="Core §12.2")
        if "nonce" in claims and claims["nonce"] != before.get("nonce"):
            findings.fail("REF-3", f"{rule}: no nonce, or the original one", expected=before.get("nonce"),
                          actual=claims["nonce"], computed_from=shown, source="Core §12.2")


def check_escalation_refused(response: TokenResponse, extra_scope: str, *, accept_silent_drop: bool) -> None:
    """REF-5: a refresh asking a scope never granted never grants it; the spec's answer is
    HTTP 400 ``invalid_scope`` and no token (OAuth §6, §5.2). A 200 that silently leaves the
    scope out fails, or is a warning where the profile accepts that deviation
    (``accept_silent_scope_drop``): never a pass of the strict rule."""
    if response.ok:
        granted = response.granted_scope
        if granted is None:  # OAuth §5.1: an omitted scope is the scope requested, extra one included
            fail("REF-5", "a scope not originally granted is never granted", expected=f"no {extra_scope!r}",
                 actual=f"HTTP 200 without scope, i.e. the requested scope with {extra_scope!r} (OAuth §5.1)")
        if extra_scope in granted:
            fail("REF-5", "a scope not originally granted is never granted", expected=f"no {extra_scope!r}",
                 actual=sorted(granted))
        (warn if accept_silent_drop else fail)(
            "REF-5", "an escalated refresh scope is refused (OAuth §6)",
            expected="HTTP 400 error invalid_scope, no token", actual=f"HTTP 200 with scope {sorted(granted)}: {extra_scope!r} silently left out")
        return
    check_grant_refused(response, "REF-5", "an escalated refresh scope is refused with invalid_scope and no token "
                        "(OAuth §5.2)", errors=("invalid_scope",))
    if response.exchange.status != 400:
        fail("REF-5", "an escalated refresh scope is answered HTTP 400 invalid_scope (OAuth §5.2)",
             expected="HTTP 400", actual=f"HTTP {response.exchange.status} error {response.error!r}")


def check_userinfo_within_scope(
    exchange: HttpExchange, granted: frozenset[str], user_claims: Mapping[str, Any]
) -> None:
    """REF-4: what the access token of a reduced-scope refresh can do is the reduced set (OAuth
    §6: the new token's scope "MUST NOT include any scope not originally granted" and is the
    one asked): UserInfo answers it (Core §5.3.2) with the claims of the granted standard
    scopes that the test user has, and none of the claims of a standard scope left out (Core §5.4)."""
    rule = f"UserInfo answers the reduced-scope access token ({' '.join(sorted(granted))}) with that scope's claims"
    claims = userinfo_claims(exchange, "REF-4", rule)
    left_out = {name for scope, names in STANDARD_SCOPE_CLAIMS.items() if scope not in granted for name in names}
    extra = sorted(left_out & claims.keys())
    if extra:
        fail("REF-4", "the reduced-scope access token reads no claim of a scope left out (Core §5.4)",
             expected=f"no claim of {sorted(set(STANDARD_SCOPE_CLAIMS) - granted)}", actual=f"UserInfo has {extra}",
             computed_from=f"granted scope {sorted(granted)}")
    missing = sorted(expected_scope_claims(user_claims, " ".join(granted)).keys() - claims.keys())
    if missing:
        fail("REF-4", "the reduced-scope access token reads the claims of the scope granted (Core §5.4)",
             expected=f"UserInfo with {missing}", actual=f"UserInfo members {sorted(claims)}",
             computed_from=f"granted scope {sorted(granted)} and the profile's [user.claims]")


def check_rotated(first: TokenResponse, used_token: str) -> None:
    """REF-6, where the profile declares rotation: each refresh returns a new refresh token
    (Security BCP §4.14.2). Without rotation a new token may come back too (OAuth §6 allows
    it); what matters then is that the used one keeps working, which the suite proves by
    using it again."""
    new = first.refresh_token
    if not new or new == used_token:
        fail("REF-6", "a rotating refresh returns a new refresh token", expected="a new refresh_token",
             actual="the same one" if new else "none")
