"""Minting ID tokens (Core §2, §3.3.2.11) and access tokens (Auth0 shape).

The callers decide *which* tokens a response carries and with which nonce; this module
decides what is *in* them.
"""

from __future__ import annotations

import time
from typing import Any, Literal

from hybridcheck.tenant.claims import claims_for_scope, full_hash, left_half_hash, requested_claims
from hybridcheck.tenant.config import UserConfig
from hybridcheck.tenant.context import Tenant
from hybridcheck.tenant.keys import ALGORITHM, sign_unsecured, sign_with_secret
from hybridcheck.tenant.store import AccessTokenRecord, Grant, new_secret_value

ID_TOKEN_LIFETIME_S = 3600
ACCESS_TOKEN_LIFETIME_S = 86400
# An audience the client does not trust (defects aud_list_without_azp, token_endpoint_id_token_wrong_aud).
OTHER_AUDIENCE = "https://other-audience.hybridcheck.invalid/"

#: Where an ID token is issued: the authorization response, the code exchange or a refresh.
Channel = Literal["front_channel", "token_endpoint", "refresh"]

#: The first token-endpoint ID token of each grant, kept only for ``refresh_id_token_replayed``
#: (grant ids are random, so tenants sharing this module never collide).
_FIRST_ID_TOKENS: dict[str, str] = {}


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
            "iss": tenant.issuer, "sub": subject_of(tenant, grant), "aud": audience, "azp": grant.client_id,
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
                   front_channel: bool = False, refresh: bool = False) -> str:
    """An ID token for ``grant`` (Core §2) from the front channel, the token endpoint (the
    default) or a refresh (Core §12.2).

    ``auth_time`` always (Auth0 does); ``nonce`` when given; ``c_hash`` / ``at_hash`` for
    the code / access token issued beside it; ``org_id`` for an organization; the standard
    claims of ``scope`` and those the ``claims`` parameter asked for in ``id_token`` (Core
    §5.5); then the configured custom claims (Auth0 Action setCustomClaim).
    """
    channel: Channel = "front_channel" if front_channel else "refresh" if refresh else "token_endpoint"
    replayed = tenant.has_defect("refresh_id_token_replayed")
    if replayed and channel == "refresh":
        return _FIRST_ID_TOKENS[grant.id]
    now = int(time.time())
    claims: dict[str, Any] = {"iss": tenant.issuer, "sub": subject_of(tenant, grant), "aud": grant.client_id,
                              "iat": now, "exp": now + ID_TOKEN_LIFETIME_S}
    if tenant.has_defect("iss_without_trailing_slash"):
        claims["iss"] = tenant.issuer.rstrip("/")
    claims.update(_defective_claims(tenant, grant, channel, now))
    if not _auth_time_left_out(tenant, channel):
        claims["auth_time"] = grant.auth_time
    if nonce is not None:
        claims["nonce"] = nonce[:255] if front_channel and tenant.has_defect("nonce_mangled_long") else nonce
    if code is not None:
        claims["c_hash"] = code_hash(tenant, code)
    if access_token is not None:
        claims["at_hash"] = left_half_hash(access_token, ALGORITHM)
    elif channel != "front_channel" and tenant.has_defect("token_endpoint_at_hash_wrong"):
        claims["at_hash"] = left_half_hash(grant.id, ALGORITHM)  # the hash of no access token
    if grant.organization:
        claims["org_id"] = grant.organization
    user = tenant.user(grant.sub)
    claims.update(_scope_claims(tenant, user, scope, channel))
    for name, value in requested_claims(user, grant.id_token_claims).items():  # Core §5.5
        claims.setdefault(name, value)
    if not tenant.has_defect("custom_claim_missing"):
        claims.update(tenant.config.id_token_claims)
    token = _sign_id_token(tenant, claims, channel)
    if replayed and channel == "token_endpoint":
        _FIRST_ID_TOKENS.setdefault(grant.id, token)
    return token


