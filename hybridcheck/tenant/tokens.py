"""Minting ID tokens (Core §2, §3.3.2.11) and access tokens (Auth0 shape).

The callers decide *which* tokens a response carries and with which nonce; this module
decides what is *in* them.
"""

from __future__ import annotations

import time
from typing import Any

from hybridcheck.tenant.claims import claims_for_scope, full_hash, left_half_hash, requested_claims
from hybridcheck.tenant.context import Tenant
from hybridcheck.tenant.keys import ALGORITHM, sign_unsecured
from hybridcheck.tenant.store import AccessTokenRecord, Grant, new_secret_value

ID_TOKEN_LIFETIME_S = 3600
ACCESS_TOKEN_LIFETIME_S = 86400
# A second audience for the aud_list_without_azp defect.
OTHER_AUDIENCE = "https://other-audience.hybridcheck.invalid/"


def issue_access_token(tenant: Tenant, grant: Grant, scope: tuple[str, ...]) -> tuple[str, int]:
    """An access token for ``scope`` and its lifetime in seconds; recorded for /userinfo.

    With an ``audience`` it is a JWT like Auth0's: ``aud`` = [API, issuer + "userinfo"]
    (the second only when ``openid`` is granted), ``azp``, ``scope``, ``org_id``, plus the
    configured access-token custom claims. Without an audience it is an opaque string.
    """
    now = int(time.time())
    if grant.audience and not tenant.has_defect("audience_ignored"):
        audience: str | list[str] = grant.audience
        if "openid" in scope:
            audience = [grant.audience, tenant.endpoint("userinfo")]
        claims: dict[str, Any] = {
            "iss": tenant.issuer, "sub": grant.sub, "aud": audience, "azp": grant.client_id,
            "scope": " ".join(scope), "iat": now, "exp": now + ACCESS_TOKEN_LIFETIME_S,
            "jti": new_secret_value(),
        }
        if grant.organization:
            claims["org_id"] = grant.organization
        claims.update(tenant.config.access_token_claims)
        token = tenant.keys.sign(claims)
    else:
        token = new_secret_value()
    tenant.store.add_access_token(AccessTokenRecord(token=token, grant_id=grant.id, scope=scope,
                                                    expires_at=now + ACCESS_TOKEN_LIFETIME_S))
    return token, ACCESS_TOKEN_LIFETIME_S


def code_hash(tenant: Tenant, code: str) -> str:
    """``c_hash`` (Core §3.3.2.11): left half of SHA-256 for RS256."""
    if tenant.has_defect("c_hash_sha512"):
        return left_half_hash(code, "RS512")
    if tenant.has_defect("c_hash_full_digest"):
        return full_hash(code, ALGORITHM)
    return left_half_hash(code, ALGORITHM)


def issue_id_token(tenant: Tenant, grant: Grant, *, scope: tuple[str, ...], nonce: str | None,
                   code: str | None = None, access_token: str | None = None,
                   front_channel: bool = False) -> str:
    """An ID token for ``grant`` (Core §2).

    ``auth_time`` always (Auth0 does); ``nonce`` when given; ``c_hash`` / ``at_hash`` for
    the code / access token issued beside it; ``org_id`` for an organization; the standard
    claims of ``scope`` and those the ``claims`` parameter asked for in ``id_token`` (Core
    §5.5); then the configured custom claims (Auth0 Action setCustomClaim).
    """
    now = int(time.time())
    claims: dict[str, Any] = {"iss": tenant.issuer, "sub": grant.sub, "aud": grant.client_id,
                              "iat": now, "exp": now + ID_TOKEN_LIFETIME_S}
    if tenant.has_defect("iss_without_trailing_slash"):
        claims["iss"] = tenant.issuer.rstrip("/")
    if tenant.has_defect("aud_list_without_azp"):
        claims["aud"] = [grant.client_id, OTHER_AUDIENCE]
    if tenant.has_defect("id_token_expired"):
        claims["exp"] = now - 600
    if not tenant.has_defect("auth_time_missing"):
        claims["auth_time"] = grant.auth_time
    if nonce is not None:
        claims["nonce"] = nonce
    if code is not None:
        claims["c_hash"] = code_hash(tenant, code)
    if access_token is not None:
        claims["at_hash"] = left_half_hash(access_token, ALGORITHM)
    if grant.organization:
        claims["org_id"] = grant.organization
    user = tenant.user(grant.sub)
    claims.update(claims_for_scope(tenant.config, user, scope))
    for name, value in requested_claims(user, grant.id_token_claims).items():  # Core §5.5
        claims.setdefault(name, value)
    if not tenant.has_defect("custom_claim_missing"):
        claims.update(tenant.config.id_token_claims)
    return _sign_id_token(tenant, claims, front_channel=front_channel)


def _sign_id_token(tenant: Tenant, claims: dict[str, Any], *, front_channel: bool) -> str:
    """RS256 with the first JWKS key and its ``kid`` (Core §10.1).

    Fault ``id_token_not_jwt``: an opaque string instead (Core §2 requires a JWT), for
    both channels, since every ID token is minted here.
    """
    if tenant.has_fault("id_token_not_jwt"):
        return new_secret_value()
    if front_channel and tenant.has_defect("alg_none_id_token"):
        return sign_unsecured(claims)
    if tenant.has_defect("id_token_wrong_key"):
        return tenant.keys.sign_with_foreign_key(claims)
    if tenant.has_defect("kid_not_in_jwks"):
        return tenant.keys.sign(claims, kid="kid-not-in-jwks")
    return tenant.keys.sign(claims)
