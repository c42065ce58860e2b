"""Scopes, the claims they release, the ``claims`` request parameter, and token hashes.

Standard scopes and their claims: OIDC Core §5.4. The ``claims`` parameter: Core §5.5 —
the ``id_token`` and ``userinfo`` members name individual claims (``null`` or an object
such as ``{"essential": true}``); the user's value of each is released there whatever the
scope. ``c_hash`` / ``at_hash``: Core §3.3.2.11 — base64url of the left half of the hash
named by the ID token's alg.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import jwt
from jwt.utils import base64url_encode

from hybridcheck.tenant.config import ApiConfig, TenantConfig, UserConfig

OIDC_SCOPES = ("openid", "profile", "email", "address", "phone", "offline_access")

#: Oracle: deliberately not shared with the checks (checks/session.py has its own copy of Core §5.4).
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


@dataclass(frozen=True)
class ClaimsRequest:
    """The claim names asked for by the ``claims`` parameter, per member (Core §5.5)."""

    id_token: tuple[str, ...] = ()
    userinfo: tuple[str, ...] = ()


class ClaimsRequestError(ValueError):
    """A ``claims`` value that is not the JSON Core §5.5 describes (``invalid_request``)."""


def parse_claims_request(value: str | None) -> ClaimsRequest:
    """Parse the ``claims`` parameter (a JSON object); ``ClaimsRequestError`` says what is wrong.

    Members other than ``id_token`` and ``userinfo`` are ignored (Core §5.5: unknown
    members are ignored); ``essential``, ``value`` and ``values`` are accepted and not
    enforced (an essential claim the user lacks is simply absent, Core §5.5.1).
    """
    if value is None:
        return ClaimsRequest()
    try:
        parsed = json.loads(value)
    except ValueError:
        raise ClaimsRequestError("The claims parameter is not valid JSON.") from None
    if not isinstance(parsed, dict):
        raise ClaimsRequestError("The claims parameter must be a JSON object.")
    names: dict[str, tuple[str, ...]] = {}
    for member in ("id_token", "userinfo"):
        requested = parsed.get(member) or {}
        if not isinstance(requested, dict):
            raise ClaimsRequestError(f"claims.{member} must be a JSON object.")
        for name, request in requested.items():
            if request is not None and not isinstance(request, dict):
                raise ClaimsRequestError(f"claims.{member}.{name} must be null or a JSON object.")
        names[member] = tuple(requested)
    return ClaimsRequest(**names)


def requested_claims(user: UserConfig, names: tuple[str, ...]) -> dict[str, Any]:
    """The user's values of the claims ``names`` asks for (claims the user lacks are left out)."""
    return {name: user.claims[name] for name in names if name in user.claims}


def hash_digest(value: str, alg: str) -> bytes:
    """The digest of the ASCII ``value`` with the hash of JWS ``alg`` (SHA-256 for RS256)."""
    return jwt.get_algorithm_by_name(alg).compute_hash_digest(value.encode("ascii"))


def left_half_hash(value: str, alg: str) -> str:
    """Core §3.3.2.11: base64url of the left-most half of the hash of the ASCII value.

    Oracle: deliberately not shared with the checks, which compute the half-hash themselves.
    """
    digest = hash_digest(value, alg)
    return base64url_encode(digest[: len(digest) // 2]).decode("ascii")


def full_hash(value: str, alg: str) -> str:
    """base64url of the whole digest: only the ``c_hash_full_digest`` defect uses this."""
    return base64url_encode(hash_digest(value, alg)).decode("ascii")
