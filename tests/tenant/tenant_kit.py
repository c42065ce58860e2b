"""Test kit for the reference tenant: a test configuration and an HTTP driver (no browser).

The :class:`Driver` plays browser and relying party over plain HTTP: it sends the
authorization request, follows the tenant's own redirects, fills the login form, and
stops at the first redirect that leaves the tenant (the response in its query or
fragment) or at a form_post page (the response in its hidden inputs). Anything else —
an error page, the login page with ``login=False`` — comes back as a ``page``.
"""

from __future__ import annotations

import base64
import hashlib
import ssl
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl, quote_plus, urljoin, urlsplit

import httpx
import jwt

from hybridcheck.tenant import ApiConfig, ClientConfig, RunningTenant, TenantConfig, UserConfig, start_tenant
from hybridcheck.tenant.keys import KeySet
from hybridcheck.tenant.server import stop_tenants

CALLBACK = "http://127.0.0.1:9/cb"  # never contacted: the driver stops at the redirect
CALLBACK_WITH_QUERY = "http://127.0.0.1:9/cb?tenant=q&x=1"
CALLBACK_ON_HOST = "http://app.localhost:9/cb"  # a host name, so a subdomain of it exists (RURI-2)
CLIENT = ClientConfig("client-a", "secret-a", (CALLBACK, CALLBACK_WITH_QUERY, CALLBACK_ON_HOST))
ROTATING = ClientConfig("client-rot", "secret-rot", ("http://127.0.0.1:9/rot",), rotate_refresh_tokens=True)
ODD = ClientConfig("odd:client id", "s&c r+t:/=%", ("http://127.0.0.1:9/odd",))  # RFC 6749 §2.3.1 encoding
WILDCARD = "http://*.localhost:9/cb"  # Auth0 wildcard callback (RURI-4); *.localhost is loopback in browsers
WILDCARD_AFFIX = "http://app-*-x.localhost:9/cb?tenant=w"  # prefix and suffix around the '*'
WILD = ClientConfig("client-wild", "secret-wild", (WILDCARD,))
WILD_AFFIX = ClientConfig("client-wild-affix", "secret-wild-affix", (WILDCARD_AFFIX,))
USER = UserConfig(
    sub="auth0|user-1", username="alice@example.com", password="alice-password",
    claims={"name": "Alice Example", "nickname": "alice", "given_name": "Alice", "family_name": "Example",
            "email": "alice@example.com", "email_verified": True, "phone_number": "+64 21 000 000",
            "phone_number_verified": False, "address": {"country": "NZ", "locality": "Wellington"}},
)
BOB = UserConfig(sub="auth0|user-2", username="bob@example.com", password="bob-password",
                 claims={"name": "Bob Example", "email": "bob@example.com", "email_verified": False})
API = ApiConfig("https://api.example.test/", ("read:items", "write:items"))
API_NO_OFFLINE = ApiConfig("https://no-offline.example.test/", ("read:items",), allow_offline_access=False)
ORGANIZATION = "org_123"
ID_CLAIM = ("https://hybridcheck.test/role", "tester")
ACCESS_CLAIM = ("https://hybridcheck.test/plan", "gold")
NONCE = "n-0S6_WzA2Mj"
_TLS = ssl.create_default_context()  # unused on http://, but building one per client costs ~25 ms

BASE_CONFIG = TenantConfig(
    clients=(CLIENT, ROTATING, ODD, WILD, WILD_AFFIX), users=(USER, BOB), apis=(API, API_NO_OFFLINE),
    organizations=(ORGANIZATION,), id_token_claims=dict([ID_CLAIM]), access_token_claims=dict([ACCESS_CLAIM]),
)


class TenantPool:
    """One running tenant per distinct setting, started on first use, all stopped together.

    The tenants share one set of signing keys (generating RSA keys is most of a start).
    """

    def __init__(self) -> None:
        self._running: dict[tuple[Any, ...], RunningTenant] = {}
        self._keys = KeySet.generate()

    def get(self, defects: frozenset[str] = frozenset(), **changes: Any) -> RunningTenant:
        key = (defects, tuple(sorted(changes.items())))
        if key not in self._running:
            self._running[key] = start_tenant(replace(BASE_CONFIG, defects=defects, **changes), keys=self._keys)
        return self._running[key]

    def close(self) -> None:
        stop_tenants(self._running.values())
        self._running.clear()


