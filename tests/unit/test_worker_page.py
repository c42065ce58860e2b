"""The worker's reused page: one context and page, cookies reset to the stored state on every use."""

from __future__ import annotations

from typing import Any

from hybridcheck.session import WorkerPage


class FakePage:
    def __init__(self) -> None:
        self.closed = False

    def is_closed(self) -> bool:
        return self.closed


class FakeContext:
    def __init__(self) -> None:
        self.cookies: list[dict[str, Any]] = []
        self.pages: list[FakePage] = []
        self.closed = False

    def clear_cookies(self) -> None:
        self.cookies = []

    def add_cookies(self, cookies: list[dict[str, Any]]) -> None:
        self.cookies += cookies

    def new_page(self) -> FakePage:
        self.pages.append(FakePage())
        return self.pages[-1]

    def close(self) -> None:
        self.closed = True


class FakeBrowser:
    def __init__(self) -> None:
        self.contexts: list[FakeContext] = []

    def new_context(self) -> FakeContext:
        self.contexts.append(FakeContext())
        return self.contexts[-1]


SESSION = {"name": "session", "value": "sso", "domain": "localhost", "path": "/"}


def test_every_use_starts_from_the_stored_cookies_on_the_same_page() -> None:
    browser = FakeBrowser()
    worker = WorkerPage(browser, {"cookies": [SESSION], "origins": []})
    page = worker.reset()
    context = browser.contexts[0]
    context.cookies.append({"name": "renewed", "value": "by a test"})  # what a test's flow may leave behind
    assert worker.reset() is page and context.cookies == [SESSION]
    page.closed = True  # a test closed it: the next use gets a new page in the same context
    assert worker.reset() is not page and len(browser.contexts) == 1
    worker.close()
    assert context.closed


def test_without_a_stored_state_every_use_starts_with_no_cookies() -> None:
    browser = FakeBrowser()
    worker = WorkerPage(browser)
    worker.reset()
    browser.contexts[0].cookies.append(SESSION)
    worker.reset()
    assert browser.contexts[0].cookies == []
