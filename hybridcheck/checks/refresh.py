"""Refresh tokens: REF-1..7 (OAuth §6, §5.1; Core §12.2; Security BCP §4.14)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hybridcheck.checks.base import fail
from hybridcheck.evidence import AuthorizationResponse, TokenResponse


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


def check_refreshed_id_token(
    response: TokenResponse,
    original: Mapping[str, Any],
    *,
    openid_granted: bool,
) -> None:
    """REF-3: a new ID token iff ``openid`` was granted, with the same ``iss``, ``sub``, ``aud``,
    ``azp`` and ``auth_time`` as the original, a new ``iat``, and no other ``nonce`` (Core §12.2)."""
    rule = "a refreshed ID token keeps the identity of the original (Core §12.2)"
    id_token = response.id_token
    if not openid_granted:
        if id_token is not None:
            fail("REF-3", "no ID token when the refresh scope has no openid", expected="no id_token",
                 actual=id_token.claims)
        return
    if id_token is None:
        fail("REF-3", "a refresh with openid returns a new ID token", expected="an id_token", actual=_shown(response))
    claims = id_token.claims
    for name in ("iss", "sub", "aud", "azp", "auth_time"):
        if claims.get(name) != original.get(name):
            fail("REF-3", f"{rule}: {name}", expected=original.get(name), actual=claims.get(name))
    if not isinstance(claims.get("iat"), (int, float)) or claims["iat"] < original.get("iat", 0):
        fail("REF-3", f"{rule}: a new iat", expected=f">= {original.get('iat')}", actual=claims.get("iat"))
    if "nonce" in claims and claims["nonce"] != original.get("nonce"):
        fail("REF-3", f"{rule}: no nonce, or the original one", expected=original.get("nonce"), actual=claims["nonce"])


def check_escalation_refused(response: TokenResponse, extra_scope: str, *, accept_silent_drop: bool) -> None:
    """REF-5: a refresh asking a scope never granted never grants it; the spec's answer is
    ``invalid_scope`` and no token (OAuth §6, §5.2). A 200 that silently leaves the scope
    out passes only where the profile accepts that deviation."""
    if response.ok:
        granted = response.granted_scope
        if granted is None:  # OAuth §5.1: an omitted scope is the scope requested, extra one included
            fail("REF-5", "a scope not originally granted is never granted", expected=f"no {extra_scope!r}",
                 actual=f"HTTP 200 without scope, i.e. the requested scope with {extra_scope!r} (OAuth §5.1)")
        if extra_scope in granted:
            fail("REF-5", "a scope not originally granted is never granted", expected=f"no {extra_scope!r}",
                 actual=sorted(granted))
        if not accept_silent_drop:
            fail("REF-5", "an escalated refresh scope is refused (OAuth §6)",
                 expected="HTTP 400 error invalid_scope, no token", actual=f"HTTP 200 with scope {sorted(granted)}")
        return
    body = response.body
    if response.error != "invalid_scope" or response.access_token or "id_token" in body or "refresh_token" in body:
        fail("REF-5", "an escalated refresh scope is refused with invalid_scope and no token (OAuth §5.2)",
             expected="error invalid_scope, no token", actual=_shown(response))


def check_rotated(first: TokenResponse, used_token: str) -> None:
    """REF-6, where the profile declares rotation: each refresh returns a new refresh token
    (Security BCP §4.14.2). Without rotation a new token may come back too (OAuth §6 allows
    it); what matters then is that the used one keeps working, which the suite proves by
    using it again."""
    new = first.refresh_token
    if not new or new == used_token:
        fail("REF-6", "a rotating refresh returns a new refresh token", expected="a new refresh_token",
             actual="the same one" if new else "none")
