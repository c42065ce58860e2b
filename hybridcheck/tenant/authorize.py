"""The authorization endpoint: OIDC Core §3.3.2 (hybrid flow) and §3.1.2 (code flow).

Read top to bottom: :func:`parse_request` validates a request in the order the specs
impose — client, request object (Core §6, :mod:`hybridcheck.tenant.request_object`) and
redirect_uri first (errors about the client and redirect_uri are shown at the tenant and
never redirected, OAuth §4.1.2.1; redirect-URI matching is in
:mod:`hybridcheck.tenant.callbacks`), then everything else (errors go back to the client
by the response mode, with ``state``). :func:`authorize` then decides whether the user
must log in (Core §3.1.2.1 ``prompt``, ``max_age``) and :func:`complete` builds the
response (Core §3.3.2.5), with the claims the ``claims`` parameter asked for (Core §5.5).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, replace
from urllib.parse import unquote, urlsplit

from starlette.responses import Response

from hybridcheck.tenant.callbacks import is_registered
from hybridcheck.tenant.claims import (
    ClaimsRequest,
    ClaimsRequestError,
    granted_scope,
    parse_claims_request,
    split_scope,
)
from hybridcheck.tenant.config import ClientConfig
from hybridcheck.tenant.context import Tenant
from hybridcheck.tenant.delivery import deliver, safe_description
from hybridcheck.tenant.misconfigurations import IMPLICIT_NOT_ALLOWED
from hybridcheck.tenant.pages import error_response, unmarked_error_response
from hybridcheck.tenant.request_object import apply_request_object
from hybridcheck.tenant.responses import redirect
from hybridcheck.tenant.store import Session, new_secret_value
from hybridcheck.tenant.tokens import issue_access_token, issue_id_token
from hybridcheck.tenant.wildcards import is_wildcard

CODE = frozenset({"code"})
CODE_ID_TOKEN = frozenset({"code", "id_token"})
CODE_TOKEN = frozenset({"code", "token"})
CODE_ID_TOKEN_TOKEN = frozenset({"code", "id_token", "token"})
SUPPORTED_RESPONSE_TYPES = (CODE, CODE_ID_TOKEN, CODE_TOKEN, CODE_ID_TOKEN_TOKEN)
TOKEN_BEARING = frozenset({"token", "id_token"})
RESPONSE_MODES = ("query", "fragment", "form_post")

# Parameters the endpoint understands or tolerates (Core §3.1.2.1, OAuth, PKCE, Auth0).
KNOWN_PARAMETERS = frozenset({
    "client_id", "redirect_uri", "response_type", "response_mode", "scope", "state", "nonce",
    "prompt", "max_age", "login_hint", "id_token_hint", "display", "ui_locales",
    "claims_locales", "acr_values", "claims", "request", "request_uri", "registration",
    "code_challenge", "code_challenge_method", "audience", "organization", "invitation",
    "connection", "screen_hint",
})

CALLBACK_MISMATCH = ("Callback URL mismatch. The provided redirect_uri is not in the list of "
                     "allowed callback URLs.")
_S256_CHALLENGE = re.compile(r"[A-Za-z0-9_-]{43}")


@dataclass(frozen=True)
class PageError:
    """An error shown at the tenant: the client or its redirect_uri cannot be trusted."""

    error: str
    description: str
    status: int = 400


@dataclass(frozen=True)
class ClientError:
    """An error sent back to the client's redirect_uri by the response mode (OAuth §4.1.2.1)."""

    redirect_uri: str
    response_mode: str
    error: str
    description: str
    state: str | None


@dataclass(frozen=True)
class AuthRequest:
    """A validated authorization request; kept server-side while the user logs in."""

    client_id: str
    redirect_uri: str  # where the response goes (fragment removed)
    redirect_uri_sent: str | None  # as sent, for the token endpoint's comparison (OAuth §4.1.3)
    response_type: frozenset[str]
    response_mode: str
    scope: tuple[str, ...]  # granted
    state: str | None
    nonce: str | None
    prompt: frozenset[str]
    max_age: int | None
    login_hint: str | None
    audience: str | None
    organization: str | None
    code_challenge: str | None
    claims: ClaimsRequest = ClaimsRequest()  # the claims parameter (Core §5.5)


# --- validation -------------------------------------------------------------------
def _first_values(items: Iterable[tuple[str, str]]) -> tuple[dict[str, str], set[str]]:
    """Parameters by name (first value) and the names sent more than once.

    A parameter sent without a value is treated as omitted (OAuth §3.1).
    """
    values: dict[str, str] = {}
    repeated: set[str] = set()
    for name, value in items:
        if value == "":
            continue
        if name in values:
            repeated.add(name)
        values.setdefault(name, value)
    return values, repeated


