"""What the bench runs: (a) the suite through ``hybridcheck.runner`` (:data:`PLANS`); (b) the smoke
flows, naive and suite-style, on a session from ``hybridcheck.session.open_session``; (c) the floors:
the same authorization requests in bare Playwright, and the same exchanges with httpx alone.
"""

from __future__ import annotations

import contextlib
import dataclasses
import html.parser
import json
import os
import re
import time
import tomllib
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
from playwright.sync_api import Error as PlaywrightError

import bench_probe
from hybridcheck import runner
from hybridcheck.browser import choose_chromium
from hybridcheck.evidence import parse_form
from hybridcheck.flows.callback import CALLBACK_MARKER_ID
from hybridcheck.matrix import cases
from hybridcheck.profile import load_profile, resolve_profile_path
from hybridcheck.redact import REDACTOR
from hybridcheck.results import FILENAME, CaseResult
from hybridcheck.session import Session, WorkerPage, open_session, sso_login
from hybridcheck.target import Authorizer
from instrument import (LoadMeter, TenantClock, TimedPage, clear_phases, median, phase, phases, split_flow,
                        timed_flow, timed_redaction)

BENCH = Path(__file__).resolve().parent
#: Where a flow gets its page: a context manager around a ``new_page`` callable, entered per flow.
PageSource = Callable[[], contextlib.AbstractContextManager[Callable[[], Any]]]
SUITE_TIMEOUT_S = 1800.0
#: What a remote tenant adds to every response, in the ``remote_*`` runs.
REMOTE_LATENCY_S = 0.1


# --- (a) the suite ------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Plan:
    """One suite run of the bench: its name (the final JSON's key), its workers (1: no xdist), a
    marker expression, whether it runs against :func:`remote_profile`, and whether it writes
    ``make check``'s reports (JUnit, report.html, Allure)."""

    name: str
    workers: int
    marker: str = ""
    remote: bool = False
    reports: bool = False

    def pytest_args(self, select: str = "") -> list[str]:
        """``-q``, and ``-m`` with both the plan's marker expression and ``select`` (a debugging restriction)."""
        expression = " and ".join(f"({m})" for m in (self.marker, select) if m)
        return ["-q", *(["-m", expression] if expression else [])]


#: The suite runs of every bench, in the order they run.
PLANS = (Plan("wall_2w", 2), Plan("wall_2w_not_slow", 2, marker="not slow"),
         Plan("remote_1w", 1, remote=True), Plan("remote_4w", 4, remote=True))
#: ``--make-check-run``: one 1-worker run with ``make check``'s reports.
MAKE_CHECK = Plan("make_check_1w", 1, reports=True)

_TABLE_HEADER = re.compile(r"^\s*\[\[?\s*([\w.\- ]+?)\s*\]\]?\s*(?:#.*)?$")  # [table] or [[array]], unquoted
_LATENCY_KEY = re.compile(r"^\s*latency_s\s*=")


def with_embedded_latency(text: str, latency_s: float) -> str:
    """The TOML ``text`` of a profile with ``latency_s`` set in its ``[embedded]`` table (the table
    added when there is none). Everything else, ``{callback}`` placeholders and comments included,
    is kept as written."""
    lines = text.splitlines()
    headers = [(i, m.group(1)) for i, line in enumerate(lines) if (m := _TABLE_HEADER.match(line))]
    start = next((i for i, name in headers if name == "embedded"), None)
    setting = f"latency_s = {latency_s!r}"
    if start is None:
        lines += ["", "[embedded]", setting]
    else:
        end = next((i for i, _ in headers if i > start), len(lines))
        kept = [line for line in lines[start + 1:end] if not _LATENCY_KEY.match(line)]
        lines = [*lines[:start + 1], setting, *kept, *lines[end:]]
    edited = "\n".join(lines) + "\n"
    if tomllib.loads(edited).get("embedded", {}).get("latency_s") != latency_s:
        raise ValueError(f"could not set [embedded] latency_s in this profile:\n{text}")
    return edited


def remote_profile(directory: Path, latency_s: float = REMOTE_LATENCY_S) -> Path:
    """``tenants/local.toml`` with ``[embedded] latency_s``, written into ``directory``: the embedded
    tenant delays every response as a remote tenant's network would. Its name, clients and callback
    URLs are local's, and each worker's tenant still takes a free port."""
    path = directory / f"local-latency-{latency_s:g}s.toml"
    path.write_text(with_embedded_latency(resolve_profile_path("local").read_text(encoding="utf-8"), latency_s),
                    encoding="utf-8")
    return path