# --- HTML ------------------------------------------------------------------------
@dataclass
class Form:
    action: str
    method: str
    inputs: dict[str, str] = field(default_factory=dict)


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self.ids: dict[str, dict[str, str | None]] = {}
        self.body_attrs: dict[str, str | None] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if "id" in attributes:
            self.ids[attributes["id"] or ""] = {"tag": tag, **attributes}
        if tag == "body":
            self.body_attrs = attributes
        elif tag == "form":
            self.forms.append(Form(attributes.get("action") or "", (attributes.get("method") or "get").lower()))
        elif tag == "input" and self.forms and attributes.get("name"):
            self.forms[-1].inputs[attributes["name"] or ""] = attributes.get("value") or ""
        elif tag == "button" and self.forms and attributes.get("name"):
            self.forms[-1].inputs[attributes["name"] or ""] = attributes.get("value") or ""


def parse_html(text: str) -> _Forms:
    parser = _Forms()
    parser.feed(text)
    return parser


def element_text(html_text: str, element_id: str) -> str | None:
    """The text of the element with ``id`` (simple pages only: no nesting)."""
    marker = f'id="{element_id}">'
    start = html_text.find(marker)
    if start < 0:
        return None
    start += len(marker)
    return html_text[start:html_text.index("<", start)]


# --- the authorization response ----------------------------------------------------
@dataclass
class AuthResult:
    """What came back from one authorization request."""

    kind: str  # "fragment" | "query" | "form_post" | "page" | "login"
    params: dict[str, str]
    response: httpx.Response  # the last response of the tenant
    location: str | None = None  # the client URL redirected to / posted to
    query: dict[str, str] = field(default_factory=dict)
    fragment: dict[str, str] = field(default_factory=dict)
    login_pages: int = 0

    @property
    def id_token(self) -> dict[str, Any]:
        return jwt.decode(self.params["id_token"], options={"verify_signature": False})

    @property
    def id_token_header(self) -> dict[str, Any]:
        return jwt.get_unverified_header(self.params["id_token"])

    @property
    def error(self) -> str | None:
        return self.params.get("error")


def _client_redirect(location: str, response: httpx.Response, login_pages: int) -> AuthResult:
    parts = urlsplit(location)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    fragment = dict(parse_qsl(parts.fragment, keep_blank_values=True))
    kind = "fragment" if parts.fragment else "query"
    return AuthResult(kind, fragment if parts.fragment else query, response, location, query, fragment, login_pages)


class Driver:
    """Browser + relying party for one client, with its own cookie jar (SSO session)."""

    def __init__(self, tenant: RunningTenant, client: ClientConfig = CLIENT, user: UserConfig = USER) -> None:
        self.tenant = tenant
        self.client = client
        self.user = user
        self.http = httpx.Client(base_url=tenant.url, follow_redirects=False, timeout=10, verify=_TLS)

    def close(self) -> None:
        self.http.close()

    def _on_tenant(self, url: str) -> bool:
        return url.startswith(self.tenant.url + "/")

    def authorize(self, *, login: bool = True, password: str | None = None, **params: str | None) -> AuthResult:
        """Send an authorization request; log in when asked to. ``redirect_uri=None`` omits it."""
        query = {"client_id": self.client.client_id, "redirect_uri": self.client.redirect_uris[0], **params}
        response = self.http.get("/authorize", params={k: v for k, v in query.items() if v is not None})
        return self._follow(response, login=login, password=password)

    def _follow(self, response: httpx.Response, *, login: bool, password: str | None) -> AuthResult:
        login_pages = 0
        for _ in range(10):
            if response.status_code in (301, 302, 303, 307):
                location = urljoin(str(response.url), response.headers["location"])
                if not self._on_tenant(location):
                    return _client_redirect(location, response, login_pages)
                response = self.http.get(location)
                if urlsplit(location).path == "/u/login" and response.status_code == 200:
                    login_pages += 1
                    if not login:
                        return AuthResult("login", {}, response, login_pages=login_pages)
                    response = self.submit_login(response, password=password)
                continue
            forms = parse_html(response.text).forms if response.status_code == 200 else []
            if len(forms) == 1 and forms[0].method == "post" and not self._on_tenant(forms[0].action):
                return AuthResult("form_post", forms[0].inputs, response, forms[0].action, login_pages=login_pages)
            return AuthResult("page", {}, response, login_pages=login_pages)
        raise AssertionError("too many redirects at the tenant")

    def submit_login(self, page: httpx.Response, *, password: str | None = None) -> httpx.Response:
        """Fill the login form like a browser: every named input, then username and password."""
        form = parse_html(page.text).forms[0]
        data = {**form.inputs, "username": self.user.username,
                "password": self.user.password if password is None else password}
        return self.http.post(urljoin(str(page.url), form.action), data=data)

    def login(self) -> AuthResult:
        """Establish an SSO session with a plain `code` request."""
        result = self.authorize(response_type="code", scope="openid")
        assert "code" in result.params, result
        return result

    # --- back channel ------------------------------------------------------------
    def token(self, data: dict[str, str], *, auth: str = "post", client: ClientConfig | None = None,
              secret: str | None = None) -> httpx.Response:
        """POST /oauth/token authenticating as ``client`` by ``auth`` (post, basic, none)."""
        client = client or self.client
        secret = client.client_secret if secret is None else secret
        headers = {}
        if auth == "post":
            data = {"client_id": client.client_id, "client_secret": secret, **data}
        elif auth == "basic":  # RFC 6749 §2.3.1: form-encode id and secret, then Base64
            pair = f"{quote_plus(client.client_id)}:{quote_plus(secret)}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()
        return self.http.post("/oauth/token", data=data, headers=headers)

    def exchange(self, result: AuthResult, *, auth: str = "post", redirect_uri: str | None = "<default>",
                 secret: str | None = None, **extra: str) -> httpx.Response:
        """Redeem the code of ``result``; ``redirect_uri`` defaults to the client's first one,
        ``secret`` to the client's own."""
        data = {"grant_type": "authorization_code", "code": result.params["code"], **extra}
        if redirect_uri == "<default>":
            redirect_uri = self.client.redirect_uris[0]
        if redirect_uri is not None:
            data["redirect_uri"] = redirect_uri
        return self.token(data, auth=auth, secret=secret)

    def refresh(self, refresh_token: str, scope: str | None = None, *, client: ClientConfig | None = None) -> httpx.Response:
        data = {"grant_type": "refresh_token", "refresh_token": refresh_token}
        if scope is not None:
            data["scope"] = scope
        return self.token(data, client=client)

    def offline_tokens(self, scope: str = "openid profile email offline_access", **params: str) -> dict[str, Any]:
        """Tokens from a `code` flow with a refresh token."""
        response = self.exchange(self.authorize(response_type="code", scope=scope, nonce=NONCE, **params))
        assert response.status_code == 200, response.text
        return response.json()

    def userinfo(self, token: str, how: str = "get") -> httpx.Response:
        """GET or POST with the Bearer header, or POST with ``access_token`` in the body."""
        if how == "get":
            return self.http.get("/userinfo", headers={"Authorization": f"Bearer {token}"})
        if how == "post":
            return self.http.post("/userinfo", headers={"Authorization": f"Bearer {token}"})
        return self.http.post("/userinfo", data={"access_token": token})

    def discovery(self) -> dict[str, Any]:
        return self.http.get("/.well-known/openid-configuration").json()

    def jwks(self) -> dict[str, Any]:
        return self.http.get("/.well-known/jwks.json").json()


