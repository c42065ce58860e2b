"""The authorize flow: a real browser sends an authorization request and we record what happens.

The flow never judges. It navigates, gets through the tenant's login pages with the
profile's recipe, and stops when the browser is back at the client (callback marker) or
rests on a tenant page (an error page, say). Every request and document response the
browser saw, every hit of the callback server and the final URL become evidence.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, Request, Response
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from hybridcheck.evidence import (
    AuthorizationRequest,
    AuthorizationResponse,
    BrowserRequest,
    BrowserResponse,
    CallbackHit,
    Channel,
    parse_form,
)
from hybridcheck.flows.callback import CALLBACK_MARKER_ID, CallbackServer
from hybridcheck.flows.login import LoginRecipe
from hybridcheck.profile import TestUser
from hybridcheck.redact import REDACTOR

_MAX_LOGIN_STEPS = 4  # identifier, password, consent, and one spare: never loop on a login form


class RequestWatcher:
    """Records every request (redirect hops included) and document response of a page."""

    def __init__(self, page: Page) -> None:
        self._page = page
        self.requests: list[BrowserRequest] = []
        self.responses: list[BrowserResponse] = []
        page.on("request", self._on_request)
        page.on("response", self._on_response)

    def _on_request(self, request: Request) -> None:
        try:
            post_data = request.post_data
        except (PlaywrightError, UnicodeDecodeError):
            post_data = None
        previous = request.redirected_from
        self.requests.append(
            BrowserRequest(
                method=request.method,
                url=request.url,
                resource_type=request.resource_type,
                post_data=post_data,
                redirected_from=previous.url if previous else None,
                referer=request.headers.get("referer"),
            )
        )

    def _on_response(self, response: Response) -> None:
        if response.request.resource_type == "document":
            self.responses.append(BrowserResponse(response.url, response.status, dict(response.headers)))

    def close(self) -> None:
        self._page.remove_listener("request", self._on_request)
        self._page.remove_listener("response", self._on_response)


class PageActivity:
    """When the page last did something: a request started or ended, or its main frame navigated.

    A page is *settled* when no request is in flight and nothing happened for a while: the
    tenant has said all it will say, whether or not the recipe knows the page.
    """

    _EVENTS = ("request", "requestfinished", "requestfailed", "framenavigated")

    def __init__(self, page: Page) -> None:
        self._page = page
        self.in_flight = 0
        self.last = time.monotonic()
        self._handlers = {
            "request": self._started,
            "requestfinished": self._ended,
            "requestfailed": self._ended,
            "framenavigated": self._navigated,
        }
        for event, handler in self._handlers.items():
            page.on(event, handler)

    def _started(self, request: Request) -> None:
        self.in_flight += 1
        self.last = time.monotonic()

    def _ended(self, request: Request) -> None:
        self.in_flight = max(0, self.in_flight - 1)
        self.last = time.monotonic()

    def _navigated(self, frame: object) -> None:
        self.last = time.monotonic()

    def quiet_for(self, seconds: float) -> bool:
        return self.in_flight == 0 and time.monotonic() - self.last >= seconds

    def close(self) -> None:
        for event, handler in self._handlers.items():
            self._page.remove_listener(event, handler)


def screenshot_or_none(page: Page) -> bytes | None:
    """A screenshot is evidence, never a verdict: Chromium may refuse one mid-navigation."""
    try:
        return page.screenshot(type="png", timeout=5_000)
    except PlaywrightError:
        return None


@dataclass(frozen=True)
class AuthorizeFlow:
    """What a flow needs besides the page: where the client listens, and how to log in."""

    callback: CallbackServer
    recipe: LoginRecipe
    user: TestUser
    timeout_ms: int = 15_000
    settle_ms: int = 750  # quiet that ends the flow on a page the recipe does not know

    def __repr__(self) -> str:
        return f"<AuthorizeFlow timeout {self.timeout_ms} ms, settle {self.settle_ms} ms>"

    def run(self, page: Page, request: AuthorizationRequest, *, screenshot: bool = False) -> AuthorizationResponse:
        """Send ``request`` in ``page`` and return everything observed.

        A navigation the browser cannot complete (a redirect to a port nobody listens on,
        say) ends the flow; the network error becomes the page text of the evidence.
        """
        watcher = RequestWatcher(page)
        activity = PageActivity(page)
        mark = self.callback.mark()
        logins = 0
        try:
            try:
                page.goto(request.url(), wait_until="commit", timeout=self.timeout_ms)
            except PlaywrightError as error:
                page_text, stopped = f"navigation failed: {error.message.splitlines()[0]}", "navigation failed"
            else:
                stopped = "login steps exhausted"  # never loop on a login form
                for _ in range(_MAX_LOGIN_STEPS + 1):
                    at = self._wait_for_page(page, activity)
                    if at != "login step":
                        stopped = at
                        break
                    logins += self.recipe.perform_step(page, self.user)
                page_text = self._page_text(page)
            image = screenshot_or_none(page) if screenshot else None
        finally:
            activity.close()
            watcher.close()
        hits = self.callback.hits_since(mark)
        evidence = _response_evidence(request, page.url, hits, watcher, logins, page_text, self.callback.origin)
        return replace(evidence, screenshot=image, stopped=stopped)

    def _wait_for_page(self, page: Page, activity: PageActivity) -> str:
        """Wait until the client got the response or the tenant shows one of the recipe's pages.

        Returns "login step" when a login/consent step is on screen, else where the flow
        stops: "client", "recipe error page", "login refused", or, on a page that shows none of the known
        markers (another tenant's error page, say), "settled" as soon as the page is quiet
        (:class:`PageActivity`, ``settle_ms``) and "timeout" when it never is.
        """
        back_at_client = page.locator(f"#{CALLBACK_MARKER_ID}")
        anything = back_at_client
        for selector in self.recipe.markers():
            anything = anything.or_(page.locator(selector))
        deadline = time.monotonic() + self.timeout_ms / 1000
        while True:
            remaining_ms = (deadline - time.monotonic()) * 1000
            if remaining_ms <= 0:
                return "timeout"
            try:
                anything.first.wait_for(state="attached", timeout=max(1.0, min(remaining_ms, self.settle_ms / 3)))
                break
            except PlaywrightTimeoutError:
                if activity.quiet_for(self.settle_ms / 1000):
                    return "settled"
        if back_at_client.count():
            return "client"
        if self.recipe.error and page.locator(self.recipe.error).count():
            return "recipe error page"
        if self.recipe.login_error and page.locator(self.recipe.login_error).count():
            return "login refused"  # never submit refused credentials again
        return "login step"

    @staticmethod
    def _page_text(page: Page) -> str:
        try:
            return page.locator("body").inner_text(timeout=2_000)
        except PlaywrightError:
            return ""


def _response_evidence(
    request: AuthorizationRequest,
    final_url: str,
    hits: tuple[CallbackHit, ...],
    watcher: RequestWatcher,
    logins: int,
    page_text: str,
    callback_origin: str,
) -> AuthorizationResponse:
    """Decide the channel the response came by and collect its parameters."""
    # Any host the browser maps to the callback server (localhost, *.localhost, the near-miss
    # foreign host) counts: the server's port and a request it received say "at the client".
    at_client = bool(hits) and urlsplit(final_url).port == urlsplit(callback_origin).port
    url = urlsplit(final_url)
    query = parse_form(url.query) if at_client else {}
    fragment = parse_form(url.fragment) if at_client else {}
    last = hits[-1] if hits else None
    form = parse_form(last.body) if at_client and last and last.method == "POST" else {}
    channel: Channel
    if not at_client:
        channel, params, raw = "none", {}, ""
    elif last is not None and last.method == "POST":
        channel, params, raw = "form_post", form, last.body
    elif url.fragment:
        channel, params, raw = "fragment", fragment, url.fragment
    else:
        channel, params, raw = "query", query, url.query
    response = AuthorizationResponse(
        request=request,
        channel=channel,
        params=params,
        final_url=final_url,
        query=query,
        fragment=fragment,
        form=form,
        raw_channel=raw,
        browser_requests=tuple(watcher.requests),
        browser_responses=tuple(watcher.responses),
        callback_hits=hits,
        login_pages_shown=logins,
        page_text=page_text,
    )
    credentials = ("code", "access_token", "refresh_token", "id_token")
    values = [place.get(name) for name in credentials for place in (query, fragment, form)]
    values += [value for name, value in response.raw_pairs if name in credentials]  # every copy (RESP-8)
    for value in values:
        REDACTOR.add(value)
    return response