def subject_of(tenant: Tenant, grant: Grant) -> str:
    """The ``sub`` the tenant shows for ``grant`` in its tokens and UserInfo: the user's;
    ``sub_changes_between_flows``: one per grant, so a flow is consistent in itself and only
    a second flow of the same user shows the reassignment (IDT-5)."""
    if tenant.has_defect("sub_changes_between_flows"):
        return f"{grant.sub}.{grant.id[:8]}"
    return grant.sub


def _defective_claims(tenant: Tenant, grant: Grant, channel: Channel, now: int) -> dict[str, Any]:
    """The claims a defect changes (none on the correct tenant): audiences (IDT-2), times
    (IDT-2), the refresh ID token's subject (REF-3)."""
    changed: dict[str, Any] = {}
    if tenant.has_defect("aud_list_without_azp"):
        changed["aud"] = [grant.client_id, OTHER_AUDIENCE]
    if channel == "token_endpoint" and tenant.has_defect("token_endpoint_id_token_wrong_aud"):
        changed |= {"aud": [grant.client_id, OTHER_AUDIENCE], "azp": grant.client_id}
    if tenant.has_defect("id_token_expired"):
        changed["exp"] = now - 600
    if tenant.has_defect("id_token_exp_before_iat"):
        changed["exp"] = now - 1  # inside any clock-skew leeway: only "exp after iat" sees it
    if tenant.has_defect("id_token_iat_stale"):
        changed["iat"] = now - 3600
    if tenant.has_defect("id_token_nbf_future"):
        changed["nbf"] = now + 3600
    if channel == "refresh" and tenant.has_defect("refresh_id_token_wrong_sub"):
        changed["sub"] = grant.sub + "-refreshed"
    return changed


def _auth_time_left_out(tenant: Tenant, channel: Channel) -> bool:
    """Never, when correct (Auth0 always sends ``auth_time``). ``auth_time_missing``: from
    every ID token; ``auth_time_missing_token_endpoint``: from the token endpoint's (SESS-4)."""
    if tenant.has_defect("auth_time_missing"):
        return True
    return channel == "token_endpoint" and tenant.has_defect("auth_time_missing_token_endpoint")


#: The standard claim a SESS-6 defect gives a wrong value, and that value.
_WRONG_CLAIM = ("email", "someone-else@hybridcheck.invalid")


def _scope_claims(tenant: Tenant, user: UserConfig, scope: tuple[str, ...], channel: Channel) -> dict[str, Any]:
    """The standard claims of ``scope`` (Core §5.4); two defects give one a wrong value in
    the front-channel or the token-endpoint ID token only (SESS-6)."""
    released = claims_for_scope(tenant.config, user, scope)
    wrong = {"front_channel": tenant.has_defect("front_channel_claim_wrong"),
             "token_endpoint": tenant.has_defect("token_endpoint_claim_wrong")}.get(channel, False)
    name, value = _WRONG_CLAIM
    if wrong and name in released:
        released[name] = value
    return released


def _sign_id_token(tenant: Tenant, claims: dict[str, Any], channel: Channel) -> str:
    """RS256 with the first JWKS key and its ``kid`` (Core §10.1).

    Fault ``id_token_not_jwt``: an opaque string instead (Core §2 requires a JWT), for
    every channel, since every ID token is minted here.
    """
    if tenant.has_fault("id_token_not_jwt"):
        return new_secret_value()
    if tenant.has_misconfiguration("id_token_hs256"):  # Auth0's HS256 option: the client secret is the key
        client = tenant.client(claims["aud"] if isinstance(claims["aud"], str) else claims["aud"][0])
        return sign_with_secret(claims, client.client_secret if client else "")
    if channel == "front_channel" and tenant.has_defect("alg_none_id_token"):
        return sign_unsecured(claims)
    if tenant.has_defect("id_token_wrong_key"):
        return tenant.keys.sign_with_foreign_key(claims)
    if channel == "token_endpoint" and tenant.has_defect("token_endpoint_id_token_bad_signature"):
        return tenant.keys.sign_with_foreign_key(claims)
    if tenant.has_defect("kid_not_in_jwks"):
        return tenant.keys.sign(claims, kid="kid-not-in-jwks")
    return tenant.keys.sign(claims)
