"""Hand-made evidence for the checks' unit tests: good responses, and ways to break them."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import urlencode, urlsplit

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from jwt.utils import base64url_encode

from hybridcheck.checks.base import RequirementFailure
from hybridcheck.evidence import (
    AuthorizationRequest,
    AuthorizationResponse,
    BrowserRequest,
    BrowserResponse,
    CallbackHit,
    Channel,
    DecodedJwt,
    HttpExchange,
    TokenResponse,
    parse_form,
)
from hybridcheck.jose import left_half_hash

#: JWS alg -> the hash its c_hash/at_hash/s_hash use (Core §3.3.2.11; EdDSA: SHA-512, per the errata).
ALG_HASHES = [
    ("RS256", "sha256"), ("RS384", "sha384"), ("RS512", "sha512"),
    ("ES256", "sha256"), ("ES384", "sha384"), ("ES512", "sha512"),
    ("PS256", "sha256"), ("PS384", "sha384"), ("PS512", "sha512"),
    ("HS256", "sha256"), ("EdDSA", "sha512"),
]

ISSUER = "https://tenant.example.test/"
AUTHORIZE = "https://tenant.example.test/authorize"
CLIENT_ID = "hybridcheck-main"
REDIRECT_URI = "https://rp.example.test/callback"
CODE = "SplxlOBeZQQYbYS6WxSbIA-code"
ACCESS_TOKEN = "jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y"
NONCE = "n-0S6_WzA2Mj"
STATE = "af0ifjsldkj"
NOW = 1_700_000_000
AUTH_TIME = NOW - 30
RESPONSE_TYPES = ("code id_token", "code token", "code id_token token")
TOKEN_ENDPOINT = "https://tenant.example.test/oauth/token"
USERINFO_ENDPOINT = "https://tenant.example.test/userinfo"
REFRESH_TOKEN = "v1.MRrT-refresh-0S6_WzA2MjRlZjQ"
JSON_NO_STORE = {"content-type": "application/json", "cache-control": "no-store", "pragma": "no-cache"}


@contextmanager
def fails(req_id: str) -> Iterator[pytest.ExceptionInfo[RequirementFailure]]:
    """Expect a :class:`RequirementFailure` for ``req_id`` whose message names it."""
    with pytest.raises(RequirementFailure) as info:
        yield info
    assert {found.req_id for found in info.value.findings} == {req_id}
    assert f"[{req_id}] " in str(info.value)


@dataclass(frozen=True)
class Signer:
    """Private keys by kid, and the public JWKS of them all."""

    keys: Mapping[str, tuple[str, Any]]  # kid -> (alg, private key)
    jwks: dict[str, Any]

    def token(self, claims: Mapping[str, Any], *, kid: str = "rsa-1", headers: Mapping[str, Any] | None = None) -> str:
        alg, key = self.keys[kid]
        return jwt.encode(dict(claims), key, algorithm=alg, headers={"kid": kid, **(headers or {})})

    def decoded(self, claims: Mapping[str, Any], *, kid: str = "rsa-1") -> DecodedJwt:
        parsed = DecodedJwt.parse(self.token(claims, kid=kid))
        assert parsed is not None
        return parsed


def id_token_claims(**changes: Any) -> dict[str, Any]:
    """Valid ID token claims at :data:`NOW`; a change of ``None`` removes the claim."""
    claims: dict[str, Any] = {
        "iss": ISSUER,
        "sub": "auth0|tester",
        "aud": CLIENT_ID,
        "exp": NOW + 600,
        "iat": NOW,
        "auth_time": AUTH_TIME,
        "nonce": NONCE,
    }
    claims.update(changes)
    return {name: value for name, value in claims.items() if value is not None}


def auth_request(
    response_type: str | None = "code id_token", response_mode: str | None = None, **changes: Any
) -> AuthorizationRequest:
    return AuthorizationRequest(
        authorization_endpoint=AUTHORIZE,
        client_id=CLIENT_ID,
        redirect_uri=changes.pop("redirect_uri", REDIRECT_URI),
        response_type=response_type,
        response_mode=response_mode,
        state=changes.pop("state", STATE),
        nonce=changes.pop("nonce", NONCE),
        **changes,
    )


def good_params(signer: Signer, request: AuthorizationRequest, *, auth_time: int = AUTH_TIME) -> dict[str, str]:
    """The correct response parameters for ``request``'s response type."""
    rt = request.response_type_values
    params = {"code": CODE}
    if "token" in rt:
        params |= {"access_token": ACCESS_TOKEN, "token_type": "Bearer", "expires_in": "86400"}
    if "id_token" in rt:
        hashes = {"c_hash": left_half_hash(CODE, "RS256")}
        if "token" in rt:
            hashes["at_hash"] = left_half_hash(ACCESS_TOKEN, "RS256")
        params["id_token"] = signer.token(id_token_claims(nonce=request.nonce, auth_time=auth_time, **hashes))
    if request.state is not None:
        params["state"] = request.state
    return params


