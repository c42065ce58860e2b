"""What the bench runs: (a) the suite through ``hybridcheck.runner``; (b) the smoke flows, naive
and suite-style, on a session from ``hybridcheck.session.open_session``; (c) the same exchanges
with httpx alone (the floor).
"""

from __future__ import annotations

import contextlib
import dataclasses
import html.parser
import os
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

import bench_probe
from hybridcheck import runner
from hybridcheck.browser import choose_chromium
from hybridcheck.evidence import parse_form
from hybridcheck.matrix import cases
from hybridcheck.profile import Profile, load_profile
from hybridcheck.redact import REDACTOR
from hybridcheck.results import CaseResult
from hybridcheck.session import Session, open_session, sso_login
from hybridcheck.target import Authorizer
from instrument import (LoadMeter, TenantClock, TimedPage, clear_phases, median, phase, phases, split_flow,
                        timed_flow, timed_redaction)

BENCH = Path(__file__).resolve().parent
SUITE_TIMEOUT_S = 1800.0


# --- (a) the suite ------------------------------------------------------------------------------


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
    def ok(self) -> bool:
        return self.run.returncode == 0 and self.run.result is not None


def run_suite(workers: int, tmp: Path, probe: bool, *, reports: bool = False, tag: str = "",
              say: Callable[[str], None] = print) -> SuiteBench:
    """``pytest suites`` through :func:`hybridcheck.runner.run_suite`, its reports in ``tmp/reports-TAG``;
    ``reports``: JUnit, report.html and Allure as ``make check`` writes them."""
    tag = tag or f"{workers}w"
    reports_dir = tmp / f"reports-{tag}"
    reports_dir.mkdir()
    args = ["-q"]
    env: dict[str, str] = {}
    if reports:  # pytest-playwright's output directory too (pytest.ini's --output), not the checkout's
        args.append(f"--output={reports_dir / 'test-results'}")
    if probe:
        probe_dir = tmp / f"probe-{tag}"
        probe_dir.mkdir()
        args += ["-p", "bench_probe"]
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(BENCH), os.environ.get("PYTHONPATH")]))
        env[bench_probe.ENV_DIR] = str(probe_dir)
    shown = runner.command(args, reports_dir=reports_dir, workers=workers, reports=reports)[1:]
    say(f"  $ {' '.join(repr(a) if ' ' in a else a for a in shown)}")
    with LoadMeter() as load:
        run = runner.run_suite(*args, reports_dir=reports_dir, workers=workers, env=env, timeout_s=SUITE_TIMEOUT_S,
                               reports=reports)
    (tmp / f"output-{tag}.txt").write_text(run.stdout + "\n--- stderr ---\n" + run.stderr)
    return SuiteBench(tag=tag, workers=workers, run=run, load=load.summary,
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

    def browser_flow(self, case: Any, storage_state: dict | None, browser: Any = None) -> dict[str, Any]:
        """One smoke flow in a new context: authorize (SSO session or login) + token exchange."""
        browser = browser or self.browser
        clear_phases()
        tenant0 = self.clock.read()
        t0 = time.perf_counter()
        with phase("context_new"):
            context = browser.new_context(storage_state=storage_state) if storage_state else browser.new_context()

        def new_page() -> Any:
            with phase("new_page"):
                return TimedPage(context.new_page())

        try:
            with phase("flow"):
                response = self.authorizer(new_page)(case)
            code = response.params.get("code")
            ok = bool(code)
            if code:
                with phase("exchange"):
                    exchanged = self.session.tokens.exchange(code, response.request.redirect_uri,
                                                             code_verifier=response.request.code_verifier)
                ok = exchanged.ok
        finally:
            with phase("context_close"):
                context.close()
        total = time.perf_counter() - t0
        record = {"total": total, "ok": ok, "logins": response.login_pages_shown, "tenant": self.clock.read() - tenant0,
                  **phases()}
        split_flow(record)
        return record

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


def with_latency(profile: Profile, latency_s: float) -> Profile:
    """``profile`` with ``[embedded] latency_s``: the reference tenant delays every response (a remote tenant)."""
    return dataclasses.replace(profile, embedded_settings=dataclasses.replace(profile.embedded_settings,
                                                                              latency_s=latency_s))


@contextlib.contextmanager
def harness(latency_s: float = 0.0) -> Iterator[Harness]:
    from playwright.sync_api import sync_playwright

    profile = load_profile("local")
    if latency_s:
        profile = with_latency(profile, latency_s)
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


def micro(rounds: int, launch_rounds: int, latency_s: float = 0.0) -> dict[str, Any]:
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
    with LoadMeter() as load, harness(latency_s) as h, httpx.Client(timeout=10.0) as floor_client:

        def keep(kind: str, record: dict[str, Any]) -> tuple[float, float]:
            flows[kind].append(record)
            return record["total"], record["total"] - record.get("redact", 0.0)

        def timed_sso_login() -> tuple[dict, float, float]:
            clear_phases()
            state, login_s = h.sso_login()
            sso_logins.append(login_s)
            return state, login_s, login_s - phases().get("redact", 0.0)

        def naive() -> tuple[float, float]:
            return _sum(keep("naive", h.browser_flow(c, None)) for c in cells)

        def suite_style() -> tuple[float, float]:
            state, login_s, login_ex = timed_sso_login()
            total, ex = _sum(keep("suite", h.browser_flow(c, state)) for c in cells)
            return login_s + total, login_ex + ex

        def suite_one_page() -> tuple[float, float]:
            """One context + one page for the 6 flows (a per-worker page instead of a context per test)."""
            state, login_s, login_ex = timed_sso_login()
            t0 = time.perf_counter()
            context = h.browser.new_context(storage_state=state)
            page = TimedPage(context.new_page())
            setup_s = time.perf_counter() - t0
            total, ex = login_s + setup_s, login_ex + setup_s
            try:
                for c in cells:
                    clear_phases()
                    tenant0 = h.clock.read()
                    t0 = time.perf_counter()
                    with phase("flow"):
                        response = h.authorizer(lambda: page)(c)
                    with phase("exchange"):
                        exchanged = h.session.tokens.exchange(response.params.get("code", ""),
                                                              response.request.redirect_uri)
                    record = {"total": time.perf_counter() - t0, "ok": exchanged.ok,
                              "logins": response.login_pages_shown, "tenant": h.clock.read() - tenant0, **phases()}
                    split_flow(record)
                    a, b = keep("suite_one_page", record)
                    total, ex = total + a, ex + b
            finally:
                t0 = time.perf_counter()
                context.close()
                close_s = time.perf_counter() - t0
            return total + close_s, ex + close_s

        def naive_launch() -> tuple[float, float]:
            """Naive, and a browser launched for every flow."""
            total = ex = 0.0
            for c in cells:
                t0 = time.perf_counter()
                browser = h.launch()
                launch_s = time.perf_counter() - t0
                try:
                    record = h.browser_flow(c, None, browser=browser)
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
            ("naive", naive), ("suite", suite_style), ("suite_one_page", suite_one_page),
            ("floor_login", floor_login), ("floor_sso", floor_sso)]
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