@dataclasses.dataclass(frozen=True)
class SuiteBench:
    """One suite run as the bench saw it: the runner's result, the machine's load and the probe's figures."""

    tag: str
    workers: int
    run: runner.SuiteRun
    load: dict[str, float]
    probe: dict[str, Any] | None  # bench_probe.merge of the run's probe files (None: --no-probe)

    @property
    def cases(self) -> tuple[CaseResult, ...]:
        return self.run.result.cases if self.run.result else ()

    @property
    def in_run_order(self) -> bool:
        """Whether :attr:`times_s` is in the order the tests finished (the probe records it)."""
        return bool(self.probe and self.probe.get("order"))

    @property
    def times_s(self) -> list[float]:
        """Per-test durations (setup + call + teardown): in the order the tests finished when the
        probe ran, else in node id order (the order of ``results.json``)."""
        by_id = {case.nodeid: case for case in self.cases}
        order = [n for n in (self.probe or {}).get("order", ()) if n in by_id]
        order += sorted(set(by_id) - set(order))
        return [by_id[n].duration_s for n in order]

    @property
    def tests(self) -> int:
        return len(self.cases)

    @property
    def outcomes(self) -> dict[str, int]:
        return dict(self.run.result.outcomes()) if self.run.result else {}

    @property
    def token_calls(self) -> int:
        counts = self.run.result.back_channel if self.run.result else {}
        return sum(n for path, n in counts.items() if path.rstrip("/").endswith("token"))

    @property
    def flows_per_test(self) -> float | None:
        """Browser authorization flows (``results.json``'s ``flows``) per test; None without results."""
        return self.run.result.flows / self.tests if self.run.result and self.tests else None

    @property
    def tenant_requests(self) -> int | None:
        """The key ``tenant_requests`` of the run's ``results.json`` (HTTP requests the run sent to the
        tenant, browser and back channel, as the suite counts them); None when it is absent."""
        path = self.run.reports_dir / FILENAME
        return json.loads(path.read_text(encoding="utf-8")).get("tenant_requests") if path.is_file() else None

    @property
    def ok(self) -> bool:
        return self.run.returncode == 0 and self.run.result is not None


def run_suite(plan: Plan, tmp: Path, probe: bool, *, select: str = "",
              say: Callable[[str], None] = print) -> SuiteBench:
    """``pytest suites`` as ``plan`` says, through :func:`hybridcheck.runner.run_suite`, its reports in
    ``tmp/reports-NAME``; ``select``: a marker expression every run is restricted to (debugging)."""
    reports_dir = tmp / f"reports-{plan.name}"
    reports_dir.mkdir()
    args = plan.pytest_args(select)
    env: dict[str, str] = {}
    if plan.reports:  # pytest-playwright's output directory too (pytest.ini's --output), not the checkout's
        args.append(f"--output={reports_dir / 'test-results'}")
    if probe:
        probe_dir = tmp / f"probe-{plan.name}"
        probe_dir.mkdir()
        args += ["-p", "bench_probe"]
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(BENCH), os.environ.get("PYTHONPATH")]))
        env[bench_probe.ENV_DIR] = str(probe_dir)
    tenant = str(remote_profile(tmp)) if plan.remote else "local"
    shown = runner.command(args, reports_dir=reports_dir, workers=plan.workers, tenant=tenant,
                           reports=plan.reports)[1:]
    say(f"  $ {' '.join(repr(a) if ' ' in a else a for a in shown)}")
    with LoadMeter() as load:
        run = runner.run_suite(*args, reports_dir=reports_dir, workers=plan.workers, tenant=tenant, env=env,
                               timeout_s=SUITE_TIMEOUT_S, reports=plan.reports)
    (tmp / f"output-{plan.name}.txt").write_text(run.stdout + "\n--- stderr ---\n" + run.stderr)
    return SuiteBench(tag=plan.name, workers=plan.workers, run=run, load=load.summary,
                      probe=bench_probe.merge(probe_dir) if probe else None)


# --- (b) and (c): the smoke flows on the suite's own session -------------------------------------


