"""Preconditions on the shape of what a tenant returns: JSON token responses, JWT ID tokens.

A test that needs an ID token's claims or a token response's members fails here, under its
own requirement ID, with what was malformed — not later with "no nonce claim" computed
from an empty dict, or an ``AttributeError`` on ``None``. The values themselves are never
shown (they are credentials): only their shape.
"""

from __future__ import annotations

from hybridcheck.checks.base import fail
from hybridcheck.checks.response import check_flow_succeeded
from hybridcheck.evidence import AuthorizationResponse, CompletedFlow, DecodedJwt, TokenResponse

#: How much of a non-JSON body a message shows (an HTML error page is recognisable by then).
_BODY_SHOWN = 120


def jwt_shape(raw: str) -> str:
    """What a string that should be a JWT looks like, without showing it."""
    parts = raw.split(".")
    return f"a string of {len(raw)} characters in {len(parts)} dot-separated part(s)"


def id_token_of(raw: object, req_id: str, where: str) -> DecodedJwt:
    """The ID token ``raw`` found in ``where``, decoded; a precise failure when absent or not a JWT.

    Core §2: the ID Token is a JWT; §3.3.2.5 / §3.1.3.3: it is returned as ``id_token``.
    A JWS in compact serialization is three base64url parts whose first two are JSON
    objects (RFC 7515 §7.1, RFC 7519 §7.2).
    """
    rule = f"the id_token in {where} is a JWT"
    if not isinstance(raw, str) or not raw:
        fail(req_id, rule, expected="an id_token", actual=f"id_token {raw!r}" if raw is not None else "no id_token",
             source="Core §2, §3.1.3.3, §3.3.2.5")
    decoded = DecodedJwt.parse(raw)
    if decoded is None:
        fail(req_id, rule, expected="a JWT: three base64url parts, a JSON header and JSON claims",
             actual=f"not a JWT: {jwt_shape(raw)}", source="Core §2; RFC 7519 §7.2")
    return decoded


def front_channel_id_token(resp: AuthorizationResponse, req_id: str) -> DecodedJwt:
    """The ID token of a successful authorization response (the flow itself checked first)."""
    check_flow_succeeded(resp, req_id)
    return id_token_of(resp.params.get("id_token"), req_id, "the authorization response")


def check_token_response_is_json(response: TokenResponse, req_id: str) -> None:
    """A successful (200) token response is a JSON object (OAuth §5.1: ``application/json``).
    Error answers are left to the test that expects them."""
    exchange = response.exchange
    if exchange.status != 200:
        return
    if exchange.json is None:
        media = exchange.response_headers.get("content-type", "no Content-Type")
        start = exchange.body[:_BODY_SHOWN] + ("…" if len(exchange.body) > _BODY_SHOWN else "")
        fail(req_id, f"the token response from {exchange.url} is JSON", source="OAuth §5.1",
             expected="a JSON object (application/json)",
             actual=f"not JSON: HTTP 200, {media}, {len(exchange.body)} characters: {start!r}")


def check_token_response_usable(response: TokenResponse, req_id: str) -> None:
    """A successful token response is JSON (:func:`check_token_response_is_json`) and its
    ``id_token``, when present, is a JWT (Core §3.1.3.3)."""
    check_token_response_is_json(response, req_id)
    if response.exchange.status == 200 and "id_token" in response.body:
        id_token_of(response.body["id_token"], req_id, f"the token response from {response.exchange.url}")


def check_completed_flow_usable(flow: CompletedFlow, req_id: str) -> None:
    """The precondition of every test that reads a completed flow: a front-channel
    ``id_token``, when returned, is a JWT, and the token response is usable."""
    if "id_token" in flow.authorization.params:
        id_token_of(flow.authorization.params["id_token"], req_id, "the authorization response")
    check_token_response_usable(flow.tokens, req_id)
