"""Fetch the provider's discovery document and JWKS (OIDC Discovery §4) as evidence."""

from __future__ import annotations

import json
from typing import Any

import httpx

from hybridcheck.evidence import ProviderMetadata


class TenantUnreachable(Exception):
    """The tenant did not answer at all: the run cannot say anything about it."""


def discovery_url(issuer: str) -> str:
    """``issuer`` + ``/.well-known/openid-configuration`` (Discovery §4: no double slash)."""
    return issuer.rstrip("/") + "/.well-known/openid-configuration"


def _get_json(client: httpx.Client, url: str) -> tuple[int, dict[str, Any]]:
    try:
        response = client.get(url)
    except httpx.TransportError as exc:
        raise TenantUnreachable(f"tenant unreachable at {url}: {type(exc).__name__}: {exc}") from None
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        body = {}
    return response.status_code, body if isinstance(body, dict) else {}


def fetch_metadata(client: httpx.Client, issuer: str) -> ProviderMetadata:
    """GET the discovery document, then the JWKS it names. Bad documents are evidence, not errors."""
    url = discovery_url(issuer)
    status, discovery = _get_json(client, url)
    jwks_uri = discovery.get("jwks_uri")
    jwks_status, jwks = _get_json(client, jwks_uri) if isinstance(jwks_uri, str) else (0, {})
    return ProviderMetadata(
        discovery_url=url, discovery=discovery, jwks=jwks, discovery_status=status, jwks_status=jwks_status
    )
