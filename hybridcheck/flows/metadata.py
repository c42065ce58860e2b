"""Fetch the provider's discovery document and JWKS (OIDC Discovery §4) as evidence.

A document that is merely wrong (a missing member, an issuer that differs) is evidence
for DISC-1 / DISC-3. One no relying party could use at all — no answer, an answer that
is not a JSON object, a discovery document without the endpoints every flow needs, a
JWKS whose ``keys`` is not an array — ends the run with one message instead, since every
test needs them: :class:`TenantUnreachable` and its :class:`MetadataUnusable`.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from hybridcheck.evidence import ProviderMetadata
from hybridcheck.flows.capped import ResponseTooLarge, request_capped

#: Discovery §3 REQUIRED members without which no test can run (Core §3.3.2: authorize, §3.1.3: token).
_NEEDED_ENDPOINTS = ("authorization_endpoint", "token_endpoint")


class TenantUnreachable(Exception):
    """The run cannot talk to the tenant: the message says why (one line, for exit code 6)."""


class MetadataUnusable(TenantUnreachable):
    """The tenant answers, but its discovery document or JWKS is unusable by any relying party."""


def discovery_url(issuer: str) -> str:
    """``issuer`` + ``/.well-known/openid-configuration`` (Discovery §4: no double slash)."""
    return issuer.rstrip("/") + "/.well-known/openid-configuration"


def _excerpt(response: httpx.Response) -> str:
    """Status, media type, size and the start of the body: what a person needs to recognise the answer."""
    text = response.text
    start = text[:80] + ("…" if len(text) > 80 else "")
    media = response.headers.get("content-type", "no Content-Type")
    return f"HTTP {response.status_code}, {media}, {len(response.content)} bytes: {start!r}"


def _get_json(client: httpx.Client, url: str, what: str) -> tuple[int, dict[str, Any]]:
    """GET ``url`` and parse a JSON object; :class:`MetadataUnusable` when it is none (RFC 8259)."""
    try:
        response = request_capped(client, "GET", url)
    except httpx.TransportError as exc:
        raise TenantUnreachable(f"tenant unreachable at {url}: {type(exc).__name__}: {exc}") from None
    except ResponseTooLarge as exc:
        raise MetadataUnusable(f"{what} at {url} is unusable: {exc}") from None
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise MetadataUnusable(f"{what} at {url} is not JSON ({exc}): {_excerpt(response)}") from None
    if not isinstance(body, dict):
        raise MetadataUnusable(f"{what} at {url} is JSON but not an object: {_excerpt(response)}")
    return response.status_code, body


def _check_discovery_usable(url: str, status: int, discovery: dict[str, Any]) -> None:
    missing = [name for name in _NEEDED_ENDPOINTS if not isinstance(discovery.get(name), str)]
    if status == 200 and not missing:
        return
    problem = f"HTTP {status}" if status != 200 else f"no {' or '.join(missing)} (Discovery §3: REQUIRED)"
    raise MetadataUnusable(f"discovery at {url} is unusable: {problem}")


def _check_jwks_usable(url: str, status: int, jwks: dict[str, Any]) -> None:
    keys = jwks.get("keys")
    if status == 200 and isinstance(keys, list) and all(isinstance(key, dict) for key in keys):
        return
    if status != 200:
        problem = f"HTTP {status}"
    elif keys is None:
        problem = "no 'keys' member (RFC 7517 §5: REQUIRED)"
    else:
        problem = f"'keys' is {json.dumps(keys)[:80]}, not an array of JWK objects (RFC 7517 §5)"
    raise MetadataUnusable(f"JWKS at {url} is unusable: {problem}")


def fetch_metadata(client: httpx.Client, issuer: str) -> ProviderMetadata:
    """GET the discovery document, then the JWKS it names. Wrong documents are evidence;
    unusable ones raise :class:`MetadataUnusable` (unreachable: :class:`TenantUnreachable`)."""
    url = discovery_url(issuer)
    status, discovery = _get_json(client, url, "discovery")
    _check_discovery_usable(url, status, discovery)
    jwks_uri = discovery.get("jwks_uri")
    jwks_status, jwks = 0, {}
    if isinstance(jwks_uri, str):
        jwks_status, jwks = _get_json(client, jwks_uri, "JWKS")
        _check_jwks_usable(jwks_uri, jwks_status, jwks)
    return ProviderMetadata(
        discovery_url=url, discovery=discovery, jwks=jwks, discovery_status=status, jwks_status=jwks_status
    )
