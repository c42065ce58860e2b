"""A passive pytest plugin the benchmark loads into the suite runs (``-p bench_probe``).

It changes nothing the suite does; it only observes, and writes one JSON file per process
(the xdist controller and every worker) into ``$HYBRIDCHECK_BENCH_PROBE_DIR``:

- interactive logins: ``AuthorizationResponse.login_pages_shown`` of every flow, split into
  the per-worker SSO login (``sso_storage_state`` fixture), logins a test asks for on purpose
  (``prompt=login``, ``max_age``, ``fresh_authorize``) and logins in SSO-reusable tests
  (should be 0);
- the redaction cost: time in ``Redactor.scrub`` and how many secrets the run registered;
- the order the tests finished in (``order``: node ids, all workers merged by finishing time),
  which ``results.json`` does not keep (its cases are sorted by node id);
- where the time of a test goes: setup / call / teardown (pytest reports), session fixtures
  (browser launch, tenant start, SSO login), ``AuthorizeFlow.run`` (the browser flow),
  page + context creation, token exchanges, and the embedded tenant's own handling time
  (its ASGI app wrapped at build time).

Without the environment variable it does nothing at all.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest

ENV_DIR = "HYBRIDCHECK_BENCH_PROBE_DIR"

_lock = threading.Lock()
_stats: dict[str, Any] = {
    "flows": 0,
    "flow_s": 0.0,  # AuthorizeFlow.run: navigation, waits, login steps, evidence
    "page_s": 0.0,  # Authorizer.run minus the flow: new_context + new_page (lazy, first flow of a test)
    "exchanges": 0,
    "exchange_s": 0.0,  # TokenClient.exchange
    "logins_sso_setup": 0,
    "logins_by_design": 0,
    "logins_sso_reusable": 0,
    "login_tests_sso_reusable": [],
    "setup_s": 0.0,
    "call_s": 0.0,
    "teardown_s": 0.0,
    "tests": 0,
    "scrub_calls": 0,
    "scrub_s": 0.0,  # hybridcheck.redact.Redactor.scrub (attach_flow on every flow, failure messages, reports)
    "secrets_registered": 0,
}
_fixture_s: Counter[str] = Counter()
_tenant_s: Counter[str] = Counter()
_tenant_n: Counter[str] = Counter()
_finished: list[tuple[float, str]] = []  # (time.time() at teardown, node id)
_state = threading.local()
_current: dict[str, Any] = {"item": None, "in_sso_setup": False}
_WATCHED_FIXTURES = {"playwright", "browser", "target", "callback_server", "provider", "sso_storage_state",
                     "http_client", "authorize_flow", "new_context", "_artifacts_recorder"}


def _enabled(config: pytest.Config) -> bool:
    return bool(os.environ.get(ENV_DIR))


def _forced_login(request: Any) -> bool:
    extra = getattr(request, "extra", {}) or {}
    return extra.get("prompt") == "login" or "max_age" in extra


def _instrument() -> None:
    from hybridcheck.flows.authorize import AuthorizeFlow
    from hybridcheck.flows.token import TokenClient
    from hybridcheck.target import Authorizer
    import hybridcheck.tenant.server as server

    original_run = AuthorizeFlow.run

    def run(self: Any, page: Any, request: Any, *, screenshot: bool = False) -> Any:
        t0 = time.perf_counter()
        response = original_run(self, page, request, screenshot=screenshot)
        elapsed = time.perf_counter() - t0
        _state.flow_s = getattr(_state, "flow_s", 0.0) + elapsed
        logins = int(response.login_pages_shown or 0)
        item = _current["item"]
        with _lock:
            _stats["flows"] += 1
            _stats["flow_s"] += elapsed
            if not logins:
                pass
            elif _current["in_sso_setup"]:
                _stats["logins_sso_setup"] += logins
            elif _forced_login(request) or (item is not None and "fresh_authorize" in item.fixturenames):
                _stats["logins_by_design"] += logins
            else:
                _stats["logins_sso_reusable"] += logins
                _stats["login_tests_sso_reusable"].append(item.nodeid if item is not None else "?")
        return response

    original_authorizer_run = Authorizer.run

    def authorizer_run(self: Any, request: Any, *, screenshot: bool = False) -> Any:
        before = getattr(_state, "flow_s", 0.0)
        t0 = time.perf_counter()
        response = original_authorizer_run(self, request, screenshot=screenshot)
        elapsed = time.perf_counter() - t0
        flow = getattr(_state, "flow_s", 0.0) - before
        with _lock:
            _stats["page_s"] += max(0.0, elapsed - flow)
        return response

    original_exchange = TokenClient.exchange

    def exchange(self: Any, *args: Any, **kwargs: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return original_exchange(self, *args, **kwargs)
        finally:
            with _lock:
                _stats["exchanges"] += 1
                _stats["exchange_s"] += time.perf_counter() - t0

    original_build_app = server.build_app

    def build_app(*args: Any, **kwargs: Any) -> Any:
        app = original_build_app(*args, **kwargs)
        stack = app.build_middleware_stack()

        async def timed(scope: Any, receive: Any, send: Any) -> None:
            if scope.get("type") != "http":
                await stack(scope, receive, send)
                return
            t0 = time.perf_counter()
            try:
                await stack(scope, receive, send)
            finally:
                with _lock:
                    _tenant_s[scope.get("path", "?")] += time.perf_counter() - t0
                    _tenant_n[scope.get("path", "?")] += 1

        app.middleware_stack = timed
        return app

    from hybridcheck.redact import Redactor

    original_scrub = Redactor.scrub

    def scrub(self: Any, text: str) -> str:
        t0 = time.perf_counter()
        try:
            return original_scrub(self, text)
        finally:
            elapsed = time.perf_counter() - t0
            with _lock:
                _stats["scrub_calls"] += 1
                _stats["scrub_s"] += elapsed
                _stats["secrets_registered"] = max(_stats["secrets_registered"], len(getattr(self, "_raw", ())))

    Redactor.scrub = scrub  # type: ignore[method-assign]
    AuthorizeFlow.run = run  # type: ignore[method-assign]
    Authorizer.run = authorizer_run  # type: ignore[method-assign]
    TokenClient.exchange = exchange  # type: ignore[method-assign]
    server.build_app = build_app


def pytest_configure(config: pytest.Config) -> None:
    if _enabled(config):
        _instrument()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: Any) -> Any:
    _current["item"] = item
    yield
    _current["item"] = None


@pytest.hookimpl(hookwrapper=True)
def pytest_fixture_setup(fixturedef: Any, request: Any) -> Any:
    name = fixturedef.argname
    if name not in _WATCHED_FIXTURES:
        yield
        return
    if name == "sso_storage_state":
        _current["in_sso_setup"] = True
    t0 = time.perf_counter()
    try:
        yield
    finally:
        _fixture_s[name] += time.perf_counter() - t0
        if name == "sso_storage_state":
            _current["in_sso_setup"] = False


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if getattr(report, "node", None) is not None or not os.environ.get(ENV_DIR):
        return  # an xdist controller sees its workers' reports (with .node): each process counts its own
    with _lock:
        _stats[f"{report.when}_s"] += report.duration
        if report.when == "call":
            _stats["tests"] += 1
        elif report.when == "teardown":
            _finished.append((time.time(), report.nodeid))


def pytest_sessionfinish(session: pytest.Session) -> None:
    directory = os.environ.get(ENV_DIR)
    if not directory:
        return
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    if worker == "main" and getattr(session.config, "workerinput", None) is None and _stats["flows"] == 0:
        worker = "controller"
    data = dict(_stats)
    data["worker"] = worker
    data["fixture_s"] = dict(_fixture_s)
    data["tenant_s"] = dict(_tenant_s)
    data["tenant_n"] = dict(_tenant_n)
    data["finished"] = list(_finished)
    Path(directory, f"probe-{worker}-{os.getpid()}.json").write_text(json.dumps(data, indent=1))


def merge(directory: Path) -> dict[str, Any]:
    """Sum the per-process files of one run (used by ``bench/scenarios.py``)."""
    total: dict[str, Any] = defaultdict(float)
    per_worker: dict[str, dict[str, Any]] = {}
    fixture_s: Counter[str] = Counter()
    tenant_s: Counter[str] = Counter()
    tenant_n: Counter[str] = Counter()
    reusable_tests: list[str] = []
    finished: list[tuple[float, str]] = []
    for path in sorted(directory.glob("probe-*.json")):
        data = json.loads(path.read_text())
        if data["worker"] == "controller":
            continue
        per_worker[data["worker"]] = {k: data.get(k) for k in ("tests", "flows", "logins_sso_setup", "logins_by_design",
                                                               "logins_sso_reusable", "secrets_registered")}
        for key, value in data.items():
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                total[key] += value
        fixture_s.update(data["fixture_s"])
        tenant_s.update(data["tenant_s"])
        tenant_n.update(data["tenant_n"])
        reusable_tests += data["login_tests_sso_reusable"]
        finished += [(t, nodeid) for t, nodeid in data.get("finished", ())]
    result = dict(total)
    result.update(per_worker=per_worker, fixture_s=dict(fixture_s), tenant_s=dict(tenant_s),
                  tenant_n=dict(tenant_n), login_tests_sso_reusable=reusable_tests,
                  order=list(dict.fromkeys(nodeid for _, nodeid in sorted(finished))))
    return result
