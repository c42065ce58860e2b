"""Request objects: ``request`` (by value) and ``request_uri`` (by reference), OIDC Core §6.

Only unsigned objects are supported (``alg: none``, an empty signature; advertised as
``request_object_signing_alg_values_supported: ["none"]``); a signed or encrypted object is
refused with ``invalid_request_object``. A ``request_uri`` is fetched with a plain GET
(5 s timeout, no redirects, at most 64 KiB) and only from ``http``/``https`` URLs on this
machine's loopback (``localhost``, ``127.0.0.0/8``, ``::1``) — the tenant is a test tool
and must not be made to fetch from the network; any other URL, a failed fetch or an
answer other than 200 is ``invalid_request_uri``. A ``#fragment`` of the request_uri is
not sent (Core §6.2).

The object's members take precedence over the query parameters (Core §6.3.3), so a
``redirect_uri`` given only inside it is honoured (and then exact-matched like any other).
``client_id`` and ``response_type`` must be sent outside as well and, where the object
has them, be equal (Core §6.1; ``response_type`` compared as a set, MRT §3).
"""

from __future__ import annotations

import ipaddress
import json
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
import jwt

SIGNING_ALGS = ("none",)
FETCH_TIMEOUT_S = 5.0
MAX_OBJECT_BYTES = 64 * 1024
# JWT claims of the object itself, not authorization parameters (RFC 7519 §4.1).
_JWT_CLAIMS = frozenset({"iss", "aud", "exp", "iat", "nbf", "jti"})


@dataclass(frozen=True)
class RequestObjectError:
    """Why the request object cannot be used: sent to the client by the response mode."""

    error: str  # invalid_request_object | invalid_request_uri | invalid_request
    description: str


def apply_request_object(values: dict[str, str]) -> tuple[dict[str, str], RequestObjectError | None]:
    """The authorization parameters after the request object of ``values`` (Core §6.3).

    Without ``request`` / ``request_uri``: ``values`` unchanged. With one: the outer
    parameters overridden by the object's, and no error; or, when the object cannot be
    used, the outer parameters and the error.
    """
    if "request" not in values and "request_uri" not in values:
        return values, None
    outer = {name: value for name, value in values.items() if name not in ("request", "request_uri")}
    inner = _object_parameters(values)
    if isinstance(inner, RequestObjectError):
        return outer, inner
    for name in ("client_id", "response_type"):
        if name not in outer:
            return outer, RequestObjectError("invalid_request", f"{name} must also be sent as a query parameter "
                                                                f"beside the request object (Core 6.1).")
    if inner.get("client_id", outer["client_id"]) != outer["client_id"]:
        return outer, RequestObjectError("invalid_request_object", "client_id in the request object differs.")
    if set(inner.get("response_type", outer["response_type"]).split()) != set(outer["response_type"].split()):
        return outer, RequestObjectError("invalid_request_object", "response_type in the request object differs.")
    return {**outer, **inner}, None


def _object_parameters(values: dict[str, str]) -> dict[str, str] | RequestObjectError:
    if "request" in values and "request_uri" in values:
        return RequestObjectError("invalid_request", "Send request or request_uri, not both.")
    token = values.get("request")
    if token is None:
        token = fetch_request_uri(values["request_uri"])
        if isinstance(token, RequestObjectError):
            return token
    claims = decode_unsigned(token)
    if isinstance(claims, RequestObjectError):
        return claims
    if "request" in claims or "request_uri" in claims:
        return RequestObjectError("invalid_request_object", "A request object must not hold request or request_uri.")
    if isinstance(claims.get("exp"), (int, float)) and claims["exp"] < time.time():
        return RequestObjectError("invalid_request_object", "The request object has expired.")
    parameters = {name: _as_parameter(value) for name, value in claims.items() if name not in _JWT_CLAIMS}
    return {name: value for name, value in parameters.items() if value not in (None, "")}


def decode_unsigned(token: str) -> dict[str, Any] | RequestObjectError:
    """The claims of an unsigned JWT (``alg: none``, empty signature, RFC 7519 §6)."""
    token = token.strip()
    try:
        alg = jwt.get_unverified_header(token).get("alg")
    except jwt.PyJWTError:
        return RequestObjectError("invalid_request_object", "The request object is not a JWT.")
    if alg not in SIGNING_ALGS:
        return RequestObjectError("invalid_request_object", f"Request objects with alg {alg} are not supported; "
                                                            f"only unsigned ones (alg none).")
    if token.count(".") != 2 or not token.endswith("."):
        return RequestObjectError("invalid_request_object", "An unsigned request object has an empty signature.")
    try:
        return jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return RequestObjectError("invalid_request_object", "The request object claims are not a JSON object.")


def fetch_request_uri(uri: str) -> str | RequestObjectError:
    """GET the request object at ``uri`` (loopback http/https only)."""
    parts = urlsplit(uri)
    if parts.scheme not in ("http", "https") or not _is_loopback(parts.hostname):
        return RequestObjectError("invalid_request_uri", "Only http(s) request_uri values on the loopback "
                                                         "interface (localhost, 127.0.0.1, ::1) are fetched.")
    try:
        with httpx.Client(timeout=FETCH_TIMEOUT_S, follow_redirects=False, trust_env=False) as http:
            response = http.get(parts._replace(fragment="").geturl())
    except httpx.HTTPError as failure:
        return RequestObjectError("invalid_request_uri", f"The request_uri could not be fetched "
                                                         f"({type(failure).__name__}).")
    if response.status_code != 200:
        return RequestObjectError("invalid_request_uri", f"The request_uri answered HTTP {response.status_code}.")
    if len(response.content) > MAX_OBJECT_BYTES:
        return RequestObjectError("invalid_request_uri", "The request object is too large.")
    return response.text


def _is_loopback(host: str | None) -> bool:
    if host is None:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _as_parameter(value: Any) -> str | None:
    """A JSON member as an authorization parameter string (``claims`` stays JSON, Core §6.1)."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return json.dumps(value, separators=(",", ":"))
