"""The tenant's routes, shaped like Auth0's Authentication API.

==========================================  =========================================
``GET  /.well-known/openid-configuration``  provider metadata (Discovery §3)
``GET  /.well-known/jwks.json``             signing keys (Core §10.1)
``GET|POST /authorize``                     authorization endpoint (Core §3.3.2)
``GET|POST /u/login``                       login page (Auth0 Universal Login)
``GET|POST /u/consent``                     consent page, for ``prompt=consent``
``GET  /u/continue``                        a redirect hop (used by one defect only, RESP-2)
``POST /oauth/token``                       token endpoint (OAuth §3.2, Core §3.3.3)
``GET|POST /userinfo``                      UserInfo (Core §5.3)
==========================================  =========================================

Handlers only translate HTTP to the protocol modules and back.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from hybridcheck.tenant.authorize import authorize
from hybridcheck.tenant.config import TenantConfig
from hybridcheck.tenant.delivery import HOP_PATH, continue_hop
from hybridcheck.tenant.context import Tenant
from hybridcheck.tenant.discovery import discovery_document, jwks_document
from hybridcheck.tenant.keys import KeySet
from hybridcheck.tenant.limits import AUTH0_GLOBAL_PER_SECOND, userinfo_buckets
from hybridcheck.tenant.login import SESSION_COOKIE, show_consent, show_login, submit_consent, submit_login
from hybridcheck.tenant.middleware import LatencyMiddleware, RateLimitMiddleware
from hybridcheck.tenant.token_endpoint import token_endpoint
from hybridcheck.tenant.userinfo import userinfo

_FORM = "application/x-www-form-urlencoded"


def _tenant(request: Request) -> Tenant:
    return request.app.state.tenant


async def _form_items(request: Request) -> list[tuple[str, str]]:
    """The form body as (name, value) pairs in order; uploads are ignored."""
    form = await request.form()
    return [(name, value) for name, value in form.multi_items() if isinstance(value, str)]


async def openid_configuration(request: Request) -> Response:
    """Fault ``discovery_not_json``: a 200 HTML page, as a proxy or a login wall would serve."""
    tenant = _tenant(request)
    if tenant.has_fault("discovery_not_json"):
        return HTMLResponse("<!doctype html><title>Welcome</title><p>Nothing to configure here.</p>")
    return JSONResponse(discovery_document(tenant))


async def jwks(request: Request) -> Response:
    """Fault ``jwks_malformed``: JSON whose ``keys`` is not an array of JWKs (RFC 7517 §5)."""
    tenant = _tenant(request)
    if tenant.has_fault("jwks_malformed"):
        return JSONResponse({"keys": "nope"})
    return JSONResponse(jwks_document(tenant))


async def authorization_endpoint(request: Request) -> Response:
    """Core §3.1.2.1: GET with the query, or POST with a form body.

    Runs in a worker thread: a ``request_uri`` is fetched there (Core §6.2), so the event
    loop keeps serving, even a request_uri that points back at this tenant.
    """
    tenant = _tenant(request)
    if request.method == "POST":
        items = await _form_items(request)
    else:
        items = request.query_params.multi_items()
    session = tenant.store.session(request.cookies.get(SESSION_COOKIE))
    return await run_in_threadpool(authorize, tenant, items, session)


async def login(request: Request) -> Response:
    tenant = _tenant(request)
    if request.method == "POST":
        return submit_login(tenant, dict(await _form_items(request)))
    return show_login(tenant, request.query_params.get("txn"))


async def hop(request: Request) -> Response:
    return continue_hop(_tenant(request), request.query_params.get("to"))


async def consent(request: Request) -> Response:
    tenant = _tenant(request)
    if request.method == "POST":
        session = tenant.store.session(request.cookies.get(SESSION_COOKIE))
        return submit_consent(tenant, dict(await _form_items(request)), session)
    return show_consent(tenant, request.query_params.get("txn"))


async def token(request: Request) -> Response:
    return token_endpoint(_tenant(request), request.headers.get("authorization"), await _form_items(request))


async def userinfo_endpoint(request: Request) -> Response:
    """RFC 6750 §2.2: a body token only from a form-encoded POST."""
    body_token = None
    if request.method == "POST" and request.headers.get("content-type", "").startswith(_FORM):
        body_token = dict(await _form_items(request)).get("access_token")
    return userinfo(_tenant(request), request.headers.get("authorization"), body_token)


def build_app(config: TenantConfig, issuer: str, keys: KeySet | None = None) -> Starlette:
    """The ASGI app of one tenant whose issuer is ``issuer`` (ends with ``/``); ``keys``
    default to two fresh RSA keys."""
    routes = [
        Route("/.well-known/openid-configuration", openid_configuration, methods=["GET"]),
        Route("/.well-known/jwks.json", jwks, methods=["GET"]),
        Route("/authorize", authorization_endpoint, methods=["GET", "POST"]),
        Route("/u/login", login, methods=["GET", "POST"]),
        Route("/u/consent", consent, methods=["GET", "POST"]),
        Route("/" + HOP_PATH, hop, methods=["GET"]),
        Route("/oauth/token", token, methods=["POST"]),
        Route("/userinfo", userinfo_endpoint, methods=["GET", "POST"]),
    ]
    middleware = []
    if config.latency_s > 0:
        middleware.append(Middleware(LatencyMiddleware, delay_s=config.latency_s))
    global_rate = config.rate_limit_per_second
    if global_rate is None and config.auth0_limits:
        global_rate = AUTH0_GLOBAL_PER_SECOND
    if global_rate is not None:
        middleware.append(Middleware(RateLimitMiddleware, rate_per_second=global_rate))
    app = Starlette(routes=routes, middleware=middleware)
    app.state.tenant = Tenant(config=config, issuer=issuer, keys=KeySet(keys.keys) if keys else KeySet.generate(),
                              userinfo_limits=userinfo_buckets() if config.auth0_limits else None)
    return app
