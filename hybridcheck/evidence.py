"""Plain data the flows record and the checks judge. No behaviour beyond parsing.

A refused request is evidence too: an :class:`AuthorizationResponse` whose channel is
``"none"`` (the browser stayed at the tenant) is a normal outcome, not an exception.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import parse_qsl, urlencode, urlsplit

import jwt

Channel = Literal["fragment", "query", "form_post", "none"]


def parse_form(encoded: str) -> dict[str, str]:
    """Decode ``application/x-www-form-urlencoded`` text (a query, fragment or POST body).

    The last value wins for a repeated name; the raw string stays in the evidence too.
    """
    return dict(parse_qsl(encoded, keep_blank_values=True))


def response_type_values(response_type: str | None) -> frozenset[str]:
    """A response type as the set of its space-separated values (MRT §3, OAuth §3.1.1: order
    does not matter), so ``code token id_token`` is ``code id_token token``."""
    return frozenset((response_type or "").split())


def default_response_mode(response_type: str | None) -> str:
    """The response mode a response type uses when none is asked (MRT §2.1, §5): ``query`` for
    ``code`` (and ``none``) alone, ``fragment`` for every RT that returns a token or ID token."""
    values = response_type_values(response_type)
    return "query" if values and values <= {"code", "none"} else "fragment"


@dataclass(frozen=True)
class DecodedJwt:
    """A JWT split into its parts, decoded without verification (checks verify)."""

    raw: str
    header: dict[str, Any]
    claims: dict[str, Any]

    def __repr__(self) -> str:
        return f"<DecodedJwt alg={self.header.get('alg')} {len(self.claims)} claims>"

    @classmethod
    def parse(cls, raw: str) -> "DecodedJwt | None":
        """Decode ``raw``; ``None`` when it is not a JWS compact token at all."""
        try:
            header = jwt.get_unverified_header(raw)
            claims = jwt.decode(raw, options={"verify_signature": False})
        except jwt.PyJWTError:
            return None
        return cls(raw=raw, header=header, claims=claims)


@dataclass(frozen=True)
class AuthorizationRequest:
    """What the suite sent to the authorization endpoint (OIDC Core §3.3.2.1)."""

    authorization_endpoint: str
    client_id: str
    redirect_uri: str | None
    response_type: str | None
    response_mode: str | None = None  # None: the RT's default (fragment for hybrid)
    scope: str = "openid"
    state: str | None = None
    nonce: str | None = None
    extra: dict[str, str] = field(default_factory=dict)  # audience, prompt, max_age ...
    code_verifier: str | None = None  # PKCE secret kept for the token exchange

    def __repr__(self) -> str:
        return f"<AuthorizationRequest {self.response_type!r} mode={self.response_mode or 'default'}>"

    def params(self) -> dict[str, str]:
        """The query parameters, in a stable order, omitting what was not sent."""
        named = {
            "client_id": self.client_id,
            "response_type": self.response_type,
            "response_mode": self.response_mode,
            "redirect_uri": self.redirect_uri,
            "scope": self.scope,
            "state": self.state,
            "nonce": self.nonce,
        }
        sent = {k: v for k, v in named.items() if v is not None}
        sent.update(self.extra)
        return sent

    def url(self) -> str:
        """The full authorization URL."""
        separator = "&" if urlsplit(self.authorization_endpoint).query else "?"
        return f"{self.authorization_endpoint}{separator}{urlencode(self.params())}"

    @property
    def expected_mode(self) -> str:
        """The response mode the response must use: asked, else the RT's default (MRT §5)."""
        return self.response_mode or default_response_mode(self.response_type)

    @property
    def response_type_values(self) -> frozenset[str]:
        """The RT as a set: ``code token id_token`` equals ``code id_token token`` (MRT §3)."""
        return response_type_values(self.response_type)


@dataclass(frozen=True)
class BrowserRequest:
    """One request the browser made: navigation, redirect hop, form POST or fetch."""

    method: str
    url: str
    resource_type: str
    post_data: str | None = None
    redirected_from: str | None = None
    referer: str | None = None

    def __repr__(self) -> str:
        return f"<BrowserRequest {self.method} {self.resource_type}>"


@dataclass(frozen=True)
class BrowserResponse:
    """One document response the browser received (status and headers)."""

    url: str
    status: int
    headers: dict[str, str]

    def __repr__(self) -> str:
        return f"<BrowserResponse {self.status}>"


@dataclass(frozen=True)
class CallbackHit:
    """One request the relying-party callback server received."""

    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: str = ""

    def __repr__(self) -> str:
        return f"<CallbackHit {self.method} {self.path}>"

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


