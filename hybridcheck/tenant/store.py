"""The tenant's in-memory state: SSO sessions, pending logins, grants, codes and tokens.

One lock guards everything; every method is a short critical section, so many browsers
can use the tenant at once. Logic (what to accept, when to revoke) lives in the
endpoints; the store only keeps records and does the atomic steps (consume a code,
rotate a refresh token, revoke a grant).

A *grant* is one completed authorization: who, for which client, which scope, nonce,
audience, organization and auth_time. Codes, access tokens and refresh tokens point to
their grant, so revoking the grant revokes all of them (OAuth §4.1.2, §10.5: a replayed
code revokes what it issued; Security BCP §4.14: refresh-token reuse revokes the family).
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, replace
from typing import Any

CODE_LIFETIME_S = 600
LOGIN_TRANSACTION_LIFETIME_S = 1800


def new_secret_value() -> str:
    """A random URL-safe value for codes, tokens, session and transaction ids."""
    return secrets.token_urlsafe(32)


@dataclass(frozen=True)
class Session:
    """An SSO session (cookie ``hc_session``): the user and when they authenticated."""

    id: str
    sub: str
    auth_time: float  # epoch seconds; ID tokens carry it as an integer


@dataclass(frozen=True)
class Grant:
    """One completed authorization; every code and token points to one."""

    id: str
    client_id: str
    sub: str
    auth_time: int
    scope: tuple[str, ...]  # granted, in request order
    nonce: str | None
    audience: str | None
    organization: str | None
    id_token_claims: tuple[str, ...] = ()  # asked for by the claims parameter (Core §5.5)
    userinfo_claims: tuple[str, ...] = ()


@dataclass(frozen=True)
class CodeRecord:
    """An authorization code (OAuth §4.1.2): single use, bound to the request."""

    code: str
    grant_id: str
    redirect_uri: str  # where the response went
    redirect_uri_sent: str | None  # as sent in the request (None: omitted)
    code_challenge: str | None
    expires_at: float
    used_at: float | None = None  # first redemption (epoch seconds); the store never forgets it


@dataclass(frozen=True)
class AccessTokenRecord:
    """An issued access token (opaque or JWT), so /userinfo can check and revoke it."""

    token: str
    grant_id: str
    scope: tuple[str, ...]
    expires_at: float


@dataclass(frozen=True)
class RefreshTokenRecord:
    """A refresh token; ``scope`` is the original grant's, ``used`` marks a rotated-away one."""

    token: str
    grant_id: str
    scope: tuple[str, ...]
    used: bool = False


