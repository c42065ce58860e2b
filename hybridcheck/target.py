"""The tenant under test as one run sees it, and the request builder the suites use."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from jwt.utils import base64url_encode
from playwright.sync_api import Page

from hybridcheck.evidence import AuthorizationRequest, AuthorizationResponse, ProviderMetadata
from hybridcheck.flows.authorize import AuthorizeFlow, screenshot_or_none
from hybridcheck.matrix import FlowCase
from hybridcheck.profile import Client, Profile

#: Chromium's network errors that say the connection broke, not that the tenant answered or refused.
TRANSIENT_NET_ERRORS = ("net::ERR_CONNECTION_RESET", "net::ERR_CONNECTION_CLOSED", "net::ERR_TIMED_OUT",
                        "net::ERR_EMPTY_RESPONSE", "net::ERR_NETWORK_CHANGED", "net::ERR_CONNECTION_TIMED_OUT")


def infrastructure_flake(response: AuthorizationResponse) -> bool:
    """The flow said nothing about the tenant's conformance: it timed out before any page could
    be judged, or the connection broke (reset, closed, timed out) before the client got anything.
    A refused connection is an answer (a near miss redirected to a port nobody serves)."""
    if response.callback_hits:
        return False
    if response.stopped == "timeout":
        return True
    return response.stopped == "navigation failed" and any(e in response.page_text for e in TRANSIENT_NET_ERRORS)


#: Marker for "generate a fresh random value" in :meth:`Authorizer.request`.
AUTO: Any = object()


@dataclass(frozen=True)
class Target:
    """The issuer and clients (redirect URIs bound to the callback server) of this run."""

    profile: Profile
    issuer: str
    clients: Mapping[str, Client]

    def __repr__(self) -> str:
        return f"<Target {self.profile.name} {len(self.clients)} clients>"

    @property
    def main_client(self) -> Client:
        return self.clients["main"]


@dataclass(frozen=True)
class FinalPage:
    """Where a failed test's browser page ended: its URL and a screenshot (None if Chromium refused one)."""

    url: str
    screenshot: bytes | None = field(repr=False)


@dataclass
class Authorizer:
    """Builds authorization requests for the target and runs them in one browser page.

    Every response it produces is kept in ``responses``, and a failed test's last page in
    ``final_page`` (:meth:`keep_final_page`): the evidence reports show.
    """

    target: Target
    provider: ProviderMetadata
    flow: AuthorizeFlow
    new_page: Callable[[], Page]
    responses: list[AuthorizationResponse] = field(default_factory=list)
    final_page: FinalPage | None = None
    _page: Page | None = None

    def __repr__(self) -> str:
        return f"<Authorizer {len(self.responses)} responses>"

    @property
    def page(self) -> Page:
        if self._page is None:
            self._page = self.new_page()
        return self._page

    def keep_final_page(self) -> None:
        """Record the page the test ended on, if it opened one (called when a test fails)."""
        if self._page is not None:
            self.final_page = FinalPage(self._page.url, screenshot_or_none(self._page))

    def request(
        self,
        case: FlowCase | None = None,
        *,
        response_type: str | None = AUTO,
        response_mode: str | None = AUTO,
        client: str = "main",
        redirect_uri: str | None = AUTO,
        scope: str = "openid profile email",
        state: str | None = AUTO,
        nonce: str | None = AUTO,
        pkce: bool = False,
        **extra: str,
    ) -> AuthorizationRequest:
        """An authorization request; ``AUTO`` values come from ``case`` or are fresh and random, ``None`` omits.

        ``pkce`` adds an S256 ``code_challenge`` (RFC 7636 §4.2) and keeps the verifier in the request.
        """
        registered = self.target.clients[client]
        verifier = secrets.token_urlsafe(48) if pkce else None
        if verifier:
            challenge = base64url_encode(hashlib.sha256(verifier.encode("ascii")).digest()).decode()
            extra = {**extra, "code_challenge": challenge, "code_challenge_method": "S256"}
        if response_type is AUTO:
            response_type = case.response_type if case else "code id_token"
        if response_mode is AUTO:
            response_mode = case.response_mode if case else None
        return AuthorizationRequest(
            authorization_endpoint=self.provider.discovery["authorization_endpoint"],
            client_id=registered.client_id,
            # A wildcard registration (Auth0: https://*.example.com) is sent as one URI it covers.
            redirect_uri=registered.redirect_uris[0].replace("*", "app", 1) if redirect_uri is AUTO else redirect_uri,
            response_type=response_type,
            response_mode=response_mode,
            scope=scope,
            state=secrets.token_urlsafe(12) if state is AUTO else state,
            nonce=secrets.token_urlsafe(12) if nonce is AUTO else nonce,
            extra=extra,
            code_verifier=verifier,
        )

    def run(self, request: AuthorizationRequest, *, screenshot: bool = False) -> AuthorizationResponse:
        """Send ``request`` in this test's page and keep the evidence (and the screenshot, if asked).

        Against a remote tenant, a flow ended by an infrastructure flake (:func:`infrastructure_flake`)
        is sent once more and the answer marked ``retried``; both attempts stay in the evidence.
        A tenant the run started itself is never retried: there, a flake is the tenant's fault.
        """
        response = self.flow.run(self.page, request, screenshot=screenshot)
        if not self.target.profile.started_by_run and infrastructure_flake(response):
            self.responses.append(response)
            response = replace(self.flow.run(self.page, request, screenshot=screenshot), retried=True)
        self.responses.append(response)
        return response

    def __call__(self, case: FlowCase | None = None, *, screenshot: bool = False, **overrides: Any) -> AuthorizationResponse:
        """Build a request for ``case`` (with ``overrides``) and run it."""
        return self.run(self.request(case, **overrides), screenshot=screenshot)
