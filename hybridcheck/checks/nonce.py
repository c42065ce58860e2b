"""The ``nonce``: bound into ID tokens, required where the front channel returns one (NONCE-1 to NONCE-3)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hybridcheck.checks.base import fail
from hybridcheck.checks.response import check_flow_succeeded
from hybridcheck.checks.views import credential_sightings, describe
from hybridcheck.checks.wellformed import id_token_of
from hybridcheck.evidence import AuthorizationResponse


def check_front_channel_nonce(resp: AuthorizationResponse) -> None:
    """NONCE-1: the front-channel ID token's ``nonce`` equals the request's (Core §3.3.2.11)."""
    if "id_token" in resp.params:
        id_token_of(resp.params["id_token"], "NONCE-1", "the authorization response")
    id_token = resp.id_token
    if id_token is None:
        fail(
            "NONCE-1",
            "the front-channel ID token carries the request's nonce",
            expected="an ID token in the response",
            actual=describe(resp),
        )
    nonce = id_token.claims.get("nonce")
    if nonce != resp.request.nonce:
        fail(
            "NONCE-1",
            "the front-channel ID token carries the request's nonce",
            expected=repr(resp.request.nonce),
            actual=repr(nonce) if "nonce" in id_token.claims else "no nonce claim",
            computed_from=f"ID token claims {id_token.claims}",
        )


def check_nonce_required(resp: AuthorizationResponse) -> None:
    """NONCE-2: a request without ``nonce`` whose RT returns an ID token is refused.

    Core §3.3.2.11 (nonce REQUIRED for these response types); OIDF
    EnsureRequestWithoutNonceFails. An error to the client or at the tenant passes;
    an ID token anywhere, or a success, fails.
    """
    request = resp.request
    if request.nonce is not None or "id_token" not in request.response_type_values:
        raise ValueError("check_nonce_required needs a request without nonce whose response type has id_token")
    rule = "a request without nonce is refused when the response type returns an ID token"
    sightings = credential_sightings(resp, ("id_token",))
    if sightings:
        fail("NONCE-2", rule, expected="no ID token", actual="; ".join(sightings), source="Core §3.3.2.11")
    if resp.channel != "none" and not resp.is_error:
        fail(
            "NONCE-2",
            rule,
            expected="an error (shown at the tenant or returned)",
            actual=describe(resp),
            source="Core §3.3.2.11",
        )


def check_nonce_optional_without_id_token(resp: AuthorizationResponse) -> None:
    """NONCE-2: ``code token`` without ``nonce`` succeeds: no front-channel ID token needs one.

    Core §3.3.2.11 requires the nonce only for response types with ``id_token``; OIDF
    EnsureRequestWithoutNonceFails expects success for ``code token``.
    """
    if resp.request.nonce is not None or "id_token" in resp.request.response_type_values:
        raise ValueError("check_nonce_optional_without_id_token needs a request without nonce and without id_token")
    check_flow_succeeded(resp, "NONCE-2")


def check_token_endpoint_nonce(id_token_claims: Mapping[str, Any], sent_nonce: str) -> None:
    """NONCE-3: the token-endpoint ID token carries the nonce that was sent (Core §3.1.3.6, §2)."""
    nonce = id_token_claims.get("nonce")
    if nonce != sent_nonce:
        fail(
            "NONCE-3",
            "the token-endpoint ID token carries the nonce of the request",
            expected=repr(sent_nonce),
            actual=repr(nonce) if "nonce" in id_token_claims else "no nonce claim",
            computed_from=f"ID token claims {dict(id_token_claims)}",
        )