@dataclass(frozen=True)
class AuthorizationResponse:
    """Everything observed from sending an :class:`AuthorizationRequest` in a browser.

    ``channel`` says how the response reached the client: ``fragment`` (callback URL
    fragment), ``query`` (callback URL query), ``form_post`` (a POST to the callback) or
    ``none`` (the browser never reached a registered redirect URI, e.g. an error page at
    the tenant). ``params`` are the parameters of that channel; ``query``, ``fragment``
    and ``form`` keep every place separately so a check can see values in the wrong one.
    """

    request: AuthorizationRequest
    channel: Channel
    params: dict[str, str]
    final_url: str
    query: dict[str, str] = field(default_factory=dict)
    fragment: dict[str, str] = field(default_factory=dict)
    form: dict[str, str] = field(default_factory=dict)
    raw_channel: str = ""  # the undecoded query/fragment/body the params came from
    browser_requests: tuple[BrowserRequest, ...] = ()
    browser_responses: tuple[BrowserResponse, ...] = ()
    callback_hits: tuple[CallbackHit, ...] = ()
    login_pages_shown: int = 0
    page_text: str = ""  # visible text of the final page (an error page, say)
    #: Where the browser flow stopped: "client" (the callback page), "recipe error page", "login refused", "settled"
    #: (a page the recipe does not know, quiet), "timeout", "navigation failed", "login steps exhausted".
    stopped: str = ""
    retried: bool = False  # a second attempt after an infrastructure flake of a remote tenant (the first is kept too)
    screenshot: bytes | None = field(default=None, repr=False, compare=False)  # PNG, when asked for

    def __repr__(self) -> str:
        return f"<AuthorizationResponse channel={self.channel} {len(self.params)} params>"

    @property
    def id_token(self) -> DecodedJwt | None:
        raw = self.params.get("id_token")
        return DecodedJwt.parse(raw) if raw else None

    @property
    def is_error(self) -> bool:
        return "error" in self.params

    @property
    def raw_pairs(self) -> tuple[tuple[str, str], ...]:
        """The channel's (name, value) pairs in the order sent, repeats kept (RESP-8).

        ``params`` is a dict made from them (the last value wins); a check that must see
        a parameter sent twice reads these instead.
        """
        return tuple(parse_qsl(self.raw_channel, keep_blank_values=True))


@dataclass(frozen=True)
class ProviderMetadata:
    """The discovery document and JWKS as fetched (Core Discovery §3, §4)."""

    discovery_url: str
    discovery: dict[str, Any]
    jwks: dict[str, Any]
    discovery_status: int = 200
    jwks_status: int = 200

    def __repr__(self) -> str:
        return f"<ProviderMetadata discovery {self.discovery_status}, jwks {self.jwks_status}>"


@dataclass(frozen=True)
class HttpExchange:
    """One back-channel HTTP request and its answer, as sent and received."""

    method: str
    url: str
    request_headers: dict[str, str]
    request_form: dict[str, str]
    status: int
    response_headers: dict[str, str]
    body: str

    def __repr__(self) -> str:
        return f"<HttpExchange {self.method} {urlsplit(self.url).path} {self.status}>"

    @property
    def json(self) -> dict[str, Any] | None:
        """The body as a JSON object; ``None`` when it is not one."""
        try:
            value = json.loads(self.body)
        except ValueError:
            return None
        return value if isinstance(value, dict) else None


@dataclass(frozen=True)
class TokenResponse:
    """A token-endpoint answer (OAuth §5.1, §5.2; Core §3.1.3.3)."""

    exchange: HttpExchange

    def __repr__(self) -> str:
        return f"<TokenResponse {self.exchange.status} {len(self.body)} fields>"

    @property
    def body(self) -> dict[str, Any]:
        return self.exchange.json or {}

    @property
    def ok(self) -> bool:
        return self.exchange.status == 200 and "access_token" in self.body

    @property
    def error(self) -> str | None:
        value = self.body.get("error")
        return value if isinstance(value, str) else None

    @property
    def id_token(self) -> DecodedJwt | None:
        raw = self.body.get("id_token")
        return DecodedJwt.parse(raw) if isinstance(raw, str) else None

    @property
    def access_token(self) -> str | None:
        value = self.body.get("access_token")
        return value if isinstance(value, str) else None

    @property
    def refresh_token(self) -> str | None:
        value = self.body.get("refresh_token")
        return value if isinstance(value, str) else None

    @property
    def granted_scope(self) -> frozenset[str] | None:
        value = self.body.get("scope")
        return frozenset(value.split()) if isinstance(value, str) else None


@dataclass(frozen=True)
class CompletedFlow:
    """An authorization response and the token response its code was exchanged for."""

    authorization: AuthorizationResponse
    tokens: TokenResponse

    def __repr__(self) -> str:
        return f"<CompletedFlow {self.authorization!r} {self.tokens!r}>"

    @property
    def front_channel_claims(self) -> dict[str, Any]:
        """The claims of the authorization response's ID token; empty when it holds none."""
        id_token = self.authorization.id_token
        return id_token.claims if id_token else {}

    @property
    def token_endpoint_claims(self) -> dict[str, Any]:
        """The claims of the token response's ID token; empty when it holds none (or one that
        does not parse as a JWT). ``tokens.id_token is None`` tells "none" from "no claims"."""
        id_token = self.tokens.id_token
        return id_token.claims if id_token else {}
