"""The UserInfo endpoint ``/userinfo`` (Core §5.3) with Bearer tokens (RFC 6750).

The access token comes in the ``Authorization: Bearer`` header (GET or POST, RFC 6750
§2.1) or as ``access_token`` in a form-encoded POST body (§2.2), never both. Unknown,
expired or revoked tokens get 401 with ``WWW-Authenticate: Bearer error="invalid_token"``
(§3.1). The answer is ``sub``, the standard claims of the token's scope (Core §5.4) and
the claims asked for in the ``userinfo`` member of the ``claims`` parameter (Core §5.5).
In ``auth0_limits`` mode each user has a bucket of 10 calls refilled at 5 a minute;
beyond it the answer is 429 (:mod:`hybridcheck.tenant.limits`).
"""

from __future__ import annotations

import json

from starlette.responses import PlainTextResponse, Response

from hybridcheck.tenant.claims import claims_for_scope, requested_claims
from hybridcheck.tenant.context import Tenant
from hybridcheck.tenant.limits import too_many_requests
from hybridcheck.tenant.responses import NO_STORE, json_response
from hybridcheck.tenant.tokens import subject_of

_REALM = 'Bearer realm="userinfo"'


def _bearer_error(tenant: Tenant, status_code: int, error: str, description: str) -> Response:
    """RFC 6750 §3: the error in a ``WWW-Authenticate: Bearer`` challenge (left out with the
    ``userinfo_invalid_token_without_www_authenticate`` defect) and, as Auth0 does, in JSON."""
    challenge = f'{_REALM}, error="{error}", error_description="{description}"'
    dropped = tenant.has_defect("userinfo_invalid_token_without_www_authenticate")
    headers = {} if dropped else {"WWW-Authenticate": challenge}
    return json_response({"error": error, "error_description": description}, status_code, headers)


def userinfo(tenant: Tenant, authorization: str | None, body_token: str | None) -> Response:
    """Answer one UserInfo request; ``body_token`` is the form body's ``access_token``."""
    scheme, _, header_token = (authorization or "").partition(" ")
    header_token = header_token.strip() if scheme.lower() == "bearer" else ""
    if header_token and body_token:
        return _bearer_error(tenant, 400, "invalid_request", "Send the access token once.")
    token = header_token or body_token
    if not token:
        return json_response({"error": "invalid_request", "error_description": "No access token."},
                             401, {"WWW-Authenticate": _REALM})
    record = tenant.store.valid_access_token(token)
    never_issued = record is None and not tenant.store.is_issued_access_token(token)
    if never_issued and tenant.has_defect("userinfo_invalid_token_200"):
        return json_response({"error": "invalid_token"})
    front_channel = tenant.store.is_front_channel(token)
    if record is None or (front_channel and tenant.has_defect("userinfo_front_channel_token_refused")):
        return _bearer_error(tenant, 401, "invalid_token", "The access token is invalid, expired or revoked.")
    if "openid" not in record.scope:
        return _bearer_error(tenant, 403, "insufficient_scope", "The access token lacks the openid scope.")
    grant = tenant.store.grant(record.grant_id)
    limit_headers: dict[str, str] = {}
    if tenant.userinfo_limits is not None:
        allowed, limit_headers = tenant.userinfo_limits.take(grant.sub)
        if not allowed:
            return too_many_requests("/userinfo", limit_headers)
    user = tenant.user(grant.sub)
    sub = f"auth0|{grant.sub}" if tenant.has_defect("userinfo_sub_mismatch") else subject_of(tenant, grant)
    claims = {"sub": sub, **claims_for_scope(tenant.config, user, record.scope)}
    for name, value in requested_claims(user, grant.userinfo_claims).items():
        claims.setdefault(name, value)
    if tenant.has_defect("userinfo_not_json"):
        return PlainTextResponse(json.dumps(claims), headers={**NO_STORE, **limit_headers})
    return json_response(claims, headers=limit_headers)
