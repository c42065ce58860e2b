"""The login page ``/u/login`` (Auth0 Universal Login, one step), the consent page
``/u/consent`` and the SSO session cookie.

``/authorize`` parks a validated request under a transaction id (``txn``) and sends the
browser here; a correct username and password create the session (``auth_time`` = now)
and finish the parked request (Core §3.1.2.3-5). Wrong credentials show the form again.
A request with ``prompt=consent`` is finished only after the user accepts on the consent
page, as Auth0 asks (Core §3.1.2.1: "SHOULD prompt the End-User for consent"); declining
returns ``access_denied`` to the client (OAuth §4.1.2.1).
"""

from __future__ import annotations

import hmac

from starlette.responses import HTMLResponse, Response

from hybridcheck.tenant.authorize import AuthRequest, ClientError, complete, deliver_error
from hybridcheck.tenant.context import Tenant
from hybridcheck.tenant.config import UserConfig
from hybridcheck.tenant.misconfigurations import BLOCKED, BOT_CHALLENGE, WRONG_CREDENTIALS
from hybridcheck.tenant.pages import consent_page, error_response, identifier_page, login_page, mfa_page, password_page
from hybridcheck.tenant.store import Session
from hybridcheck.tenant.responses import NO_STORE

SESSION_COOKIE = "hc_session"
_UNKNOWN_TXN = "The login transaction is unknown or has expired. Start again from the application."


def _unknown_transaction(tenant: Tenant) -> Response:
    return error_response("invalid_request", _UNKNOWN_TXN, auth0=tenant.config.auth0_mode)


def show_login(tenant: Tenant, txn: str | None) -> Response:
    """GET /u/login: the form, pre-filled with ``login_hint`` (Auth0 mode: the identifier page)."""
    request: AuthRequest | None = tenant.store.pending(txn)
    if request is None or txn is None:
        return _unknown_transaction(tenant)
    page = identifier_page if tenant.config.auth0_mode else login_page
    return HTMLResponse(page(txn, username=request.login_hint or ""), headers=NO_STORE)


def submit_login(tenant: Tenant, form: dict[str, str]) -> Response:
    """POST /u/login: check the credentials, start the session, answer the parked request."""
    txn = form.get("txn", "")
    request: AuthRequest | None = tenant.store.pending(txn)
    if request is None:
        return _unknown_transaction(tenant)
    username = form.get("username", "")
    auth0 = tenant.config.auth0_mode
    if auth0 and form.get("step") == "identifier":  # New Universal Login: now the password page
        return HTMLResponse(password_page(txn, username), headers=NO_STORE)
    user = tenant.user_by_username(username)
    refusal = _refusal(tenant, user, form.get("password", ""))
    if refusal is not None:
        page = password_page(txn, username, refusal) if auth0 else login_page(txn, username=username, error=refusal)
        return HTMLResponse(page, status_code=400, headers=NO_STORE)
    if tenant.has_misconfiguration("mfa_for_test_user"):  # the challenge no browser run can answer
        return HTMLResponse(mfa_page(txn), headers=NO_STORE)
    if "consent" in request.prompt:
        response: Response = HTMLResponse(consent_page(txn, request.client_id, request.scope), headers=NO_STORE)
        session = tenant.store.new_session(user.sub)
    else:
        if tenant.store.take_pending(txn) is None:  # a concurrent submit finished it
            return _unknown_transaction(tenant)
        session = tenant.store.new_session(user.sub)
        response = complete(tenant, request, session)
    response.set_cookie(SESSION_COOKIE, session.id, httponly=True, path="/", samesite="lax")
    return response


def _refusal(tenant: Tenant, user: UserConfig | None, password: str) -> str | None:
    """Why the login is refused (Auth0's words), or None. The misconfigurations a test user can
    meet: bot detection, a blocked account, a password that is not the profile's."""
    if tenant.has_misconfiguration("bot_detection"):
        return BOT_CHALLENGE
    if user is None:
        return WRONG_CREDENTIALS
    if tenant.has_misconfiguration("test_user_blocked"):
        return BLOCKED
    expected = user.password + ("-changed" if tenant.has_misconfiguration("test_user_password_changed") else "")
    if not hmac.compare_digest(expected.encode(), password.encode()):
        return WRONG_CREDENTIALS
    return None


def show_consent(tenant: Tenant, txn: str | None) -> Response:
    """GET /u/consent: what the parked ``prompt=consent`` request asks for, Accept or Decline."""
    request: AuthRequest | None = tenant.store.pending(txn)
    if request is None or txn is None:
        return _unknown_transaction(tenant)
    return HTMLResponse(consent_page(txn, request.client_id, request.scope), headers=NO_STORE)


def submit_consent(tenant: Tenant, form: dict[str, str], session: Session | None) -> Response:
    """POST /u/consent: accepted, the parked request is answered; declined, ``access_denied``."""
    request: AuthRequest | None = tenant.store.take_pending(form.get("txn", ""))
    if request is None or session is None:
        return _unknown_transaction(tenant)
    if form.get("action") != "accept":
        return deliver_error(tenant, ClientError(request.redirect_uri, request.response_mode, "access_denied",
                                                 "The user declined.", request.state))
    return complete(tenant, request, session)
