"""A peer OpenID Provider for hybridcheck: IdentityPython's idpyoidc (pinned in requirements.txt).

idpyoidc's ``idpyoidc.server`` is a complete OP: it parses and validates the authorization
request, matches the redirect URI, authenticates (its ``UserPassJinja2`` login method),
keeps sessions and grants, mints codes, access, refresh and ID tokens (``c_hash``,
``at_hash``, ``nonce``, ``auth_time``), renders ``form_post`` and serves discovery, token and
UserInfo. This file is only the HTTP glue around it (Flask routes that hand each request to
the library's endpoint objects and turn their answers into HTTP responses), its
configuration, and the one login template it needs. See README.md for what is glue and what
is the library, and for the deviations observed.

Launch contract (hybridcheck/peer.py): env PORT (0: a free port), CLIENT_ID, CLIENT_SECRET,
REDIRECT_URIS (comma-separated), optional OTHER_CLIENT_ID, OTHER_CLIENT_SECRET,
OTHER_REDIRECT_URIS, TEST_USER; stdout carries exactly one line, ``READY <issuer>``.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import secrets
import signal
import socket
import sys
import threading
import warnings
from pathlib import Path
from urllib.parse import parse_qs, urlsplit, urlunsplit

HERE = Path(__file__).resolve().parent
HOST = "127.0.0.1"

# idpyoidc logs (and warns) generously; none of it may reach stdout, which is for READY only.
logging.basicConfig(stream=sys.stderr, level=os.environ.get("LOG_LEVEL", "WARNING"))
warnings.simplefilter("ignore")

from flask import Flask, Response, make_response, redirect, request  # noqa: E402
from markupsafe import escape  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from idpyoidc.message.oidc import AccessTokenRequest, AuthorizationRequest  # noqa: E402
from idpyoidc.message.oauth2 import ResponseMessage  # noqa: E402
from idpyoidc.server import Server  # noqa: E402
from idpyoidc.server.configure import OPConfiguration  # noqa: E402
from idpyoidc.server.exception import ClientAuthenticationError, FailedAuthentication  # noqa: E402
from idpyoidc.server.oidc.token import Token  # noqa: E402
from idpyoidc.time_util import utc_time_sans_frac  # noqa: E402


def env(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, "")
    if value:
        return value
    if default is None:
        print(f"server.py: environment variable {name} is required", file=sys.stderr)
        sys.exit(2)
    return default


def uri_list(name: str) -> list[str]:
    return [uri.strip() for uri in env(name).split(",") if uri.strip()]


TEST_USER = env("TEST_USER", "tester@hybridcheck.test")

# The same values as tenants/local.toml [user.claims].
USER_CLAIMS = {
    "name": "Tess Tester",
    "nickname": "tess",
    "given_name": "Tess",
    "family_name": "Tester",
    "email": "tester@hybridcheck.test",
    "email_verified": True,
    "phone_number": "+1 555 0100",
    "phone_number_verified": False,
    "address": {"street_address": "1 Test Way", "locality": "Testville", "country": "NZ"},
}


class Passwords(dict):
    """The user store of idpyoidc's UserPassJinja2 (it asks ``username in db`` and ``db[username]``).

    Only TEST_USER exists. The launch contract passes no password, so any non-empty
    password is accepted for it (a dev login, like oidc-provider's) unless TEST_PASSWORD is set.
    """

    def __init__(self, user: str, password: str = "") -> None:
        super().__init__({user: password})
        self.password = password

    def __getitem__(self, key):
        return _AnyNonEmpty() if not self.password else super().__getitem__(key)


class _AnyNonEmpty:
    def __eq__(self, other):  # idpyoidc compares ``db[username] == password``
        return isinstance(other, str) and other != ""

    def __hash__(self):
        return 0


SCOPES = ["openid", "profile", "email", "address", "phone", "offline_access"]
RESPONSE_TYPES = ["code id_token", "code token", "code id_token token", "code"]


class OfflineAccessAuthorizationRequest(AuthorizationRequest):
    """idpyoidc's authorization request, with an OP policy for ``offline_access`` (Core §11).

    idpyoidc refuses every request whose scope has ``offline_access`` but whose ``prompt``
    lacks ``consent`` ("consent in prompt", idpyoidc/message/oidc/__init__.py). Core §11:
    the OP "MUST ensure that the prompt parameter contains consent unless other conditions
    for processing the request permitting offline access to the requested resources are in
    place. Unless those conditions are present, the Authorization Server SHOULD ignore the
    offline_access request." This peer's conditions (the same as the oidc-provider peer's):
    the response type returns a code and the request is not ``prompt=none``. With
    ``prompt=none`` the scope value is ignored (dropped), as §11 says. Everything else is the
    library's own verification, run unchanged.
    """

    def verify(self, **kwargs):
        scope = self.get("scope")
        if not isinstance(scope, list) or "offline_access" not in scope or "consent" in (self.get("prompt") or []):
            return super().verify(**kwargs)
        self["scope"] = [s for s in scope if s != "offline_access"]
        try:
            result = super().verify(**kwargs)
        except Exception:
            self["scope"] = scope
            raise
        if "code" in (self.get("response_type") or []) and "none" not in (self.get("prompt") or []):
            self["scope"] = scope
        return result


def split_redirect_uri(uri: str) -> tuple[str, dict]:
    """idpyoidc stores a registered redirect URI as (base, query dict) (cf. its registration endpoint)."""
    parts = urlsplit(uri)
    base = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
    return base, parse_qs(parts.query) if parts.query else {}


def client_record(client_id: str, secret: str, redirect_uris: list[str], auth_method: str) -> dict:
    return {
        "client_id": client_id,
        "client_secret": secret,
        "client_salt": secrets.token_hex(8),
        "redirect_uris": [split_redirect_uri(uri) for uri in redirect_uris],
        "response_types_supported": RESPONSE_TYPES,
        "grant_types_supported": ["authorization_code", "implicit", "refresh_token"],
        "token_endpoint_auth_method": auth_method,
        "allowed_scopes": SCOPES,
        "id_token_signed_response_alg": "RS256",
    }


def _b64_key() -> str:
    """A random 256-bit symmetric key as cryptojwt's SYMKey wants it (base64url, no padding)."""
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode()


def op_configuration(issuer: str) -> dict:
    return {
        "issuer": issuer,
        "base_url": issuer,
        # one RS256 key, in memory, new at every start; published at {issuer}/jwks
        "keys": {"key_defs": [{"type": "RSA", "use": ["sig"]}], "uri_path": "jwks"},
        "httpc_params": {"verify": True},
        "template_dir": str(HERE / "templates"),
        "cookie_handler": {
            "class": "idpyoidc.server.cookie_handler.CookieHandler",
            "kwargs": {
                "sign_key": _b64_key(),
                "enc_key": _b64_key(),
                "name": {"session": "idpy_session", "register": "idpy_rp", "session_management": "idpy_sman"},
            },
        },
        # What discovery advertises (idpyoidc builds its metadata from these preferences).
        "preference": {
            "subject_types_supported": ["public"],
            "response_types_supported": RESPONSE_TYPES,
            "response_modes_supported": ["query", "fragment", "form_post"],
            "grant_types_supported": ["authorization_code", "implicit", "refresh_token"],
            "scopes_supported": SCOPES,
            "claims_parameter_supported": False,
            "request_parameter_supported": False,
            "request_uri_parameter_supported": False,
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
        },
        "scopes_to_claims": {
            "openid": ["sub"],
            "profile": ["name", "given_name", "family_name", "nickname"],
            "email": ["email", "email_verified"],
            "address": ["address"],
            "phone": ["phone_number", "phone_number_verified"],
            "offline_access": [],
        },
        "add_on": {
            "pkce": {
                "function": "idpyoidc.server.oauth2.add_on.pkce.add_support",
                "kwargs": {"essential": False, "code_challenge_method": "S256"},
            },
        },
        "authz": {
            "class": "idpyoidc.server.authz.AuthzHandling",
            "kwargs": {
                "grant_config": {
                    "usage_rules": {
                        "authorization_code": {
                            "supports_minting": ["access_token", "refresh_token", "id_token"],
                            "max_usage": 1,
                            "expires_in": 120,
                        },
                        "access_token": {"expires_in": 3600},
                        "refresh_token": {
                            "supports_minting": ["access_token", "refresh_token", "id_token"],
                            "expires_in": 14 * 24 * 3600,
                        },
                    },
                    "expires_in": 14 * 24 * 3600,
                }
            },
        },
        "authentication": {
            "user": {
                "acr": "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport",
                "class": "idpyoidc.server.user_authn.user.UserPassJinja2",
                "kwargs": {
                    "verify_endpoint": "/verify/user",
                    "template": "login.jinja2",
                    "db": {"class": Passwords, "kwargs": {"user": TEST_USER, "password": os.environ.get("TEST_PASSWORD", "")}},
                    "page_header": "Sign in to the idpyoidc peer",
                    "submit_btn": "Sign in",
                },
            }
        },
        "userinfo": {"class": "idpyoidc.server.user_info.UserInfo", "kwargs": {"db": {TEST_USER: dict(USER_CLAIMS)}}},
        "token_handler_args": {
            "jwks_def": {"key_defs": [{"type": "oct", "bytes": 24, "use": ["enc"], "kid": "code"}, {"type": "oct", "bytes": 24, "use": ["enc"], "kid": "refresh"}], "private_path": ""},
            "code": {"kwargs": {"lifetime": 120}},
            # access tokens: idpyoidc's JWTToken, signed with the OP's RSA key (its default alg is ES256)
            "token": {"class": "idpyoidc.server.token.jwt_token.JWTToken", "kwargs": {"lifetime": 3600, "alg": "RS256"}},
            "refresh": {"kwargs": {"lifetime": 14 * 24 * 3600}},
            "id_token": {"class": "idpyoidc.server.token.id_token.IDToken", "kwargs": {}},
        },
        "endpoint": {
            "provider_info": {
                "path": ".well-known/openid-configuration",
                "class": "idpyoidc.server.oidc.provider_config.ProviderConfiguration",
                "kwargs": {"client_authn_method": None},
            },
            "authorization": {
                "path": "authorization",
                "class": "idpyoidc.server.oidc.authorization.Authorization",
                "kwargs": {
                    "client_authn_method": None,
                    "claims_parameter_supported": False,
                    "request_parameter_supported": False,
                    "request_uri_parameter_supported": False,
                    "response_types_supported": RESPONSE_TYPES,
                    "response_modes_supported": ["query", "fragment", "form_post"],
                },
            },
            "token": {
                "path": "token",
                "class": "idpyoidc.server.oidc.token.Token",
                "kwargs": {"client_authn_method": ["client_secret_post", "client_secret_basic"]},
            },
            "userinfo": {
                "path": "userinfo",
                "class": "idpyoidc.server.oidc.userinfo.UserInfo",
                "kwargs": {"claim_types_supported": ["normal"]},
            },
        },
    }


# --------------------------------------------------------------------------------------------
# HTTP glue

app = Flask(__name__)
LOCK = threading.Lock()  # idpyoidc keeps its state in plain dicts: one request at a time
SERVER: Server


def http_info() -> dict:
    return {
        "headers": {k.lower(): v for k, v in request.headers.items() if k.lower() not in ("cookie",)},
        "method": request.method,
        "url": request.url,
        "cookie": [{"name": k, "value": v} for k, v in request.cookies.items()],
    }


def set_cookies(resp: Response, cookies) -> None:
    for spec in cookies if isinstance(cookies, list) else [cookies]:
        # http on loopback: not Secure; Lax keeps the session on top-level navigations to the OP.
        resp.set_cookie(spec["name"], spec["value"], path="/", httponly=True, samesite="Lax")


def error_page(status: int, error: str, description: str = "") -> Response:
    """The OP's own error page (requests the library refuses before it has a redirect URI to use)."""
    body = (
        "<!doctype html><html><head><title>Error</title></head><body>"
        f'<h1 id="op-error">{escape(error)}</h1><p id="op-error-description">{escape(description)}</p>'
        "</body></html>"
    )
    resp = make_response(body, status)
    resp.headers["Content-Type"] = "text/html; charset=utf-8"
    return resp


def to_http(endpoint, req_args, info: dict) -> Response:
    """The library's ``do_response`` output as an HTTP response (redirect or body)."""
    if "redirect_location" in info:
        return redirect(info["redirect_location"])
    if "http_response" in info:  # e.g. the login page
        resp = make_response(info["http_response"], 200)
        resp.headers["Content-Type"] = "text/html; charset=utf-8"
        return resp
    out = endpoint.do_response(request=req_args, **info)
    placement = out.get("response_placement", endpoint.response_placement)
    if placement == "body":
        resp = make_response(out["response"], out.get("response_code", 200))
    else:
        resp = redirect(out["response"], 303 if request.method == "POST" else 302)
    for key, value in out.get("http_headers", []):
        resp.headers[key] = value
    if "cookie" in out:
        set_cookies(resp, out["cookie"])
    elif "cookie" in info:
        set_cookies(resp, info["cookie"])
    return resp


def json_error(status: int, error: str, description: str, www_authenticate: str | None = None) -> Response:
    resp = make_response(ResponseMessage(error=error, error_description=description).to_json(), status)
    resp.headers["Content-Type"] = "application/json"
    resp.headers["Cache-Control"] = "no-store"
    if www_authenticate:
        resp.headers["WWW-Authenticate"] = www_authenticate
    return resp


def service(endpoint_name: str) -> Response:
    endpoint = SERVER.get_endpoint(endpoint_name)
    info_http = http_info()
    if request.method == "GET":
        raw = request.args.to_dict()
    else:
        raw = request.form.to_dict() if request.form else request.get_data(as_text=True)
    with LOCK:
        try:
            req_args = endpoint.parse_request(raw, http_info=info_http)
        except Exception as err:  # noqa: BLE001 - the library raises many types
            return parse_failure(endpoint_name, err)
        if isinstance(req_args, ResponseMessage) and "error" in req_args:
            return request_error(endpoint_name, endpoint, req_args)
        try:
            if isinstance(endpoint, Token):
                info = endpoint.process_request(AccessTokenRequest(**req_args), http_info=info_http)
            else:
                info = endpoint.process_request(req_args, http_info=info_http)
        except Exception as err:  # noqa: BLE001
            logging.exception("process_request failed")
            return parse_failure(endpoint_name, err)
        if isinstance(info, ResponseMessage) and "error" in info:
            return request_error(endpoint_name, endpoint, info)
        if isinstance(info, dict) and "error" in info and "response_args" not in info and not info.get("return_uri"):
            return request_error(endpoint_name, endpoint, ResponseMessage(**info))
        # An error with a verified return_uri (e.g. login_required for prompt=none) goes back to the
        # client: the library's do_response builds the redirect from it.
        return to_http(endpoint, req_args, info)


def parse_failure(endpoint_name: str, err: Exception) -> Response:
    """An exception from the library as an HTTP error (the library raises, the glue answers)."""
    logging.warning("%s request failed: %s: %s", endpoint_name, type(err).__name__, err, exc_info=err)
    name = type(err).__name__
    if endpoint_name == "authorization":
        return error_page(400, "invalid_request", f"{name}: {err}")
    if endpoint_name == "token" and isinstance(err, ClientAuthenticationError):
        # RFC 6749 §5.2: failed client authentication is invalid_client, HTTP 401
        challenge = 'Basic realm="token"' if request.authorization else None
        return json_error(401, "invalid_client", f"{name}: {err}", challenge)
    if endpoint_name == "userinfo":
        return json_error(401, "invalid_token", f"{name}: {err}", 'Bearer error="invalid_token"')
    return json_error(400, "invalid_request", f"{name}: {err}")


def request_error(endpoint_name: str, endpoint, error: ResponseMessage) -> Response:
    if endpoint_name == "authorization":
        # The library returns errors of the authorization request here, before it has a
        # verified redirect URI to send them to: show them at the OP.
        return error_page(400, error["error"], error.get("error_description", ""))
    status = 401 if error["error"] in ("invalid_client", "unauthorized_client", "invalid_token") else 400
    if endpoint_name == "userinfo":
        return json_error(401, error["error"], error.get("error_description", ""), f'Bearer error="{error["error"]}"')
    return json_error(status, error["error"], error.get("error_description", ""))


@app.route("/.well-known/openid-configuration")
def discovery():
    return service("provider_config")


@app.route("/authorization", methods=["GET", "POST"])
def authorization():
    return service("authorization")


@app.route("/token", methods=["POST"])
def token():
    return service("token")


@app.route("/userinfo", methods=["GET", "POST"])
def userinfo():
    return service("userinfo")


@app.route("/jwks")
def jwks():
    resp = make_response(json.dumps(SERVER.keyjar.export_jwks(issuer_id="")), 200)
    resp.headers["Content-Type"] = "application/json"
    return resp


@app.route("/verify/user", methods=["POST"])
def verify_user():
    """The login form posts here (UserPassJinja2's verify endpoint)."""
    endpoint = SERVER.get_endpoint("authorization")
    authn = SERVER.context.authn_broker.get_method_by_id("user")
    form = request.form.to_dict()
    with LOCK:
        try:
            username = authn.verify(**form)
        except (FailedAuthentication, KeyError):
            return error_page(403, "access_denied", "wrong username or password")
        try:
            state = authn.unpack_token(form["token"])
        except Exception:  # noqa: BLE001
            return error_page(400, "invalid_request", "the login form's token is not valid")
        authz_request = AuthorizationRequest().from_urlencoded(state["query"])
        session_id = endpoint.create_session(authz_request, username, state["authn_class_ref"], utc_time_sans_frac(), authn)
        info = endpoint.authz_part2(request=authz_request, session_id=session_id)
        if isinstance(info, ResponseMessage) and "error" in info:
            return error_page(400, info["error"], info.get("error_description", ""))
        return to_http(endpoint, authz_request, info)


def main() -> None:
    global SERVER
    sock = socket.socket()
    sock.bind((HOST, int(env("PORT", "0")) or 0))
    port = sock.getsockname()[1]
    sock.close()
    issuer = f"http://{HOST}:{port}"

    try:
        conf = OPConfiguration(op_configuration(issuer))
        SERVER = Server(conf, cwd=str(HERE))
    except Exception as err:  # noqa: BLE001
        print(f"server.py: idpyoidc refused the configuration: {type(err).__name__}: {err}", file=sys.stderr)
        sys.exit(2)

    clients = {env("CLIENT_ID"): client_record(env("CLIENT_ID"), env("CLIENT_SECRET"), uri_list("REDIRECT_URIS"), "client_secret_post")}
    if os.environ.get("OTHER_CLIENT_ID"):
        clients[env("OTHER_CLIENT_ID")] = client_record(
            env("OTHER_CLIENT_ID"), env("OTHER_CLIENT_SECRET"), uri_list("OTHER_REDIRECT_URIS"), "client_secret_basic"
        )
    SERVER.context.cdb.update(clients)
    SERVER.get_endpoint("authorization").request_cls = OfflineAccessAuthorizationRequest

    httpd = make_server(HOST, port, app, threaded=True)
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: os._exit(0))
    print(f"READY {issuer}", flush=True)
    httpd.serve_forever()


if __name__ == "__main__":
    main()
