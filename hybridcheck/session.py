"""The run's session, built one way for the plugin's fixtures and for the bench.

A session is the tenant under test (started here when the profile says ``embedded`` or
``launched``), its metadata, the token client and the flow that drives the browser, and
the one SSO login each worker does. The plugin wraps each piece in a session fixture (a
team may override any of them); the bench composes them with :func:`open_session`, so it
measures what the suite runs, not a replica.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from hybridcheck.embedded import tenant_config_from_profile
from hybridcheck.evidence import AuthorizationResponse, ProviderMetadata
from hybridcheck.flows.authorize import AuthorizeFlow
from hybridcheck.flows.callback import CallbackServer
from hybridcheck.flows.http import BackChannel
from hybridcheck.flows.login import recipe_for
from hybridcheck.flows.metadata import fetch_metadata
from hybridcheck.flows.pacing import SharedBucket
from hybridcheck.flows.token import TokenClient
from hybridcheck.peer import launch_peer, peer_environment
from hybridcheck.preflight import diagnose_authorization
from hybridcheck.profile import Profile
from hybridcheck.redact import redact
from hybridcheck.target import Authorizer, Target
from hybridcheck.tenant import start_tenant


class LoginFailed(Exception):
    """The SSO login did not bring a code back to the client; the message says where it ended."""


@contextmanager
def started_target(profile: Profile, callback_origin: str, defects: frozenset[str] = frozenset()) -> Iterator[Target]:
    """The tenant under test, its clients bound to ``callback_origin``: the reference tenant
    (``issuer = "embedded"``, with ``defects``), a peer OP from ``[launch]`` (``"launched"``;
    :class:`~hybridcheck.peer.PeerFailed` when it does not start), or the profile's issuer."""
    clients = {role: client.bound(callback_origin) for role, client in profile.clients.items()}
    if profile.embedded:
        with start_tenant(tenant_config_from_profile(profile, callback_origin, defects)) as running:
            yield Target(profile=profile, issuer=running.issuer, clients=clients)
    elif profile.launch is not None:
        peer = launch_peer(profile.launch, peer_environment(profile, clients))
        try:
            yield Target(profile=profile, issuer=peer.issuer, clients=clients)
        finally:
            peer.stop()
    else:
        yield Target(profile=profile, issuer=profile.issuer, clients=clients)


def token_client(back_channel: BackChannel, provider: ProviderMetadata, target: Target,
                 budget_dir: Path | None = None) -> TokenClient:
    """Token endpoint and UserInfo of ``target`` by client role, UserInfo paced by ``[limits]``.

    ``budget_dir`` holds the shared rate budget of a tenant the run started (it lives as
    long as the run); None keeps a real tenant's budget where every run on this machine sees it.
    """
    profile = target.profile
    limit = profile.userinfo_limit
    pacer = SharedBucket.for_budget(limit, target.issuer, profile.user.username, "userinfo",
                                    directory=budget_dir) if limit else None
    return TokenClient(back_channel, provider.discovery, dict(target.clients), userinfo_pacer=pacer)


def authorize_flow(profile: Profile, callback: CallbackServer) -> AuthorizeFlow:
    """The browser side of an authorization request: the profile's login recipe, user and timeout."""
    return AuthorizeFlow(callback=callback, recipe=recipe_for(profile.login), user=profile.user,
                         timeout_ms=profile.navigation_timeout_ms, settle_ms=profile.timeouts.settle_ms)


def sso_login(browser: Any, target: Target, provider: ProviderMetadata, flow: AuthorizeFlow,
              keep: Callable[[Authorizer], None] = lambda authorizer: None) -> tuple[dict, AuthorizationResponse]:
    """Log in once (``response_type=code``) and return the browser's storage state with the response.

    ``keep`` receives the login's :class:`Authorizer` before it runs, so its evidence can be
    reported whatever happens. :class:`LoginFailed` when no code reached the client.
    """
    context = browser.new_context()
    try:
        authorizer = Authorizer(target, provider, flow, context.new_page)
        keep(authorizer)
        response = authorizer(response_type="code", response_mode=None, scope="openid")
        if "code" not in response.params:
            known = diagnose_authorization(response, target.profile)
            if known:
                raise LoginFailed(f"tenant {target.issuer} is misconfigured: {known}")
            shown = redact(response.page_text[:300] or json.dumps(response.params))
            raise LoginFailed(f"login to {target.issuer} with recipe '{flow.recipe.name}' did not reach the client "
                              f"(final URL {redact(response.final_url)}, stopped: {response.stopped}): {shown}")
        return context.storage_state(), response
    finally:
        context.close()


class WorkerPage:
    """A worker's one browser page for flows that do not judge the session: a new context and
    page cost more than a whole SSO flow's redirects on loopback, so they are made once. Before
    each use its cookies are reset to the stored state (the SSO login's, or none), so every
    test starts from the same session whatever the test before it did."""

    def __init__(self, browser: Any, storage_state: dict | None = None) -> None:
        self._browser = browser
        self._cookies = list((storage_state or {}).get("cookies", []))
        self._context: Any = None
        self._page: Any = None

    def __repr__(self) -> str:
        return f"<WorkerPage {len(self._cookies)} cookies>"

    def reset(self) -> Any:
        """The page, its cookies those of the stored state."""
        if self._context is None:
            self._context = self._browser.new_context()
        self._context.clear_cookies()
        if self._cookies:
            self._context.add_cookies(self._cookies)
        if self._page is None or self._page.is_closed():
            self._page = self._context.new_page()
        return self._page

    def close(self) -> None:
        if self._context is not None:
            self._context.close()
            self._context = self._page = None


@dataclass(frozen=True)
class Session:
    """Everything a flow needs, as the plugin's session fixtures provide it."""

    profile: Profile
    callback: CallbackServer
    target: Target
    provider: ProviderMetadata
    back_channel: BackChannel
    tokens: TokenClient
    flow: AuthorizeFlow

    def authorizer(self, new_page: Callable[[], Any]) -> Authorizer:
        return Authorizer(self.target, self.provider, self.flow, new_page)


@contextmanager
def open_session(profile: Profile, defects: frozenset[str] = frozenset(),
                 flow: Callable[[Profile, CallbackServer], AuthorizeFlow] = authorize_flow) -> Iterator[Session]:
    """A whole session outside pytest (the bench): callback server, tenant, metadata, clients.

    ``flow`` builds the browser side (the bench passes one that times its steps).
    """
    with CallbackServer(profile.callback.host, profile.callback.port_for(0)) as callback, \
            started_target(profile, callback.origin, defects) as target, \
            httpx.Client(timeout=profile.http_timeout_s) as http:
        provider = fetch_metadata(http, target.issuer)
        back_channel = BackChannel(http)
        yield Session(profile=profile, callback=callback, target=target, provider=provider,
                      back_channel=back_channel, tokens=token_client(back_channel, provider, target),
                      flow=flow(profile, callback))
