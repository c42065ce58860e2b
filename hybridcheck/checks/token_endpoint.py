"""The token endpoint and UserInfo: TOK-1..7, IDT-5 (OAuth §4.1.3, §5; Core §3.1.3, §5.3)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from hybridcheck.checks.base import Findings, fail, severity_for, warn
from hybridcheck.checks.schemas import schema_errors
from hybridcheck.checks.wellformed import check_token_response_is_json
from hybridcheck.evidence import DecodedJwt, HttpExchange, TokenResponse
from hybridcheck.jose import JwsRejected, verify_jws


def _shown(response: TokenResponse) -> str:
    body = response.body or response.exchange.body[:300]
    return f"HTTP {response.exchange.status} {body}"


def _media_type(exchange: HttpExchange) -> str:
    """The media type of an answer, without parameters, lower case (RFC 9110 §8.3.1)."""
    return exchange.response_headers.get("content-type", "").split(";")[0].strip().lower()


def check_token_response_valid(response: TokenResponse, req_id: str = "TOK-1") -> None:
    """A successful token response (OAuth §5.1), code exchange and refresh alike: HTTP 200,
    ``application/json``, valid against the schema (``expires_in`` a JSON number of seconds
    where present), ``token_type`` Bearer (case-insensitive, OAuth §7.1), and
    ``Cache-Control: no-store``. Every broken rule is reported, not only the first."""
    rule = "the token endpoint answers a valid grant with a valid token response"
    check_token_response_is_json(response, req_id)
    exchange = response.exchange
    if exchange.status != 200 or exchange.json is None:
        fail(req_id, rule, expected="HTTP 200 with a JSON object", actual=_shown(response))
    with Findings() as findings:
        media = _media_type(exchange)
        if media != "application/json":
            findings.fail(req_id, "a token response is application/json (OAuth §5.1)", expected="application/json",
                          actual=media or "no Content-Type")
        problems = schema_errors("token-response", response.body)
        if problems:
            findings.fail(req_id, rule, expected="a body valid against schemas/token-response.schema.json",
                          actual=problems)
        token_type = response.body.get("token_type")
        if "token_type" in response.body and str(token_type).lower() != "bearer":  # absent: the schema's finding
            findings.fail(req_id, "token_type is Bearer (OAuth §7.1, RFC 6750)", expected="Bearer", actual=token_type)
        cache = exchange.response_headers.get("cache-control", "")
        if "no-store" not in [d.strip().lower() for d in cache.split(",")]:
            findings.fail(req_id, "token responses are not cacheable (OAuth §5.1)", expected="Cache-Control: no-store",
                          actual=f"Cache-Control: {cache!r}")


def check_tokens_issued(response: TokenResponse, req_id: str, rule: str) -> None:
    """The token endpoint granted what was asked: HTTP 200 with an ``access_token`` (OAuth §5.1).

    The precondition (or, for a right PKCE verifier, the rule) of tests that need a success;
    the shape of the response is TOK-1's rule (:func:`check_token_response_valid`).
    """
    if not response.ok:
        fail(req_id, rule, expected="HTTP 200 with an access_token", actual=_shown(response))


def _issued_a_token(response: TokenResponse) -> bool:
    body = response.body
    return bool(response.access_token) or "id_token" in body or "refresh_token" in body


def check_token_error_response(response: TokenResponse, provoked: str, demanded_by: str = "TOK-1") -> None:
    """TOK-1: every token-endpoint error is an OAuth §5.2 error response: HTTP 400 (for
    ``invalid_client`` 401 as well, §5.2), ``application/json``, a JSON object valid against
    ``schemas/error-response.schema.json`` (``error`` present, only the characters §5.2
    allows), and no token.

    ``provoked`` names the mistake the suite made on purpose. A tenant that does not refuse
    it at all broke ``demanded_by``, the requirement that demands the refusal: its own test
    reports that (one root cause, one red), so here it is judged only where that requirement
    is TOK-1 itself (an unknown code or refresh token accepted).
    """
    exchange = response.exchange
    if exchange.status == 200 or _issued_a_token(response):
        if demanded_by == "TOK-1":
            fail("TOK-1", f"{provoked} is refused", expected="an error response and no token",
                 actual=_shown(response))
        return
    with Findings() as findings:
        rule = f"the token-endpoint error for {provoked} is an OAuth error response (OAuth §5.2)"
        body = exchange.json
        media = _media_type(exchange)
        if body is None:
            shown = f"HTTP {exchange.status}, {media or 'no Content-Type'}, not JSON: {exchange.body[:120]!r}"
            findings.fail("TOK-1", rule, expected="a JSON object with error (application/json)", actual=shown)
        elif problems := schema_errors("error-response", body):
            findings.fail("TOK-1", rule, expected="a body valid against schemas/error-response.schema.json",
                          actual=problems)
        if body is not None and media != "application/json":
            findings.fail("TOK-1", f"the token-endpoint error for {provoked} is application/json (OAuth §5.2)",
                          expected="application/json", actual=media or "no Content-Type")
        allowed = (400, 401) if response.error == "invalid_client" else (400,)
        if exchange.status not in allowed:
            findings.fail("TOK-1", f"the token-endpoint error for {provoked} has the status OAuth §5.2 gives it",
                          expected=f"HTTP {' or '.join(map(str, allowed))}",
                          actual=f"HTTP {exchange.status} error {response.error!r}")


def check_grant_refused(
    response: TokenResponse,
    req_id: str,
    rule: str,
    *,
    errors: Sequence[str] = ("invalid_grant",),
) -> None:
    """The token endpoint refused with one of ``errors`` and issued no token (OAuth §5.2).

    Only the error *code* is judged: the HTTP status and the shape of every token-endpoint
    error are TOK-1's rule (:func:`check_token_error_response`), reported once per run. An
    error whose code cannot be read (not a JSON object) is TOK-1's finding too.
    """
    expected = f"error {' or '.join(errors)}, no token"
    if _issued_a_token(response):
        fail(req_id, rule, expected=expected, actual=_shown(response))
    if response.exchange.json is None:
        fail("TOK-1", "a token-endpoint error is a JSON object, so its error code can be read (OAuth §5.2)",
             expected=f"a JSON object with {expected}", actual=_shown(response))
    if response.error not in errors:
        fail(req_id, rule, expected=expected, actual=_shown(response))


#: A challenge for the Basic scheme among those of a ``WWW-Authenticate`` header (RFC 9110 §11.6.1).
_BASIC_CHALLENGE = re.compile(r"(?:^|,)\s*basic(?:\s|,|$)", re.IGNORECASE)


def check_client_authentication_refused(response: TokenResponse, auth_method: str, grant: str) -> None:
    """TOK-4: a wrong client secret is refused with ``invalid_client`` and no token (OAuth
    §5.2). With ``client_secret_basic`` (credentials in the ``Authorization`` header) the
    answer MUST be 401 with a ``WWW-Authenticate`` header for the Basic scheme; with
    ``client_secret_post`` 400 or 401 (§5.2: "MAY return an HTTP 401")."""
    rule = f"a wrong client secret ({auth_method}, {grant}) is refused"
    check_grant_refused(response, "TOK-4", rule, errors=("invalid_client",))
    status = response.exchange.status
    if auth_method != "client_secret_basic":
        if status not in (400, 401):
            fail("TOK-4", f"{rule} with HTTP 400 or 401 (OAuth §5.2)", expected="HTTP 400 or 401",
                 actual=f"HTTP {status}")
        return
    challenge = response.exchange.response_headers.get("www-authenticate", "")
    if status != 401 or not _BASIC_CHALLENGE.search(challenge):
        fail("TOK-4", f"{rule} with 401 and a Basic challenge (OAuth §5.2: MUST)",
             expected='HTTP 401, WWW-Authenticate: Basic realm="..."', actual=_status_and_challenge(status, challenge))


def _status_and_challenge(status: int, challenge: str) -> str:
    return f"HTTP {status}, WWW-Authenticate: {challenge!r}" if challenge else f"HTTP {status}, no WWW-Authenticate"


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


def userinfo_claims(exchange: HttpExchange, req_id: str, rule: str) -> dict[str, Any]:
    """The claims of a successful UserInfo answer (Core §5.3.2): HTTP 200 and either
    ``application/json`` with a JSON object, or ``application/jwt`` when the response is
    signed (its claims read from the JWT; the signature is the client's business, §5.3.4)."""
    media = _media_type(exchange)
    if exchange.status != 200:
        fail(req_id, rule, expected="HTTP 200 with the claims", actual=f"HTTP {exchange.status} {exchange.body[:300]}")
    claims = exchange.json if media == "application/json" else None
    if media == "application/jwt":
        decoded = DecodedJwt.parse(exchange.body.strip())
        claims = decoded.claims if decoded else None
    if claims is None:
        fail(req_id, f"{rule}: application/json (or application/jwt when signed) (Core §5.3.2)",
             expected="HTTP 200 with a JSON object (application/json) or a JWT (application/jwt)",
             actual=f"HTTP 200, {media or 'no Content-Type'}: {exchange.body[:120]!r}")
    return claims


def check_userinfo_subject(
    exchange: HttpExchange, sub: str, style: str, token: str = "token-endpoint"
) -> dict[str, Any]:
    """TOK-6: UserInfo (called by ``style`` with the ``token`` access token of the flow)
    answers its claims (:func:`userinfo_claims`) with the ID token's ``sub`` (Core §5.3.2).
    Returns the claims."""
    claims = userinfo_claims(exchange, "TOK-6", f"UserInfo answers the {token} access token ({style})")
    if claims.get("sub") != sub:
        fail("TOK-6", "UserInfo sub equals the ID token's sub (Core §5.3.2)", expected=sub, actual=claims.get("sub"))
    return claims


#: A challenge for the Bearer scheme among those of a ``WWW-Authenticate`` header.
_BEARER_CHALLENGE = re.compile(r"(?:^|,)\s*bearer(?:\s|,|$)", re.IGNORECASE)


def check_userinfo_refuses_invalid_token(exchange: HttpExchange) -> None:
    """TOK-6: an invalid access token is refused with a ``WWW-Authenticate: Bearer`` challenge
    (Core §5.3.3; RFC 6750 §3: the resource server MUST include it), never answered with
    claims; its status SHOULD be 401 (RFC 6750 §3.1 ``invalid_token``): a warning otherwise."""
    if 200 <= exchange.status < 300:
        fail("TOK-6", "UserInfo refuses an invalid access token (RFC 6750 §3)", expected="HTTP 401",
             actual=f"HTTP {exchange.status} {exchange.body[:120]}")
    challenge = exchange.response_headers.get("www-authenticate", "")
    if not _BEARER_CHALLENGE.search(challenge):
        fail("TOK-6", "UserInfo refuses an invalid access token with a Bearer challenge (RFC 6750 §3: MUST)",
             expected='WWW-Authenticate: Bearer error="invalid_token"',
             actual=_status_and_challenge(exchange.status, challenge))
    if exchange.status != 401:
        warn("TOK-6", "an invalid access token gets HTTP 401 (RFC 6750 §3.1 SHOULD)", expected="HTTP 401",
             actual=f"HTTP {exchange.status}")


def check_same_subject(front_channel: Mapping[str, Any], token_endpoint: Mapping[str, Any] | None) -> None:
    """IDT-5: the token-endpoint ID token has the same ``iss`` and ``sub`` as the front-channel one (Core §3.3.3.6)."""
    if token_endpoint is None:
        fail("IDT-5", "the token endpoint returns an ID token for an openid request", expected="an id_token",
             actual="none")
    for claim in ("iss", "sub"):
        if not front_channel.get(claim) or front_channel.get(claim) != token_endpoint.get(claim):
            fail("IDT-5", f"{claim} is the same in both ID tokens (Core §3.3.3.6)",
                 expected=front_channel.get(claim), actual=token_endpoint.get(claim))