class Store:
    """All mutable tenant state, behind one lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sessions: dict[str, Session] = {}
        self._pending: dict[str, tuple[float, Any]] = {}
        self._grants: dict[str, Grant] = {}
        self._revoked_grants: set[str] = set()
        self._codes: dict[str, CodeRecord] = {}
        self._access_tokens: dict[str, AccessTokenRecord] = {}
        self._redeemed_grants: set[str] = set()  # grants whose code was redeemed at least once
        self._front_channel_tokens: set[str] = set()
        self._refresh_tokens: dict[str, RefreshTokenRecord] = {}

    # --- SSO sessions -------------------------------------------------------------
    def new_session(self, sub: str) -> Session:
        session = Session(id=new_secret_value(), sub=sub, auth_time=time.time())
        with self._lock:
            self._sessions[session.id] = session
        return session

    def session(self, session_id: str | None) -> Session | None:
        with self._lock:
            return self._sessions.get(session_id or "")

    # --- pending authorization requests (waiting for the login form) --------------
    def save_pending(self, request: Any) -> str:
        txn = new_secret_value()
        with self._lock:
            self._pending[txn] = (time.time() + LOGIN_TRANSACTION_LIFETIME_S, request)
        return txn

    def pending(self, txn: str | None) -> Any | None:
        with self._lock:
            expires_at, request = self._pending.get(txn or "", (0.0, None))
        return request if expires_at > time.time() else None

    def take_pending(self, txn: str) -> Any | None:
        """Remove and return a pending request; ``None`` when another caller took it first."""
        with self._lock:
            entry = self._pending.pop(txn, None)
        return entry[1] if entry else None

    # --- grants -------------------------------------------------------------------
    def new_grant(self, **fields: Any) -> Grant:
        grant = Grant(id=new_secret_value(), **fields)
        with self._lock:
            self._grants[grant.id] = grant
        return grant

    def grant(self, grant_id: str) -> Grant:
        with self._lock:
            return self._grants[grant_id]

    def revoke_grant(self, grant_id: str) -> None:
        """Revoke every code, access token and refresh token of the grant."""
        with self._lock:
            self._revoked_grants.add(grant_id)

    def is_revoked(self, grant_id: str) -> bool:
        with self._lock:
            return grant_id in self._revoked_grants

    # --- authorization codes ------------------------------------------------------
    def new_code(self, grant: Grant, *, redirect_uri: str, redirect_uri_sent: str | None,
                 code_challenge: str | None) -> CodeRecord:
        record = CodeRecord(code=new_secret_value(), grant_id=grant.id, redirect_uri=redirect_uri,
                            redirect_uri_sent=redirect_uri_sent, code_challenge=code_challenge,
                            expires_at=time.time() + CODE_LIFETIME_S)
        with self._lock:
            self._codes[record.code] = record
        return record

    def code(self, code: str) -> CodeRecord | None:
        with self._lock:
            return self._codes.get(code)

    def consume_code(self, code: str) -> float | None:
        """Mark the code used (atomic): ``None`` for the first caller, else when it was first used.

        Codes are never removed, so a replay is recognised however late it comes (SESS-9).
        """
        with self._lock:
            record = self._codes[code]
            if record.used_at is None:
                self._codes[code] = replace(record, used_at=time.time())
            self._redeemed_grants.add(record.grant_id)
            return record.used_at

    # --- access tokens ------------------------------------------------------------
    def add_access_token(self, record: AccessTokenRecord) -> None:
        """Keep an issued token; one issued before its grant's code was redeemed came from the
        authorization endpoint (Core §3.3.2.5) and is remembered as a front-channel token."""
        with self._lock:
            self._access_tokens[record.token] = record
            if record.grant_id not in self._redeemed_grants:
                self._front_channel_tokens.add(record.token)

    def is_front_channel(self, token: str) -> bool:
        """Whether ``token`` was issued by the authorization endpoint."""
        with self._lock:
            return token in self._front_channel_tokens

    def is_issued_access_token(self, token: str) -> bool:
        """Whether ``token`` was ever issued here (valid or not any more)."""
        with self._lock:
            return token in self._access_tokens

    def valid_access_token(self, token: str) -> AccessTokenRecord | None:
        """The record of a known, unexpired, unrevoked access token, else ``None``."""
        with self._lock:
            record = self._access_tokens.get(token)
            if record is None or record.grant_id in self._revoked_grants:
                return None
        return record if record.expires_at > time.time() else None

    # --- refresh tokens -----------------------------------------------------------
    def new_refresh_token(self, grant: Grant, scope: tuple[str, ...]) -> RefreshTokenRecord:
        record = RefreshTokenRecord(token=new_secret_value(), grant_id=grant.id, scope=scope)
        with self._lock:
            self._refresh_tokens[record.token] = record
        return record

    def refresh_token(self, token: str) -> RefreshTokenRecord | None:
        with self._lock:
            return self._refresh_tokens.get(token)

    def retire_refresh_token(self, token: str) -> bool:
        """Mark a refresh token used (rotation); ``True`` only for the first caller (atomic)."""
        with self._lock:
            record = self._refresh_tokens[token]
            self._refresh_tokens[token] = replace(record, used=True)
            return not record.used
