"""The token endpoint and UserInfo: TOK-1..7, IDT-5 (OAuth §4.1.3, §5; Core §3.1.3, §5.3)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from hybridcheck.checks.base import fail, severity_for
from hybridcheck.checks.schemas import schema_errors
from hybridcheck.checks.wellformed import check_token_response_is_json
from hybridcheck.evidence import HttpExchange, TokenResponse
from hybridcheck.jose import JwsRejected, verify_jws


def _shown(response: TokenResponse) -> str:
    body = response.body or response.exchange.body[:300]
    return f"HTTP {response.exchange.status} {body}"


def check_token_response_valid(response: TokenResponse, req_id: str = "TOK-1") -> None:
    """A successful token response (OAuth §5.1): 200, JSON valid against the schema,
    ``token_type`` Bearer (case-insensitive, OAuth §7.1), and ``Cache-Control: no-store``."""
    rule = "the token endpoint answers a valid grant with a valid token response"
    check_token_response_is_json(response, req_id)
    if response.exchange.status != 200 or response.exchange.json is None:
        fail(req_id, rule, expected="HTTP 200 with a JSON object", actual=_shown(response))
    problems = schema_errors("token-response", response.body)
    if problems:
        fail(req_id, rule, expected="a body valid against schemas/token-response.schema.json", actual=problems)
    token_type = response.body.get("token_type")
    if str(token_type).lower() != "bearer":
        fail(req_id, "token_type is Bearer (OAuth §7.1, RFC 6750)", expected="Bearer", actual=token_type)
    cache = response.exchange.response_headers.get("cache-control", "")
    if "no-store" not in [d.strip().lower() for d in cache.split(",")]:
        fail(req_id, "token responses are not cacheable (OAuth §5.1)", expected="Cache-Control: no-store",
             actual=f"Cache-Control: {cache!r}")


def check_grant_refused(
    response: TokenResponse,
    req_id: str,
    rule: str,
    *,
    errors: Sequence[str] = ("invalid_grant",),
    status: int = 400,
) -> None:
    """The token endpoint refused: the expected HTTP status and OAuth ``error``, and no token (OAuth §5.2)."""
    body = response.body
    if response.access_token or "id_token" in body or "refresh_token" in body:
        fail(req_id, rule, expected=f"HTTP {status} error {' or '.join(errors)}, no token", actual=_shown(response))
    if response.exchange.status != status or response.error not in errors:
        fail(req_id, rule, expected=f"HTTP {status} with error {' or '.join(errors)}", actual=_shown(response))


def check_first_tokens_revoked(userinfo_exchange: HttpExchange, *, strict: bool, req_id: str = "TOK-3") -> None:
    """After a code was replayed, the access token its first use issued SHOULD be revoked (OAuth §4.1.2, §10.5).

    The spec says SHOULD: a warning unless ``strict`` (the profile's
    ``strict_code_reuse_revocation``).
    """
    if userinfo_exchange.status == 401:
        return
    severity_for(strict)(
        req_id,
        "tokens issued from a replayed code are revoked (OAuth §4.1.2 SHOULD)",
        expected="HTTP 401 from UserInfo",
        actual=f"UserInfo still answers the first access token: HTTP {userinfo_exchange.status}",
    )


def check_api_access_token(
    raw: str | None,
    *,
    jwks: Mapping[str, Any],
    algs: Sequence[str],
    issuer: str,
    audience: str,
    api_scopes: Sequence[str],
) -> dict[str, Any]:
    """TOK-5: the access token for ``audience`` is a JWT verifiable with the tenant's JWKS,
    with ``iss`` the issuer, ``aud`` including the API identifier and ``scope`` holding
    the requested API scopes. Returns its claims."""
    rule = "the access token for an API is a JWT the API can verify"
    if not raw:
        fail("TOK-5", rule, expected="an access_token", actual="none")
    try:
        claims = verify_jws(raw, jwks, algs)
    except JwsRejected as error:
        fail("TOK-5", rule, expected="a JWS verifying with the tenant's JWKS", actual=str(error))
    if claims.get("iss") != issuer:
        fail("TOK-5", "access token iss is the issuer", expected=issuer, actual=claims.get("iss"))
    aud = claims.get("aud")
    audiences = aud if isinstance(aud, list) else [aud]
    if audience not in audiences:
        fail("TOK-5", "access token aud includes the API identifier", expected=audience, actual=aud)
    granted = set(str(claims.get("scope", "")).split())
    missing = sorted(set(api_scopes) - granted)
    if missing:
        fail("TOK-5", "access token scope holds the granted API scopes", expected=sorted(api_scopes),
             actual=claims.get("scope"), computed_from=f"missing {missing}")
    return claims


def check_userinfo_subject(exchange: HttpExchange, sub: str, style: str) -> dict[str, Any]:
    """TOK-6: UserInfo (called by ``style``) answers 200 JSON with the ID token's ``sub`` (Core §5.3.2)."""
    body = exchange.json
    if exchange.status != 200 or body is None:
        fail("TOK-6", f"UserInfo answers the access token ({style})", expected="HTTP 200 with a JSON object",
             actual=f"HTTP {exchange.status} {exchange.body[:300]}")
    if body.get("sub") != sub:
        fail("TOK-6", "UserInfo sub equals the ID token's sub (Core §5.3.2)", expected=sub, actual=body.get("sub"))
    return body


def check_same_subject(front_channel: Mapping[str, Any], token_endpoint: Mapping[str, Any] | None) -> None:
    """IDT-5: the token-endpoint ID token has the same ``iss`` and ``sub`` as the front-channel one (Core §3.3.3.6)."""
    if token_endpoint is None:
        fail("IDT-5", "the token endpoint returns an ID token for an openid request", expected="an id_token",
             actual="none")
    for claim in ("iss", "sub"):
        if not front_channel.get(claim) or front_channel.get(claim) != token_endpoint.get(claim):
            fail("IDT-5", f"{claim} is the same in both ID tokens (Core §3.3.3.6)",
                 expected=front_channel.get(claim), actual=token_endpoint.get(claim))
