"""The fixtures that run flows: the worker's pages, the authorizers, shared flows, head starts.

A companion of :mod:`hybridcheck.plugin` (its ``pytest_plugins``), for suite tests and a
team's own checks alike:

- ``authorize`` / ``fresh_authorize``: an :class:`~hybridcheck.target.Authorizer` with or
  without the SSO session, on the worker's reused page (:class:`~hybridcheck.session.WorkerPage`)
  unless the test judges the session or per-test browser artifacts are asked for;
- ``complete``: authorize and exchange the code, the preconditions judged under the test's ID;
- ``shared_authorize`` / ``shared_complete``: the same for tests that only read a flow, one
  flow per request shape and worker (:mod:`hybridcheck.shared_flows`);
- ``code_exchanged_at_start``: a head start (:data:`~hybridcheck.head_starts.HEAD_STARTS`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from hybridcheck import session
from hybridcheck.checks.response import check_flow_succeeded
from hybridcheck.checks.wellformed import check_completed_flow_usable
from hybridcheck.evidence import AuthorizationResponse, CompletedFlow, ProviderMetadata, TokenResponse
from hybridcheck.flows.authorize import AuthorizeFlow
from hybridcheck.flows.token import TokenClient
from hybridcheck.keys import EVIDENCE_KEY, SHARED_EVIDENCE_KEY, WORKER_EVIDENCE_KEY
from hybridcheck.head_starts import ExchangedAtStart, head_starts
from hybridcheck.matrix import FlowCase, cases, unusable_reason
from hybridcheck.shared_flows import SharedFlow, SharedFlows
from hybridcheck.target import Authorizer, Target


def _authorizer(request: pytest.FixtureRequest, page_factory: Any) -> Authorizer:
    authorizer = Authorizer(
        request.getfixturevalue("target"),
        request.getfixturevalue("provider"),
        request.getfixturevalue("authorize_flow"),
        page_factory,
    )
    request.node.stash[EVIDENCE_KEY] = authorizer
    return authorizer


#: pytest-playwright's options that record per-test browser artifacts (a trace, a video, a
#: screenshot): asked for, every test gets its own context, as pytest-playwright makes them.
_PER_TEST_ARTIFACTS = ("--tracing", "--video", "--screenshot")


def _own_context(item: pytest.Item) -> bool:
    """A test gets a browser context of its own when it judges the session (SESS-*: prompt,
    max_age, re-authentication) or when per-test browser artifacts are asked for."""
    config = item.config
    return item.get_closest_marker("session") is not None or any(
        config.getoption(option, "off") != "off" for option in _PER_TEST_ARTIFACTS)


@pytest.fixture(scope="session")
def worker_code_exchanged_at_start(
    pytestconfig: pytest.Config, browser: Any, sso_storage_state: dict, target: Target, provider: ProviderMetadata,
    authorize_flow: AuthorizeFlow, tokens: TokenClient,
) -> Iterator[ExchangedAtStart]:
    """SESS-9's code (any usable cell, main client), exchanged at the start of the worker (a head start)."""
    cell = next((c for c in cases() if unusable_reason(c, target.profile, provider) is None), None)
    page = session.WorkerPage(browser, sso_storage_state)
    authorizer = Authorizer(target, provider, authorize_flow, page.reset)
    pytestconfig.stash.setdefault(WORKER_EVIDENCE_KEY, []).append(authorizer)
    try:
        flow = SharedFlow(authorizer(cell))
        if "code" in flow.authorization.params:
            flow.tokens = _exchange(tokens, flow.authorization, "main")
        yield ExchangedAtStart(flow, time.time())
    finally:
        page.close()


@pytest.fixture
def code_exchanged_at_start(request: pytest.FixtureRequest,
                            worker_code_exchanged_at_start: ExchangedAtStart) -> ExchangedAtStart:
    """The worker's head-start flow (:data:`~hybridcheck.head_starts.HEAD_STARTS`), in this test's evidence."""
    _judged(request, worker_code_exchanged_at_start.flow)
    return worker_code_exchanged_at_start


@pytest.fixture(scope="session")
def worker_pages(request: pytest.FixtureRequest, browser: Any,
                 sso_storage_state: dict) -> Iterator[dict[bool, session.WorkerPage]]:
    """The worker's reused pages, with the SSO session (True) and without (False); the
    worker's browser session begins here, and with it the clocks of :data:`~hybridcheck.head_starts.HEAD_STARTS`."""
    for name in sorted({name for item in request.session.items for name in head_starts(item)}):
        request.getfixturevalue(name)
    pages = {True: session.WorkerPage(browser, sso_storage_state), False: session.WorkerPage(browser)}
    yield pages
    for page in pages.values():
        page.close()