def _resolve_redirect_uri(tenant: Tenant, client: ClientConfig,
                          sent: str | None) -> tuple[str, str | None] | PageError:
    """Where the response goes, and the redirect_uri as sent.

    Like Auth0, everything after ``#`` is removed before matching (FRAG-1). A missing
    redirect_uri is an error even when a single one is registered: OIDC makes it REQUIRED
    (Core §3.1.2.1), beyond OAuth §3.1.2.3.
    """
    if sent is None:
        first = client.redirect_uris[0]
        if len(client.redirect_uris) > 1:
            lax = tenant.has_defect("missing_redirect_uri_uses_first")
        else:
            lax = tenant.has_defect("missing_redirect_uri_accepted_single")
        if lax and not is_wildcard(first):
            return first, None
        return PageError("invalid_request", "Missing required parameter: redirect_uri")
    without_fragment = sent.split("#", 1)[0]
    if tenant.has_misconfiguration("callback_not_allowed"):  # Allowed Callback URLs lacks it
        return PageError("invalid_request", CALLBACK_MISMATCH)
    if not is_registered(tenant, client, without_fragment):
        if tenant.has_defect("redirect_uri_mismatch_redirects_error"):
            return without_fragment, sent  # the whole response, code included, goes to the unregistered URI
        return PageError("invalid_request", CALLBACK_MISMATCH)
    if tenant.has_defect("fragment_kept_in_redirect_uri"):
        return sent, sent
    return without_fragment, sent


def default_mode(tenant: Tenant, response_type: frozenset[str]) -> str:
    """MRT §5: ``query`` for ``code``, ``fragment`` for any type that returns a token."""
    if response_type & TOKEN_BEARING:
        return "query" if tenant.has_defect("hybrid_default_query") else "fragment"
    return "query"


def _error_mode(tenant: Tenant, response_type: frozenset[str], asked: str | None) -> str:
    """The mode an error goes back by: the one asked where allowed, else the default."""
    if asked == "form_post" and tenant.has_defect("error_by_fragment_for_form_post"):
        return "fragment"
    if asked in ("fragment", "form_post"):
        return asked
    if asked == "query" and not response_type & TOKEN_BEARING:
        return "query"
    return default_mode(tenant, response_type)


