"""Scopes, the claims they release, and the token hashes of ID tokens.

Standard scopes and their claims: OIDC Core §5.4. ``c_hash`` / ``at_hash``: Core
§3.3.2.11 — base64url of the left half of the hash named by the ID token's alg.
"""

from __future__ import annotations

from typing import Any

import jwt
from jwt.utils import base64url_encode

from hybridcheck.tenant.config import ApiConfig, TenantConfig, UserConfig

OIDC_SCOPES = ("openid", "profile", "email", "address", "phone", "offline_access")

SCOPE_CLAIMS: dict[str, tuple[str, ...]] = {
    "profile": ("name", "family_name", "given_name", "middle_name", "nickname",
                "preferred_username", "profile", "picture", "website", "gender",
                "birthdate", "zoneinfo", "locale", "updated_at"),
    "email": ("email", "email_verified"),
    "address": ("address",),
    "phone": ("phone_number", "phone_number_verified"),
}

# Claims the tenant may put in an ID token (advertised as claims_supported).
PROTOCOL_CLAIMS = ("sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "c_hash", "at_hash", "org_id")


def split_scope(value: str | None) -> tuple[str, ...]:
    """A space-separated scope as a tuple in first-seen order, duplicates removed (OAuth §3.3)."""
    return tuple(dict.fromkeys((value or "").split()))


def granted_scope(requested: tuple[str, ...], api: ApiConfig | None) -> tuple[str, ...]:
    """What the tenant grants: the OIDC scopes asked, plus the asked scopes the API defines.

    Unknown scopes are dropped silently (as Auth0 does). ``offline_access`` is dropped for
    an API that does not allow offline access (Auth0 "Allow Offline Access").
    """
    allowed = set(OIDC_SCOPES) | set(api.scopes if api else ())
    if api is not None and not api.allow_offline_access:
        allowed.discard("offline_access")
    return tuple(scope for scope in requested if scope in allowed)


def claims_for_scope(config: TenantConfig, user: UserConfig, scope: tuple[str, ...]) -> dict[str, Any]:
    """The user's standard claims released by ``scope`` (Core §5.4), for ID token and UserInfo."""
    released: dict[str, Any] = {}
    for name in scope:
        if name == "email" and config.has_defect("scope_claims_missing"):
            continue
        for claim in SCOPE_CLAIMS.get(name, ()):
            if claim in user.claims:
                released[claim] = user.claims[claim]
    return released


def hash_digest(value: str, alg: str) -> bytes:
    """The digest of the ASCII ``value`` with the hash of JWS ``alg`` (SHA-256 for RS256)."""
    return jwt.get_algorithm_by_name(alg).compute_hash_digest(value.encode("ascii"))


def left_half_hash(value: str, alg: str) -> str:
    """Core §3.3.2.11: base64url of the left-most half of the hash of the ASCII value."""
    digest = hash_digest(value, alg)
    return base64url_encode(digest[: len(digest) // 2]).decode("ascii")


def full_hash(value: str, alg: str) -> str:
    """base64url of the whole digest: only the ``c_hash_full_digest`` defect uses this."""
    return base64url_encode(hash_digest(value, alg)).decode("ascii")