def _page_factory(request: pytest.FixtureRequest, with_session: bool) -> Any:
    if not _own_context(request.node):
        return request.getfixturevalue("worker_pages")[with_session].reset
    new_context = request.getfixturevalue("new_context")
    state = request.getfixturevalue("sso_storage_state") if with_session else None
    return lambda: new_context(storage_state=state).new_page()


# ``browser`` in the signatures below: a test that reaches the browser only at run time escapes
# pytest-playwright's ``browser_name`` parametrisation, and its cache key then tears down the
# worker's browser and SSO session (a second login, a second pre-flight) mid-run.


@pytest.fixture
def authorize(request: pytest.FixtureRequest, browser: Any) -> Authorizer:
    """Run authorization requests in a browser that has the worker's SSO session."""
    return _authorizer(request, _page_factory(request, with_session=True))


@pytest.fixture
def fresh_authorize(request: pytest.FixtureRequest, browser: Any) -> Authorizer:
    """Run authorization requests in a browser with no session (login shown)."""
    return _authorizer(request, _page_factory(request, with_session=False))


def _req_id(request: pytest.FixtureRequest) -> str:
    return request.node.get_closest_marker("req").args[0]


def _completed(response: AuthorizationResponse, exchanged: Callable[[], TokenResponse], req_id: str) -> CompletedFlow:
    """The preconditions of a test that reads a completed flow, each under the test's requirement ID."""
    check_flow_succeeded(response, req_id)
    flow = CompletedFlow(response, exchanged())
    check_completed_flow_usable(flow, req_id)
    return flow


def _exchange(tokens: TokenClient, response: AuthorizationResponse, client: str) -> TokenResponse:
    return tokens.exchange(response.params["code"], response.request.redirect_uri, client=client,
                           code_verifier=response.request.code_verifier)


@pytest.fixture
def complete(request: pytest.FixtureRequest, authorize: Authorizer, tokens: TokenClient) -> Any:
    """``complete(case, **overrides)``: authorize (SSO session) and exchange the code.

    A flow that does not reach the client, or returns a malformed ID token or token
    response, fails the test under its own requirement ID, as a precondition, with the
    evidence attached.
    """
    req_id = _req_id(request)

    def run(case: FlowCase | None = None, *, client: str = "main", **overrides: Any) -> CompletedFlow:
        response = authorize(case, client=client, **overrides)
        return _completed(response, lambda: _exchange(tokens, response, client), req_id)

    return run


@pytest.fixture(scope="session")
def shared_flows(pytestconfig: pytest.Config, target: Target, provider: ProviderMetadata,
                 authorize_flow: AuthorizeFlow, tokens: TokenClient,
                 worker_pages: dict[bool, session.WorkerPage]) -> SharedFlows:
    """The worker's flows that tests only read (:mod:`hybridcheck.shared_flows`)."""
    kept = pytestconfig.stash.setdefault(WORKER_EVIDENCE_KEY, [])

    def authorizer(with_session: bool) -> Authorizer:
        kept.append(Authorizer(target, provider, authorize_flow, worker_pages[with_session].reset))
        return kept[-1]

    return SharedFlows(authorizer, lambda response, client: _exchange(tokens, response, client))


def _judged(request: pytest.FixtureRequest, flow: SharedFlow) -> SharedFlow:
    judged = request.node.stash.setdefault(SHARED_EVIDENCE_KEY, [])
    if flow not in judged:
        judged.append(flow)
    return flow


@pytest.fixture
def shared_authorize(request: pytest.FixtureRequest, shared_flows: SharedFlows) -> Any:
    """``shared_authorize(case, *, client="main", with_session=True, **overrides)``: the response
    to that request as this worker's first test to ask for it got it (one flow, many checks)."""

    def run(case: FlowCase | None = None, **shape: Any) -> AuthorizationResponse:
        return _judged(request, shared_flows.authorization(case, **shape)).authorization

    return run


@pytest.fixture
def shared_complete(request: pytest.FixtureRequest, shared_flows: SharedFlows) -> Any:
    """``shared_complete(case, *, client="main", **overrides)``: :func:`complete`'s flow, shared
    like :func:`shared_authorize`'s; the preconditions are still judged under this test's ID."""
    req_id = _req_id(request)

    def run(case: FlowCase | None = None, *, client: str = "main", **overrides: Any) -> CompletedFlow:
        flow = _judged(request, shared_flows.authorization(case, client=client, **overrides))
        return _completed(flow.authorization, lambda: flow.tokens, req_id)

    return run