def parse_request(tenant: Tenant, items: Iterable[tuple[str, str]]) -> AuthRequest | PageError | ClientError:
    """Validate an authorization request (Core §3.3.2.2, §3.1.2.2).

    A request object (Core §6) is applied once the client is known and before the
    redirect_uri is resolved, so a redirect_uri given only inside it is honoured; an
    unusable object is reported to the redirect_uri of the outer parameters.
    """
    values, repeated = _first_values(items)
    client = tenant.client(values.get("client_id"))
    if client is None:
        if "client_id" not in values:
            return PageError("invalid_request", "Missing required parameter: client_id")
        return PageError("invalid_request", f"Unknown client: {values['client_id']}")
    if repeated & {"client_id", "redirect_uri"}:
        return PageError("invalid_request", "client_id and redirect_uri must be sent once.")
    object_error = None
    if not tenant.has_defect("request_object_ignored"):
        values, object_error = apply_request_object(values)
    resolved = _resolve_redirect_uri(tenant, client, values.get("redirect_uri"))
    if isinstance(resolved, PageError):
        return resolved
    redirect_uri, redirect_uri_sent = resolved

    state = values.get("state")
    response_type_value = values.get("response_type")
    # The tenant's own copy of "a response type is a set" (MRT §3): an oracle shares no code with the checks.
    response_type = frozenset(response_type_value.split()) if response_type_value else frozenset()
    mode_asked = values.get("response_mode")

    def fail(error: str, description: str) -> ClientError:
        return ClientError(redirect_uri, _error_mode(tenant, response_type, mode_asked),
                           error, description, state)

    # response_type: required, compared as a set (MRT §3; OAuth §4.1.2.1).
    if not response_type:
        if not tenant.has_defect("missing_response_type_accepted"):
            return fail("invalid_request", "Missing required parameter: response_type")
        response_type = CODE_ID_TOKEN
    if response_type not in SUPPORTED_RESPONSE_TYPES:
        return fail("unsupported_response_type", f"Unsupported response_type: {response_type_value}")
    if response_type & TOKEN_BEARING and tenant.has_misconfiguration("implicit_grant_off"):
        return PageError("unauthorized_client", IMPLICIT_NOT_ALLOWED, 403)  # Auth0: a 403 page, no redirect
    if repeated:
        return fail("invalid_request", f"Parameters sent more than once: {', '.join(sorted(repeated))}")
    # response_mode (MRT §2.1, §5; FP §2): never tokens in the query.
    if mode_asked is not None and mode_asked not in RESPONSE_MODES:
        return fail("invalid_request", f"Unsupported response_mode: {mode_asked}")
    if (mode_asked == "query" and response_type & TOKEN_BEARING
            and not tenant.has_defect("query_mode_tokens_allowed")):
        return fail("invalid_request", f"response_mode=query is not allowed for response_type "
                                       f"{response_type_value}: tokens are never sent in the query.")
    if object_error is not None:
        return fail(object_error.error, object_error.description)
    # Registration by value is not supported (Core §7.2.1).
    if "registration" in values:
        return fail("registration_not_supported", "The registration parameter is not supported.")
    if tenant.has_defect("unknown_param_rejected"):
        unknown = sorted(set(values) - KNOWN_PARAMETERS)
        if unknown:
            return fail("invalid_request", f"Unknown parameters: {', '.join(unknown)}")
    # scope and nonce (Core §3.3.2.11: nonce is required when an ID token is returned).
    requested_scope = split_scope(values.get("scope"))
    if "id_token" in response_type and "openid" not in requested_scope:
        return fail("invalid_scope", "The scope must contain openid for a response_type with id_token.")
    nonce = values.get("nonce")
    if "id_token" in response_type and nonce is None and not tenant.has_defect("nonce_not_required"):
        return fail("invalid_request", f"Missing required parameter: nonce "
                                       f"(response_type {response_type_value} returns an ID token)")
    # prompt and max_age (Core §3.1.2.1).
    prompt = frozenset(values.get("prompt", "").split())
    if "none" in prompt and len(prompt) > 1:
        return fail("invalid_request", "prompt=none cannot be combined with other values.")
    max_age = values.get("max_age")
    if max_age is not None and not re.fullmatch(r"[0-9]+", max_age):
        return fail("invalid_request", "max_age must be a non-negative integer.")
    # PKCE (RFC 7636 §4.3): S256 only.
    challenge = values.get("code_challenge")
    method = values.get("code_challenge_method")
    if challenge is None and method is not None:
        return fail("invalid_request", "code_challenge_method sent without code_challenge.")
    if challenge is not None and (method or "plain") != "S256":
        return fail("invalid_request", f"Unsupported code_challenge_method: {method or 'plain'} (only S256).")
    if challenge is not None and not _S256_CHALLENGE.fullmatch(challenge):
        return fail("invalid_request", "code_challenge must be 43 base64url characters (S256).")
    # Auth0 extensions: audience (an API) and organization.
    audience = values.get("audience")
    api = tenant.api(audience)
    if audience is not None and api is None:
        return fail("access_denied", f"Service not found: {audience}")
    organization = values.get("organization")
    if organization is not None and organization not in tenant.config.organizations:
        return fail("invalid_request", f"parameter organization is invalid: {organization} "
                                       f"is not a valid organization.")
    # The claims parameter (Core §5.5).
    try:
        claims = parse_claims_request(values.get("claims"))
    except ClaimsRequestError as problem:
        return fail("invalid_request", str(problem))
    if tenant.has_defect("claims_parameter_ignored"):
        claims = ClaimsRequest()

    return AuthRequest(
        client_id=client.client_id, redirect_uri=redirect_uri, redirect_uri_sent=redirect_uri_sent,
        response_type=response_type, response_mode=mode_asked or default_mode(tenant, response_type),
        scope=granted_scope(requested_scope, api), state=state, nonce=nonce, prompt=prompt,
        max_age=int(max_age) if max_age is not None else None,
        login_hint=values.get("login_hint"), audience=audience, organization=organization,
        code_challenge=challenge, claims=claims,
    )


# --- state ------------------------------------------------------------------------
def echoed_state(tenant: Tenant, state: str | None, *, error: bool) -> str | None:
    """The ``state`` to return: exactly the one received, or none (OAuth §4.1.2, §4.1.2.1)."""
    if state is None:
        return new_secret_value()[:16] if tenant.has_defect("state_invented") else None
    if error:
        return None if tenant.has_defect("error_without_state") else state
    if tenant.has_defect("state_not_echoed"):
        return None
    if tenant.has_defect("state_double_decoded"):
        state = unquote(state)
    if tenant.has_defect("state_truncated_255"):
        state = state[:255]
    return state


def deliver_error(tenant: Tenant, failure: ClientError) -> Response:
    """An error response to the client by its mode (OAuth §4.1.2.1; Core §3.3.2.6)."""
    params = {"error": failure.error, "error_description": safe_description(failure.description)}
    if tenant.has_defect("error_response_with_code"):
        params["code"] = new_secret_value()
    if tenant.has_defect("error_description_unescaped"):
        params["error_description"] = f'"{failure.description}"\n'
    state = echoed_state(tenant, failure.state, error=True)
    if (failure.error == "unsupported_response_type"
            and tenant.has_defect("error_without_state_unsupported_response_type")):
        state = None
    if state is not None:
        params["state"] = state
    return deliver(tenant, failure.redirect_uri, failure.response_mode, params)