class _FormParser(html.parser.HTMLParser):
    """The first form of a page: its action and its inputs' name/value pairs."""

    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.fields: dict[str, str] = {}
        self._in_form = False
        self._done = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form" and not self._done:
            self._in_form, self.action = True, a.get("action") or ""
        elif tag in ("input", "button") and self._in_form and a.get("name"):
            self.fields.setdefault(a["name"] or "", a.get("value") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self._in_form:
            self._in_form, self._done = False, True


def parse_first_form(text: str) -> tuple[str, dict[str, str]]:
    parser = _FormParser()
    parser.feed(text)
    return parser.action or "", parser.fields


@dataclasses.dataclass
class Harness:
    """A session as the suite's fixtures build it (tenant, callback server, metadata, token client,
    the flow, timed), a browser, and the tenant's clock."""

    session: Session
    clock: TenantClock
    chromium: Any
    launch_args: dict[str, Any]
    startup: dict[str, Any] = dataclasses.field(default_factory=dict)
    browser: Any = None

    def authorizer(self, new_page: Callable[[], Any]) -> Authorizer:
        return self.session.authorizer(new_page)

    def launch(self) -> Any:
        return self.chromium.launch(headless=True, **self.launch_args)

    # -- browser ---------------------------------------------------------------------------

    @contextlib.contextmanager
    def fresh_context(self, storage_state: dict | None, browser: Any = None) -> Iterator[Callable[[], Any]]:
        """A new context (carrying ``storage_state``) for one flow, closed after it: its ``new_page``."""
        browser = browser or self.browser
        with phase("context_new"):
            context = browser.new_context(storage_state=storage_state) if storage_state else browser.new_context()
        try:
            yield context.new_page
        finally:
            with phase("context_close"):
                context.close()

    def browser_flow(self, case: Any, pages: PageSource) -> dict[str, Any]:
        """One smoke flow, authorize (SSO session or login) + token exchange, on a page that ``pages()``
        gives: :meth:`fresh_context`, or a :class:`WorkerPage`'s ``reset`` (the ``authorize`` fixture's)."""
        clear_phases()
        tenant0 = self.clock.read()
        t0 = time.perf_counter()
        with pages() as new_page:

            def timed_page() -> Any:
                with phase("new_page"):
                    return TimedPage(new_page())

            with phase("flow"):
                response = self.authorizer(timed_page)(case)
            code = response.params.get("code")
            ok = bool(code)
            if code:
                with phase("exchange"):
                    exchanged = self.session.tokens.exchange(code, response.request.redirect_uri,
                                                             code_verifier=response.request.code_verifier)
                ok = exchanged.ok
        total = time.perf_counter() - t0
        record = {"total": total, "ok": ok, "logins": response.login_pages_shown, "tenant": self.clock.read() - tenant0,
                  **phases()}
        split_flow(record)
        return record

    def bare_flow(self, page: Any, case: Any) -> dict[str, Any]:
        """The browser floor: the case's authorization request in bare Playwright on ``page`` (no watcher,
        no evidence, no exchange): ``goto``, then wait until the page is the callback server's (its marker)."""
        request = self.authorizer(lambda: None).request(case)
        timeout_ms = self.session.flow.timeout_ms
        clear_phases()
        tenant0 = self.clock.read()
        t0 = time.perf_counter()
        try:
            with phase("goto"):
                page.goto(request.url(), wait_until="commit", timeout=timeout_ms)
            with phase("wait_marker"):
                page.locator(f"#{CALLBACK_MARKER_ID}").wait_for(state="attached", timeout=timeout_ms)
            ok = True
        except PlaywrightError:  # a login form instead of the SSO session, or no callback
            ok = False
        return {"total": time.perf_counter() - t0, "ok": ok, "logins": 0, "tenant": self.clock.read() - tenant0,
                **phases()}

    def sso_login(self) -> tuple[dict, float]:
        """The ``sso_storage_state`` fixture's login (``hybridcheck.session.sso_login``): storage state, seconds."""
        t0 = time.perf_counter()
        s = self.session
        state, _ = sso_login(self.browser, s.target, s.provider, s.flow)
        return state, time.perf_counter() - t0

    # -- httpx floor -----------------------------------------------------------------------

    def http_login(self, client: httpx.Client, login_url: str) -> httpx.Response:
        user = self.session.profile.user
        page = client.get(login_url)
        action, fields = parse_first_form(page.text)
        fields.update(username=user.username, password=user.password)
        return client.post(urljoin(str(page.url), action), data=fields)

    def http_flow(self, client: httpx.Client, case: Any) -> dict[str, Any]:
        """The same exchanges without a browser: /authorize (→ login) → delivery to the client → token."""
        request = self.authorizer(lambda: None).request(case)
        logins = 0
        tenant0 = self.clock.read()
        t0 = time.perf_counter()
        response = client.get(request.url())
        location = response.headers.get("location", "")
        if response.is_redirect and urlsplit(location).path.endswith("/u/login"):
            response = self.http_login(client, urljoin(str(response.url), location))
            logins = 1
        if response.is_redirect:  # fragment: the browser would load the callback URL (without the fragment)
            location = response.headers["location"]
            callback_url, _, fragment = location.partition("#")
            params = parse_form(fragment)
            client.get(callback_url)
        else:  # form_post: the page's form, posted to the client
            action, params = parse_first_form(response.text)
            client.post(action, data=params)
        ok = False
        if params.get("code"):
            exchanged = self.session.tokens.exchange(params["code"], request.redirect_uri,
                                                     code_verifier=request.code_verifier)
            ok = exchanged.ok
        total = time.perf_counter() - t0
        return {"total": total, "ok": ok, "logins": logins, "tenant": self.clock.read() - tenant0}


@contextlib.contextmanager
def harness(profile_ref: str = "local") -> Iterator[Harness]:
    """A :class:`Harness` on the tenant profile ``profile_ref`` (a name in tenants/ or a path)."""
    from playwright.sync_api import sync_playwright

    profile = load_profile(profile_ref)
    choice = choose_chromium(headless=True)
    if choice is None:
        raise SystemExit("no Chromium found")
    clock = TenantClock()
    with clock.installed(), timed_redaction():
        t0 = time.perf_counter()
        with open_session(profile, flow=timed_flow) as session:
            session_open = time.perf_counter() - t0
            t0 = time.perf_counter()
            with sync_playwright() as pw:
                h = Harness(session=session, clock=clock, chromium=pw.chromium, launch_args=choice.launch_args())
                driver_start = time.perf_counter() - t0
                t0 = time.perf_counter()
                h.browser = h.launch()
                h.startup = {"session_open_s": session_open, "playwright_driver_s": driver_start,
                             "browser_launch_s": time.perf_counter() - t0, "browser": choice.label}
                try:
                    yield h
                finally:
                    h.browser.close()


def _sum(pairs: Any) -> tuple[float, float]:
    a = b = 0.0
    for x, y in pairs:
        a, b = a + x, b + y
    return a, b


def micro(rounds: int, launch_rounds: int, profile_ref: str = "local") -> dict[str, Any]:
    """Interleaved rounds of every style over the 6 smoke cells (the order rotates each round).

    Every total is kept twice: as measured, and without the time spent in ``Redactor.scrub``,
    which grows with the number of secrets this *process* has seen (so it depends on how many
    flows ran before, not on the style of the flow) and is reported on its own.
    """
    cells = cases()
    flows: dict[str, list[dict[str, Any]]] = defaultdict(list)
    totals: dict[str, list[float]] = defaultdict(list)
    totals_ex: dict[str, list[float]] = defaultdict(list)
    sso_logins: list[float] = []
    floor_logins: list[float] = []
    extras: dict[str, list[float]] = defaultdict(list)
    with LoadMeter() as load, harness(profile_ref) as h, httpx.Client(timeout=10.0) as floor_client:

        def keep(kind: str, record: dict[str, Any]) -> tuple[float, float]:
            flows[kind].append(record)
            return record["total"], record["total"] - record.get("redact", 0.0)

        def timed_sso_login() -> tuple[dict, float, float]:
            clear_phases()
            state, login_s = h.sso_login()
            sso_logins.append(login_s)
            return state, login_s, login_s - phases().get("redact", 0.0)

        def naive() -> tuple[float, float]:
            return _sum(keep("naive", h.browser_flow(c, lambda: h.fresh_context(None))) for c in cells)

        def suite_style() -> tuple[float, float]:
            """What the ``authorize`` fixture does in an SSO-reusable test: the worker's one page
            (:class:`WorkerPage`), its cookies reset to the SSO login's before every flow."""
            state, login_s, login_ex = timed_sso_login()
            page = WorkerPage(h.browser, state)
            try:
                total, ex = _sum(keep("suite", h.browser_flow(c, lambda: contextlib.nullcontext(page.reset)))
                                 for c in cells)
            finally:
                t0 = time.perf_counter()
                page.close()
                close_s = time.perf_counter() - t0
            return login_s + total + close_s, login_ex + ex + close_s

        def suite_own_context() -> tuple[float, float]:
            """A new context carrying the SSO state for every flow: a test with its own context
            (``@pytest.mark.session``, or per-test video/trace/screenshots)."""
            state, login_s, login_ex = timed_sso_login()
            total, ex = _sum(keep("suite_own_context", h.browser_flow(c, lambda: h.fresh_context(state)))
                             for c in cells)
            return login_s + total, login_ex + ex

        def browser_floor() -> tuple[float, float]:
            """Bare Playwright in a tight loop on one page carrying an SSO session (no login counted)."""
            state, _ = h.sso_login()
            context = h.browser.new_context(storage_state=state)
            try:
                page = context.new_page()
                total = sum(keep("browser_floor", h.bare_flow(page, c))[0] for c in cells)
            finally:
                context.close()
            return total, total

        def naive_launch() -> tuple[float, float]:
            """Naive, and a browser launched for every flow."""
            total = ex = 0.0
            for c in cells:
                t0 = time.perf_counter()
                browser = h.launch()
                launch_s = time.perf_counter() - t0
                try:
                    record = h.browser_flow(c, lambda: h.fresh_context(None, browser))
                finally:
                    t1 = time.perf_counter()
                    browser.close()
                    close_s = time.perf_counter() - t1
                record["launch"], record["browser_close"] = launch_s, close_s
                record["total"] += launch_s + close_s
                a, b = keep("naive_launch", record)
                total, ex = total + a, ex + b
            return total, ex

        def floor_login() -> tuple[float, float]:
            total = 0.0
            for c in cells:
                floor_client.cookies.clear()
                total += keep("floor_login", h.http_flow(floor_client, c))[0]
            return total, total

        def floor_sso() -> tuple[float, float]:
            floor_client.cookies.clear()
            t0 = time.perf_counter()
            request = h.authorizer(lambda: None).request(response_type="code", response_mode=None, scope="openid")
            first = floor_client.get(request.url())
            h.http_login(floor_client, urljoin(str(first.url), first.headers["location"]))
            login_s = time.perf_counter() - t0
            floor_logins.append(login_s)
            total = login_s + sum(keep("floor_sso", h.http_flow(floor_client, c))[0] for c in cells)
            return total, total

        modes: list[tuple[str, Callable[[], tuple[float, float]]]] = [
            ("naive", naive), ("suite", suite_style), ("suite_own_context", suite_own_context),
            ("browser_floor", browser_floor), ("floor_login", floor_login), ("floor_sso", floor_sso)]
        # warm-up (discarded): first contexts, first connections, first imports
        for _, fn in modes:
            fn()
        flows.clear()
        sso_logins.clear()
        floor_logins.clear()
        for r in range(rounds):
            order = modes[r % len(modes):] + modes[:r % len(modes)]
            if r < launch_rounds:  # fewer rounds of the expensive one, inside the rotation too
                order.insert(r % (len(order) + 1), ("naive_launch", naive_launch))
            for kind, fn in order:
                total, ex = fn()
                totals[kind].append(total)
                totals_ex[kind].append(ex)

        # what pytest-playwright adds at every context close under `make check`'s addopts
        # (--screenshot=only-on-failure screenshots every open page; tracing.stop() always)
        state, _ = h.sso_login()
        for c in cells:
            context = h.browser.new_context(storage_state=state)
            page = context.new_page()
            h.authorizer(lambda: page)(c)
            t0 = time.perf_counter()
            context.tracing.stop()
            extras["tracing_stop_ms"].append(1000 * (time.perf_counter() - t0))
            t0 = time.perf_counter()
            page.screenshot(timeout=5000, type="png")
            extras["screenshot_ms"].append(1000 * (time.perf_counter() - t0))
            context.close()
        startup = h.startup
        secrets_seen = len(REDACTOR.values())
    return {"flows": dict(flows), "totals": dict(totals), "totals_ex_redact": dict(totals_ex),
            "sso_login_s": sso_logins, "floor_login_once_s": floor_logins, "secrets_seen": secrets_seen,
            "extras": {k: median(v) for k, v in extras.items()}, "startup": startup, "load": load.summary,
            "cells": len(cells), "rounds": rounds}
