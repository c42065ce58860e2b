"""The token endpoint ``/oauth/token``: OAuth §3.2, §4.1.3 (code), §6 (refresh), §5 (responses).

Client authentication: ``client_secret_post`` or ``client_secret_basic`` (OAuth §2.3.1,
the id and secret form-encoded before Base64). Every answer is JSON with
``Cache-Control: no-store`` and ``Pragma: no-cache`` (OAuth §5.1).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import time
from dataclasses import replace
from typing import Any
from urllib.parse import unquote, unquote_plus, urlsplit, urlunsplit

import jwt
from jwt.utils import base64url_encode
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response

from hybridcheck.tenant.claims import split_scope
from hybridcheck.tenant.config import ClientConfig
from hybridcheck.tenant.context import Tenant
from hybridcheck.tenant.faults import HUGE_RESPONSE_BYTES
from hybridcheck.tenant.responses import NO_STORE, json_response
from hybridcheck.tenant.store import CodeRecord, Grant
from hybridcheck.tenant.tokens import issue_access_token, issue_id_token

_CODE_VERIFIER = re.compile(r"[A-Za-z0-9\-._~]{43,128}")  # RFC 7636 §4.1
LATE_REPLAY_S = 30.0  # the code_replay_allowed_after_30s defect forgets codes used this long ago


class OAuthError(Exception):
    """An error response of the token endpoint (OAuth §5.2)."""

    def __init__(self, error: str, description: str, status_code: int = 400,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description
        self.status_code = status_code
        self.headers = headers or {}


def token_endpoint(tenant: Tenant, authorization: str | None, items: list[tuple[str, str]]) -> Response:
    """Handle one POST to ``/oauth/token``; ``items`` is the form body as sent.

    A parameter without a value counts as omitted (OAuth §3.1).
    """
    items = [(name, value) for name, value in items if value != ""]
    form = dict(items)
    try:
        if len(form) != len(items):  # OAuth §3.2: parameters MUST NOT be included more than once
            raise OAuthError("invalid_request", "A parameter was sent more than once.")
        client = authenticate_client(tenant, authorization, form)
        grant_type = form.get("grant_type")
        if grant_type == "authorization_code":
            body = exchange_code(tenant, client, form)
        elif grant_type == "refresh_token":
            body = refresh(tenant, client, form)
        elif not grant_type:
            raise OAuthError("invalid_request", "Missing required parameter: grant_type")
        else:
            raise OAuthError("unsupported_grant_type", f"Unsupported grant type: {grant_type}")
    except OAuthError as failure:
        return _error(tenant, failure)
    cacheable = grant_type == "refresh_token" and tenant.has_defect("refresh_response_cacheable")
    return _success(tenant, body, cacheable=cacheable)


#: Errors whose status another requirement judges itself (TOK-4: invalid_client's 401;
#: REF-5: invalid_scope's 400), left alone by ``token_errors_403`` so it breaks TOK-1 only.
_STATUS_JUDGED_ELSEWHERE = frozenset({"invalid_client", "invalid_scope"})


def _error(tenant: Tenant, failure: OAuthError) -> Response:
    """OAuth §5.2: a JSON error body, HTTP 400 (401 for a failed client authentication).

    ``token_errors_403``: 403 instead of 400 (as Auth0 answers ``invalid_grant``);
    ``token_error_not_json``: the status kept, the body a plain-text line.
    """
    status = failure.status_code
    if tenant.has_defect("token_errors_403") and failure.error not in _STATUS_JUDGED_ELSEWHERE:
        status = 403
    if tenant.config.auth0_mode and failure.error == "invalid_grant":  # Auth0's documented 403
        status = 403
    if tenant.has_defect("token_error_not_json"):
        return PlainTextResponse(f"{failure.error}: {failure.description}", status, {**NO_STORE, **failure.headers})
    return json_response({"error": failure.error, "error_description": failure.description}, status, failure.headers)


def _success(tenant: Tenant, body: dict[str, Any], *, cacheable: bool = False) -> Response:
    """The successful answer (OAuth §5.1: ``application/json``, never cached), or a fault's
    malformed one; ``cacheable`` (the ``refresh_response_cacheable`` defect) drops
    ``Cache-Control: no-store`` and ``Pragma: no-cache``.

    ``token_response_not_json``: a 200 HTML page. ``huge_response``: the JSON padded to
    5 MB by an extra member (OAuth §5.1 lets a client ignore unknown members). The token
    endpoint is where size matters most to the suite: its answers go through the back
    channel, become the evidence of every test that exchanges a code, and are redacted
    and attached to the reports — discovery, by contrast, is read once per run.
    """
    if tenant.has_fault("token_response_not_json"):
        return HTMLResponse("<!doctype html><title>Maintenance</title><p>Back soon.</p>", headers=NO_STORE)
    if tenant.has_fault("huge_response"):
        body = {**body, "padding": "x" * HUGE_RESPONSE_BYTES}
    if cacheable:
        return JSONResponse(body)
    return json_response(body)


# --- client authentication (OAuth §2.3.1) -----------------------------------------
def authenticate_client(tenant: Tenant, authorization: str | None, form: dict[str, str]) -> ClientConfig:
    """The authenticated client, or ``invalid_client`` (401; ``WWW-Authenticate`` for Basic)."""
    scheme, _, credentials = (authorization or "").partition(" ")
    basic = scheme.lower() == "basic"
    challenge = {"WWW-Authenticate": 'Basic realm="oauth"'} if basic else {}
    if tenant.has_defect("basic_auth_401_without_www_authenticate"):
        challenge = {}
    denied = OAuthError("invalid_client", "Client authentication failed.", 401, challenge)
    if basic:
        if "client_secret" in form:
            raise OAuthError("invalid_request", "Use one client authentication method, not two.")
        try:
            decoded = base64.b64decode(credentials.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise denied from None
        raw_id, colon, raw_secret = decoded.partition(":")
        if not colon:
            raise denied
        client_id, secret = unquote_plus(raw_id), unquote_plus(raw_secret)
        if form.get("client_id", client_id) != client_id:
            raise OAuthError("invalid_request", "client_id differs from the Basic credentials.")
    else:
        client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
    client = tenant.client(client_id)
    if client is None:
        raise denied
    if not hmac.compare_digest(client.client_secret.encode(), secret.encode()) and not _secret_unchecked(tenant, form):
        raise denied
    return client


def _secret_unchecked(tenant: Tenant, form: dict[str, str]) -> bool:
    """Never, when correct. Two defects: any grant (``client_secret_unchecked``), or only
    ``grant_type=refresh_token`` (``wrong_secret_accepted_on_refresh``) (TOK-4)."""
    if tenant.has_defect("client_secret_unchecked"):
        return True
    return form.get("grant_type") == "refresh_token" and tenant.has_defect("wrong_secret_accepted_on_refresh")


# --- grant_type=authorization_code (OAuth §4.1.3, Core §3.1.3) ----------------------
def exchange_code(tenant: Tenant, client: ClientConfig, form: dict[str, str]) -> dict[str, Any]:
    """Redeem a code once: tokens for its grant. A replay revokes what the code issued (§10.5).

    Used codes are remembered for good, so a replay is refused and revokes the grant
    however late it comes, even after the code's lifetime (SESS-9; OIDF codereuse-30seconds).
    """
    store = tenant.store
    code = form.get("code")
    if not code:
        raise OAuthError("invalid_request", "Missing required parameter: code")
    record = store.code(code)
    if record is None or (record.used_at is None and record.expires_at < time.time()):
        raise OAuthError("invalid_grant", "Invalid authorization code.")
    grant = store.grant(record.grant_id)
    if grant.client_id != client.client_id:
        raise OAuthError("invalid_grant", "The authorization code was issued to another client.")
    if store.is_revoked(grant.id):
        raise OAuthError("invalid_grant", "The authorization code was revoked.")
    if not tenant.has_defect("token_redirect_uri_unchecked"):
        _check_redirect_uri(tenant, record, form.get("redirect_uri"))
    _check_pkce(tenant, record, form.get("code_verifier"))
    first_used_at = store.consume_code(code)
    if first_used_at is not None and not _replay_tolerated(tenant, first_used_at):
        store.revoke_grant(grant.id)
        raise OAuthError("invalid_grant", "The authorization code was already used; "
                                          "the tokens it issued are revoked.")
    body = _access_token_body(tenant, grant, grant.scope)
    if "openid" in grant.scope:
        nonce = None if tenant.has_defect("token_endpoint_nonce_dropped") else grant.nonce
        body["id_token"] = issue_id_token(tenant, grant, scope=grant.scope, nonce=nonce)
        if tenant.has_defect("token_endpoint_other_sub"):  # same claims, another sub (the user lookup needs the real one)
            claims = jwt.decode(body["id_token"], options={"verify_signature": False})
            body["id_token"] = tenant.keys.sign({**claims, "sub": grant.sub + "-other"})
    if "offline_access" in grant.scope or tenant.has_defect("refresh_token_without_offline_access"):
        body["refresh_token"] = store.new_refresh_token(grant, grant.scope).token
    return body


def _replay_tolerated(tenant: Tenant, first_used_at: float) -> bool:
    """Never, when correct. Two defects: any replay (TOK-3), or a replay more than
    :data:`LATE_REPLAY_S` after the first use (SESS-9: a tenant that forgets used codes)."""
    if tenant.has_defect("code_reuse_allowed"):
        return True
    late = time.time() - first_used_at > LATE_REPLAY_S
    return late and tenant.has_defect("code_replay_allowed_after_30s")


def _check_redirect_uri(tenant: Tenant, record: CodeRecord, sent: str | None) -> None:
    """OAuth §4.1.3: identical to the authorization request's redirect_uri.

    When the request carried one, the token request must carry the same string (the one
    sent, or the same with its fragment removed, which is where the response went). When
    it carried none, an absent value or the registered one used is accepted.
    """
    if record.redirect_uri_sent is None:
        accepted = {None, record.redirect_uri}
    else:
        accepted = {record.redirect_uri_sent, record.redirect_uri}
    if sent is not None:
        accepted = {_as_compared(tenant, uri) for uri in accepted if uri is not None}
        sent = _as_compared(tenant, sent)
    if sent not in accepted:
        raise OAuthError("invalid_grant", "redirect_uri does not match the one of the authorization request.")


def _as_compared(tenant: Tenant, uri: str) -> str:
    """The redirect_uri as compared: as is, when correct (simple string comparison). Three
    defects (TOK-2): lower-cased, query removed, percent-encoding decoded."""
    if tenant.has_defect("token_endpoint_redirect_uri_case_insensitive"):
        uri = uri.lower()
    if tenant.has_defect("token_endpoint_redirect_uri_query_ignored"):
        uri = urlunsplit(urlsplit(uri)._replace(query=""))
    if tenant.has_defect("token_endpoint_redirect_uri_percent_decoded"):
        uri = unquote(uri)
    return uri


def _check_pkce(tenant: Tenant, record: CodeRecord, verifier: str | None) -> None:
    """RFC 7636 §4.6: BASE64URL(SHA256(ASCII(code_verifier))) == code_challenge."""
    if record.code_challenge is None:
        # Security BCP §2.1.1, §4.8.2: no verifier without a challenge (PKCE downgrade)
        if verifier is not None and not tenant.has_defect("pkce_downgrade_accepted"):
            raise OAuthError("invalid_grant", "code_verifier sent but the request had no code_challenge.")
        return
    if verifier is None or not _CODE_VERIFIER.fullmatch(verifier):
        raise OAuthError("invalid_grant", "A valid code_verifier is required (PKCE).")
    computed = base64url_encode(hashlib.sha256(verifier.encode("ascii")).digest()).decode("ascii")
    if not hmac.compare_digest(computed, record.code_challenge):
        raise OAuthError("invalid_grant", "code_verifier does not match the code_challenge.")


# --- grant_type=refresh_token (OAuth §6, Core §12) ---------------------------------
def refresh(tenant: Tenant, client: ClientConfig, form: dict[str, str]) -> dict[str, Any]:
    """New tokens from a refresh token, for the original scope or a subset of it."""
    store = tenant.store
    token = form.get("refresh_token")
    if not token:
        raise OAuthError("invalid_request", "Missing required parameter: refresh_token")
    record = store.refresh_token(token)
    if record is None:
        raise OAuthError("invalid_grant", "Unknown or invalid refresh token.")
    grant = store.grant(record.grant_id)
    if grant.client_id != client.client_id:
        raise OAuthError("invalid_grant", "The refresh token was issued to another client.")
    if store.is_revoked(grant.id):
        raise OAuthError("invalid_grant", "The refresh token was revoked.")
    scope = refresh_scope(tenant, record.scope, form.get("scope"))
    rotated: str | None = None
    if client.rotate_refresh_tokens:  # Security BCP §4.14.2
        if not store.retire_refresh_token(token) and not tenant.has_defect("rotation_reuse_undetected"):
            store.revoke_grant(grant.id)
            raise OAuthError("invalid_grant", "Reuse of a rotated refresh token; the token family is revoked.")
        rotated = store.new_refresh_token(grant, record.scope).token
    # refresh_reduced_scope_ignored_by_userinfo: the response says the reduced scope, the token has the original
    token_scope = record.scope if tenant.has_defect("refresh_reduced_scope_ignored_by_userinfo") else scope
    body = _access_token_body(tenant, grant, scope, token_scope=token_scope)
    if "openid" in scope:  # Core §12.2: same iss, sub, aud, auth_time; new iat; no nonce
        new_auth_time = tenant.has_defect("refresh_id_token_new_auth_time")
        refreshed = replace(grant, auth_time=int(time.time()) + 1) if new_auth_time else grant
        body["id_token"] = issue_id_token(tenant, refreshed, scope=scope, nonce=None, refresh=True)
    if rotated:
        body["refresh_token"] = rotated
    return body


def refresh_scope(tenant: Tenant, original: tuple[str, ...], asked: str | None) -> tuple[str, ...]:
    """OAuth §6: no scope → the original; a subset → exactly it; anything more → invalid_scope."""
    requested = split_scope(asked)
    if not requested:
        return original
    extra = [scope for scope in requested if scope not in original]
    if extra and tenant.has_defect("refresh_escalation_200_silent_drop"):
        return tuple(scope for scope in requested if scope in original)
    if extra and not tenant.has_defect("refresh_scope_escalation"):
        raise OAuthError("invalid_scope", f"Scope not originally granted: {' '.join(extra)}")
    if tenant.has_defect("refresh_without_scope_reduction"):
        return original
    return requested


def _access_token_body(tenant: Tenant, grant: Grant, scope: tuple[str, ...], *,
                       token_scope: tuple[str, ...] | None = None) -> dict[str, Any]:
    """OAuth §5.1: access_token, token_type, expires_in (a JSON number of seconds; a string
    with the ``expires_in_string`` defect), and the granted scope. ``token_scope`` is what
    the access token itself grants (``scope`` unless a defect says otherwise)."""
    access_token, expires_in = issue_access_token(tenant, grant, scope if token_scope is None else token_scope)
    lifetime: int | str = str(expires_in) if tenant.has_defect("expires_in_string") else expires_in
    body: dict[str, Any] = {"access_token": access_token, "token_type": "Bearer", "expires_in": lifetime}
    if scope:
        body["scope"] = " ".join(scope)
    return body