# --- the endpoint -----------------------------------------------------------------
def needs_login(tenant: Tenant, request: AuthRequest, session: Session | None) -> bool:
    """Whether the user must (re-)authenticate: no session, ``prompt=login``, or ``max_age``
    exceeded (Core §3.1.2.1: elapsed time greater than max_age)."""
    if session is None:
        return True
    if "login" in request.prompt and not tenant.has_defect("prompt_login_ignored"):
        return True
    if request.max_age is not None and not tenant.has_defect("max_age_ignored"):
        return time.time() - session.auth_time > request.max_age
    return False


def _is_loopback(uri: str) -> bool:
    return urlsplit(uri).hostname in ("localhost", "127.0.0.1", "::1")


def authorize(tenant: Tenant, items: Iterable[tuple[str, str]], session: Session | None) -> Response:
    """Handle one authorization request: error, login page, or the response."""
    request = parse_request(tenant, items)
    if isinstance(request, PageError):
        if tenant.has_fault("error_page_unmarked"):
            return unmarked_error_response(request.error, request.description)
        return error_response(request.error, request.description, request.status, auth0=tenant.config.auth0_mode)
    if isinstance(request, ClientError):
        return deliver_error(tenant, request)
    loopback_consent = tenant.config.auth0_mode or tenant.has_misconfiguration("consent_for_loopback")
    if _is_loopback(request.redirect_uri) and loopback_consent:
        if "none" in request.prompt:  # Auth0 cannot skip consent for localhost callbacks
            return deliver_error(tenant, ClientError(request.redirect_uri, request.response_mode,
                                                     "consent_required", "Consent required", request.state))
        request = replace(request, prompt=request.prompt | {"consent"})
    login = needs_login(tenant, request, session)
    if "none" in request.prompt:  # Core §3.1.2.6: never show UI
        if tenant.has_defect("prompt_none_ignores_session"):
            login = True
        if login and not tenant.has_defect("prompt_none_shows_login"):
            return deliver_error(tenant, ClientError(request.redirect_uri, request.response_mode,
                                                     "login_required", "Login required", request.state))
    if login or session is None:
        txn = tenant.store.save_pending(request)
        return redirect(tenant.endpoint(f"u/login?txn={txn}"))
    if "consent" in request.prompt:  # Core §3.1.2.1: ask for consent (hybridcheck.tenant.login)
        txn = tenant.store.save_pending(request)
        return redirect(tenant.endpoint(f"u/consent?txn={txn}"))
    return complete(tenant, request, session)


def complete(tenant: Tenant, request: AuthRequest, session: Session) -> Response:
    """The successful response (Core §3.3.2.5): code always, id_token and access_token as asked."""
    store = tenant.store
    grant = store.new_grant(client_id=request.client_id, sub=session.sub, auth_time=int(session.auth_time),
                            scope=request.scope, nonce=request.nonce, audience=request.audience,
                            organization=request.organization, id_token_claims=request.claims.id_token,
                            userinfo_claims=request.claims.userinfo)
    code = store.new_code(grant, redirect_uri=request.redirect_uri, redirect_uri_sent=request.redirect_uri_sent,
                          code_challenge=request.code_challenge).code
    params: dict[str, str] = {"code": code}
    access_token: str | None = None
    if "token" in request.response_type:
        access_token, expires_in = issue_access_token(tenant, grant, grant.scope)
        params["access_token"] = access_token
        params["token_type"] = "bearerish" if tenant.has_defect("token_type_garbage") else "Bearer"
        params["expires_in"] = f"{expires_in}s" if tenant.has_defect("expires_in_not_seconds") else str(expires_in)
    elif request.response_type == CODE_ID_TOKEN and tenant.has_defect("access_token_in_code_id_token"):
        params["access_token"] = issue_access_token(tenant, grant, grant.scope)[0]
    if "id_token" in request.response_type:
        front_nonce_dropped = (tenant.has_defect("nonce_not_echoed")
                               or tenant.has_defect("nonce_only_token_endpoint"))
        hashed_access_token = (None if tenant.has_defect("at_hash_missing_code_id_token_token")
                               else access_token)
        params["id_token"] = issue_id_token(
            tenant, grant, scope=grant.scope, nonce=None if front_nonce_dropped else request.nonce,
            code=code, access_token=hashed_access_token, front_channel=True)
    if "offline_access" in grant.scope and tenant.has_defect("refresh_token_in_front_channel"):
        params["refresh_token"] = store.new_refresh_token(grant, grant.scope).token
    state = echoed_state(tenant, request.state, error=False)
    if state is not None:
        params["state"] = state
    return deliver(tenant, request.redirect_uri, request.response_mode, params)