# --- verification, computed independently of the tenant ------------------------------
def verify(token: str, jwks: dict[str, Any], *, audience: str | None = None, issuer: str | None = None) -> dict[str, Any]:
    """Verify an RS256 JWT with the JWKS key its ``kid`` names (PyJWT)."""
    kid = jwt.get_unverified_header(token)["kid"]
    key = jwt.PyJWKSet.from_dict(jwks)[kid]
    options = {} if audience else {"verify_aud": False}
    return jwt.decode(token, key, algorithms=["RS256"], audience=audience, issuer=issuer, options=options)


def hash_claim(value: str, alg: str = "RS256") -> str:
    """Core §3.3.2.11 c_hash / at_hash with PyJWT's hash for ``alg``."""
    digest = jwt.get_algorithm_by_name(alg).compute_hash_digest(value.encode("ascii"))
    return base64.urlsafe_b64encode(digest[: len(digest) // 2]).rstrip(b"=").decode()


def hashlib_b64(value: str, name: str, half: bool) -> str:
    """A wrong-on-purpose hash variant (full digest, other hash) to recognise defects."""
    digest = hashlib.new(name, value.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest[: len(digest) // 2] if half else digest).rstrip(b"=").decode()


def pkce_pair(verifier: str = "v" * 43 + "-._~Ab12") -> tuple[str, str]:
    """(code_verifier, S256 code_challenge) per RFC 7636 §4.2."""
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def stop_process(process: subprocess.Popen[str]) -> None:
    """Kill a process this test started, if it is still running."""
    if process.poll() is None:
        process.kill()
        process.wait(timeout=10)


# --- request objects (Core §6) -------------------------------------------------------
def unsigned(claims: dict[str, Any]) -> str:
    """An unsigned request object: ``alg: none``, empty signature (RFC 7519 §6)."""
    return jwt.encode(claims, None, algorithm="none")


class ObjectServer:
    """A loopback HTTP server the tenant fetches ``request_uri`` objects from.

    ``serve(path, body)`` publishes ``body`` at ``url(path)``; other paths answer 404.
    """

    def __init__(self) -> None:
        objects: dict[str, str] = {}
        self.objects = objects

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                body = objects.get(self.path)
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Type", "application/oauth-authz-req+jwt")
                self.end_headers()
                self.wfile.write((body or "").encode())

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def serve(self, path: str, body: str) -> str:
        self.objects[path] = body
        return self.url(path)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