def delivered(
    request: AuthorizationRequest, params: Mapping[str, str], channel: str | None = None, **changes: Any
) -> AuthorizationResponse:
    """The evidence of ``params`` reaching the callback by ``channel`` (the request's mode by default)."""
    channel = cast(Channel, channel or request.expected_mode)
    redirect = request.redirect_uri or REDIRECT_URI
    target = urlsplit(redirect)
    encoded = urlencode(params)
    tenant_page = BrowserResponse(request.url(), 200, {"cache-control": "no-store", "content-type": "text/html"})
    callback_page = BrowserResponse(redirect, 200, {"content-type": "text/html"})
    if channel == "form_post":
        final_url = redirect
        hit = CallbackHit(
            "POST", target.path, target.query, {"content-type": "application/x-www-form-urlencoded"}, encoded
        )
        hop = BrowserRequest("POST", redirect, "document", post_data=encoded)
        fields: dict[str, Any] = {"form": dict(params), "browser_responses": (tenant_page, callback_page)}
    else:
        separator = {"fragment": "#", "query": "&" if target.query else "?"}[channel]
        final_url = f"{redirect}{separator}{encoded}"
        callback_url = final_url.split("#")[0]
        hit = CallbackHit("GET", target.path, urlsplit(callback_url).query, {})
        hop = BrowserRequest("GET", callback_url, "document", redirected_from=request.url())
        fields = {channel: dict(params), "browser_responses": (callback_page,)}
    fields |= {
        "query": parse_form(urlsplit(final_url).query),
        "browser_requests": (BrowserRequest("GET", request.url(), "document"), hop),
        "callback_hits": (hit,),
        "raw_channel": encoded,
        **changes,
    }
    return AuthorizationResponse(request=request, channel=channel, params=dict(params), final_url=final_url, **fields)


def stayed_at_tenant(request: AuthorizationRequest, **changes: Any) -> AuthorizationResponse:
    """The evidence of a browser that never left the tenant (an error page)."""
    url = f"{AUTHORIZE}?error=invalid_request"
    fields: dict[str, Any] = {
        "browser_requests": (BrowserRequest("GET", request.url(), "document"),),
        "browser_responses": (BrowserResponse(request.url(), 400, {"content-type": "text/html"}),),
        "page_text": "Oops! invalid_request: something went wrong",
    }
    fields |= changes
    return AuthorizationResponse(request=request, channel="none", params={}, final_url=url, **fields)


def good_response(
    signer: Signer, response_type: str = "code id_token", response_mode: str | None = None, **request_changes: Any
) -> AuthorizationResponse:
    request = auth_request(response_type, response_mode, **request_changes)
    return delivered(request, good_params(signer, request))


def with_params(resp: AuthorizationResponse, **changes: str | None) -> AuthorizationResponse:
    """``resp`` re-delivered with parameters changed; ``None`` removes one."""
    params = {**resp.params, **changes}
    return delivered(resp.request, {k: v for k, v in params.items() if v is not None}, resp.channel)


def error_response(
    request: AuthorizationRequest, error: str = "invalid_request", channel: str | None = None, **extra: str
) -> AuthorizationResponse:
    """An error delivered to the callback, carrying the request's state."""
    params = {"error": error, **extra}
    if request.state is not None:
        params["state"] = request.state
    return delivered(request, params, channel)


def segments(header: dict[str, Any], claims: dict[str, Any]) -> bytes:
    """The JWS signing input of ``header`` and ``claims``."""
    return base64url_encode(json.dumps(header).encode()) + b"." + base64url_encode(json.dumps(claims).encode())


def forge(
    header: dict[str, Any],
    signer: Signer,
    *,
    resign_with: str | None = None,
    signature: Callable[[bytes], bytes] | None = None,
) -> str:
    """A token with ``header``: re-signed with a kid's key, or signed by ``signature(signing_input)``."""
    claims = id_token_claims()
    if resign_with:
        alg, key = signer.keys[resign_with]
        return jwt.encode(claims, key, algorithm=alg, headers=header)
    signing_input = segments(header, claims)
    return (signing_input + b"." + base64url_encode(signature(signing_input) if signature else b"")).decode()


def hmac_with_public_key(signer: Signer) -> Callable[[bytes], bytes]:
    """The key-confusion forgery: HS256 keyed with the RSA public key's PEM bytes."""
    pem = (
        signer.keys["rsa-1"][1]
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    return lambda signing_input: hmac.new(pem, signing_input, hashlib.sha256).digest()


def tampered(signer: Signer) -> str:
    """A good token whose payload was swapped after signing."""
    header, _, signature = signer.token(id_token_claims()).split(".")
    other = base64url_encode(json.dumps(id_token_claims(sub="someone-else")).encode()).decode()
    return f"{header}.{other}.{signature}"


def exchange(
    body: Any,
    *,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
    url: str = TOKEN_ENDPOINT,
    method: str = "POST",
) -> HttpExchange:
    """A back-channel answer (lower-case header names, as the flows record them): ``body`` is
    sent as JSON, or as is when it is a ``str``; headers default to JSON with ``no-store``."""
    text = body if isinstance(body, str) else json.dumps(body)
    return HttpExchange(method, url, {}, {}, status, dict(JSON_NO_STORE if headers is None else headers), text)


def token_body(**changes: Any) -> dict[str, Any]:
    """A valid token-endpoint success body (OAuth §5.1); a change of ``None`` removes a member."""
    body: dict[str, Any] = {"access_token": ACCESS_TOKEN, "token_type": "Bearer", "expires_in": 86400}
    body.update(changes)
    return {name: value for name, value in body.items() if value is not None}


def token_response(
    body: Any = None, *, status: int = 200, headers: Mapping[str, str] | None = None
) -> TokenResponse:
    """A token-endpoint answer; ``body`` defaults to :func:`token_body`."""
    return TokenResponse(exchange(token_body() if body is None else body, status=status, headers=headers))


def oauth_error(error: str, *, status: int = 400, **extra: Any) -> TokenResponse:
    """A token-endpoint error answer (OAuth §5.2) with ``extra`` members beside ``error``."""
    return token_response({"error": error, "error_description": f"{error} (test)", **extra}, status=status)
