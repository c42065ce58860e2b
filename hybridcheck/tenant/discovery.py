"""Provider metadata (OpenID Connect Discovery 1.0 §3) and the JWK Set at ``jwks_uri`` (Core §10.1).

``authorization_response_iss_parameter_supported`` (RFC 9207 §3) follows
``TenantConfig.authorization_response_iss``.
"""

from __future__ import annotations

from typing import Any

from hybridcheck.tenant.authorize import RESPONSE_MODES, SUPPORTED_RESPONSE_TYPES
from hybridcheck.tenant.claims import OIDC_SCOPES, PROTOCOL_CLAIMS, SCOPE_CLAIMS
from hybridcheck.tenant.context import Tenant
from hybridcheck.tenant.keys import ALGORITHM
from hybridcheck.tenant.request_object import SIGNING_ALGS

# Space-separated as advertised; the tenant compares response types as sets (MRT §3).
_RESPONSE_TYPE_ORDER = ("code", "id_token", "token")


def _advertised(response_type: frozenset[str]) -> str:
    return " ".join(value for value in _RESPONSE_TYPE_ORDER if value in response_type)


def discovery_document(tenant: Tenant) -> dict[str, Any]:
    """The document at ``/.well-known/openid-configuration``; ``issuer`` ends with ``/``."""
    issuer = tenant.issuer
    if tenant.has_defect("discovery_issuer_mismatch"):
        issuer = issuer.rstrip("/")
    api_scopes = [scope for api in tenant.config.apis for scope in api.scopes]
    standard_claims = [claim for claims in SCOPE_CLAIMS.values() for claim in claims]
    return {
        "issuer": issuer,
        "authorization_endpoint": tenant.endpoint("authorize"),
        "token_endpoint": tenant.endpoint("oauth/token"),
        "userinfo_endpoint": tenant.endpoint("userinfo"),
        "jwks_uri": tenant.endpoint(".well-known/jwks.json"),
        "response_types_supported": [_advertised(rt) for rt in SUPPORTED_RESPONSE_TYPES],
        "response_modes_supported": list(RESPONSE_MODES),
        "grant_types_supported": ["authorization_code", "implicit", "refresh_token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": [ALGORITHM],
        "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
        "scopes_supported": list(dict.fromkeys([*OIDC_SCOPES, *api_scopes])),
        "claims_supported": list(dict.fromkeys([*PROTOCOL_CLAIMS, *standard_claims])),
        "code_challenge_methods_supported": ["S256"],
        "display_values_supported": ["page", "popup"],
        "claims_parameter_supported": True,  # Core §5.5
        "request_parameter_supported": True,  # Core §6.1, unsigned only
        "request_uri_parameter_supported": True,  # Core §6.2, loopback URLs only
        "require_request_uri_registration": False,
        "request_object_signing_alg_values_supported": list(SIGNING_ALGS),
        "authorization_response_iss_parameter_supported": tenant.config.authorization_response_iss,  # RFC 9207 §3
    }


def jwks_document(tenant: Tenant) -> dict[str, Any]:
    """The JWK Set at ``/.well-known/jwks.json``: every key with its ``kid`` (Core §10.1).

    ``jwks_two_keys_one_without_kid``: the second key (not the signing one) loses its ``kid``,
    so a client cannot tell the keys apart by it (DISC-3).
    """
    document = tenant.keys.jwks()
    if tenant.has_defect("jwks_two_keys_one_without_kid"):
        document["keys"][1:2] = [{name: value for name, value in key.items() if name != "kid"}
                                 for key in document["keys"][1:2]]
    return document
