"""Reporting: results by requirement ID in every artifact, evidence on failures, call counts, redaction.

The reporting layer, and the only module that speaks Allure and pytest-html: flows and
the target record evidence, this plugin turns it into reports. Its state lives on one
:class:`Reporter` registered with the plugin manager (as pytest-html's plugin does), so
two runs in one process share nothing. With ``--reports-dir DIR`` (set in ``pytest.ini``):

- ``DIR/results.json``: every case with its outcome, requirement IDs and RT × RM cell, and
  what the run cost (back-channel calls, flows, logins, wall time), :mod:`hybridcheck.results`;
- ``DIR/requirements.json``: every catalogue ID with its cases and their outcomes;
- report.html gets a "Requirement" column and a results-by-requirement table on top;
- Allure gets labels (requirement, family, RT, RM), the flow and back-channel evidence, screenshots;
- at the very end, every file under ``DIR`` is scrubbed of the secrets the run saw.

Works with pytest-xdist: workers send their counts and secret values to the controller
through ``workeroutput``.
"""

from __future__ import annotations

import base64
import html
import json
import os
import textwrap
import time
import warnings
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import allure
import pytest
from _pytest._code.code import ReprEntry, ReprExceptionInfo, ReprFileLocation, ReprTraceback
from pytest_metadata.plugin import metadata_key

from hybridcheck import allure_meta, deviations, history, results
from hybridcheck.artifacts import scrub_tree
from hybridcheck.checks.base import RequirementFailure
from hybridcheck.evidence import AuthorizationResponse, HttpExchange
from hybridcheck.keys import (
    CHANNEL_KEY,
    ENVIRONMENT_KEY,
    EVIDENCE_KEY,
    PROFILE_KEY,
    SHARED_EVIDENCE_KEY,
    WARNINGS_KEY,
    WORKER_EVIDENCE_KEY,
)
from hybridcheck.redact import REDACTOR, redact
from hybridcheck.requirements import catalogue
from hybridcheck.results import CaseResult, RunResult
from hybridcheck.severity import warnings_of

_WORKER_OUTPUT = "hybridcheck"
#: For the project's own secret-scan test only: where to write the raw secret values the run saw
#: (refused inside the reports directory, the place it proves clean).
ENV_SECRETS_DUMP = "HYBRIDCHECK_SECRETS_DUMP"
#: The ``user_properties`` name of a case's RT × RM cell.
CELL_PROPERTY = "cell"
_CHECKS_DIR = Path(__file__).parent / "checks"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.getgroup("hybridcheck").addoption(
        "--reports-dir",
        default=None,
        metavar="DIR",
        help="write results.json and requirements.json there and scrub every file there of secrets at the end "
             "(pytest.ini: reports)",
    )
    parser.getgroup("hybridcheck").addoption(
        "--baseline",
        default=None,
        metavar="PATH",
        help="a previous requirements.json to compare with (default: the newest of this tenant's in REPORTS_DIR/history/)",
    )


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("--tracing", "off") != "off":
        warnings.warn(
            pytest.PytestWarning(
                "Playwright traces record raw network bodies: hybridcheck rewrites their text entries, "
                "but keep traces out of shared reports"
            ),
            stacklevel=1,
        )
    config.pluginmanager.register(Reporter(config), Reporter.name)


# --- evidence -------------------------------------------------------------------------------


def evidence_summary(response: AuthorizationResponse) -> dict[str, Any]:
    """What a person needs to see of one authorization flow (redacted by the caller)."""
    id_token = response.id_token
    return {
        "request": response.request.params(),
        "channel": response.channel,
        "params": response.params,
        "final_url": response.final_url,
        "id_token": {"header": id_token.header, "claims": id_token.claims} if id_token else None,
        "visited": [f"{r.method} {r.url}" for r in response.browser_requests if r.resource_type == "document"],
        "callback_hits": [asdict(h) for h in response.callback_hits],
        "login_pages_shown": response.login_pages_shown,
        "stopped": response.stopped,
        "retried": response.retried,
        "page_text": response.page_text[:500],
    }


def flow_title(response: AuthorizationResponse) -> str:
    request = response.request
    title = f"authorize {request.response_type} {request.response_mode or '(default mode)'}"
    return title + (" (retried after an infrastructure flake)" if response.retried else "")


def exchange_title(exchange: HttpExchange) -> str:
    return f"{exchange.method} {exchange.url} -> {exchange.status}"


def _attach_json(value: Any, name: str) -> None:
    allure.attach(redact(json.dumps(value, indent=1, default=str)), name=name,
                  attachment_type=allure.attachment_type.JSON)


def attach_evidence(flows: list[AuthorizationResponse], exchanges: list[HttpExchange]) -> None:
    """Allure: each flow's evidence (redacted) and screenshot, and each back-channel exchange."""
    for index, response in enumerate(flows, 1):
        title = f"flow {index}: {flow_title(response)}"
        _attach_json(evidence_summary(response), f"evidence: {title}")
        if response.screenshot:
            allure.attach(response.screenshot, name=f"screenshot: {title}", attachment_type=allure.attachment_type.PNG)
    for exchange in exchanges:
        _attach_json(asdict(exchange), f"back channel: {exchange_title(exchange)}")


def _html_extras(flows: list[AuthorizationResponse], final_page: Any) -> list[Any]:
    """pytest-html extras: screenshots the flows took, the URLs visited, and the page a failed test ended on."""
    try:
        import pytest_html
    except ImportError:
        return []
    extras = []
    for index, response in enumerate(flows, 1):
        if response.screenshot:
            extras.append(pytest_html.extras.png(base64.b64encode(response.screenshot).decode(), f"flow {index}"))
            visited = "\n".join(evidence_summary(response)["visited"])
            extras.append(pytest_html.extras.text(redact(visited), f"flow {index}: URLs the browser touched"))
    if final_page is not None:
        if final_page.screenshot:
            allure.attach(final_page.screenshot, name="screenshot at failure", attachment_type=allure.attachment_type.PNG)
            extras.append(pytest_html.extras.png(base64.b64encode(final_page.screenshot).decode(), "page at failure"))
        extras.append(pytest_html.extras.text(redact(final_page.url), "page URL at failure"))
    return extras


def allure_labels(item: pytest.Item) -> None:
    """Allure labels: requirement, family and requirement as feature and story, severity, links
    to the specification sections, the tenant, response type and mode."""
    known = catalogue()
    for marker in item.iter_markers("req"):
        for req in (known[r] for r in marker.args if r in known):
            allure.dynamic.label("requirement", req.id)
            allure.dynamic.feature(allure_meta.FAMILY_NAMES.get(req.family, req.family))
            allure.dynamic.story(allure_meta.story(req))
            allure.dynamic.severity(allure_meta.severity(req))
            for url, name in allure_meta.spec_links(req.source):
                allure.dynamic.link(url, name=name)
    profile = item.config.stash.get(PROFILE_KEY, None)
    if profile is not None:
        allure.dynamic.label("tenant", profile.name)
    callspec = getattr(item, "callspec", None)
    cell = callspec.params.get("case") if callspec else None
    if cell is not None:
        allure.dynamic.tag(cell.response_type, cell.response_mode)


def _test_lines(item: pytest.Item, excinfo: pytest.ExceptionInfo[BaseException]) -> list[Any]:
    """The traceback entries in the test's own module (else the deepest outside ``checks/``):
    where the test called the check, without the checks' helpers and their arguments."""
    entries = [entry for entry in excinfo.traceback if Path(entry.path) == item.path]
    return entries or [entry for entry in excinfo.traceback if _CHECKS_DIR not in Path(entry.path).parents][-1:]


def _location_entry(item: pytest.Item, entry: Any) -> ReprEntry:
    """``path:line: in name`` and the statement, as pytest's short traceback style shows them."""
    path = os.path.relpath(entry.path, item.config.rootpath)
    source = [f"    {line}" for line in textwrap.dedent(str(entry.statement)).splitlines()]
    return ReprEntry(source, None, None, ReprFileLocation(path, entry.lineno + 1, f"in {entry.name}"), "short")


def finding_first(item: pytest.Item, excinfo: pytest.ExceptionInfo[BaseException]) -> ReprExceptionInfo:
    """A failure's report: the findings (requirement, rule, expected, actual, computed from),
    then where the test stands; no frame of the checks' helpers, no function arguments (which
    pytest would print, shortened past the value scrub's reach). JUnit, report.html and
    Allure all read ``report.longrepr``; its ``reprcrash`` message is the findings too."""
    text = redact(str(excinfo.value))
    where = [_location_entry(item, entry) for entry in _test_lines(item, excinfo)]
    finding = ReprEntry([*text.splitlines(), ""], None, None, None, "value")
    crash = where[-1].reprfileloc if where else None
    reprcrash = ReprFileLocation(crash.path, crash.lineno, text) if crash else None
    return ReprExceptionInfo(ReprTraceback([finding, *where], None, "short"), reprcrash)


# --- results by requirement -----------------------------------------------------------------


def case_outcome(report: pytest.TestReport) -> tuple[str, str]:
    """One report's outcome in :data:`hybridcheck.results.OUTCOMES`, and why."""
    text = str(report.longrepr) if report.longrepr is not None else ""
    if hasattr(report, "wasxfail"):
        return ("xfailed", report.wasxfail) if report.skipped else ("xpassed", f"XPASS: {report.wasxfail}")
    if report.failed and text.startswith("[XPASS(strict)]"):
        return "xpassed", text
    if report.skipped and isinstance(report.longrepr, tuple):
        return "skipped", str(report.longrepr[2]).removeprefix("Skipped: ")
    if report.failed:
        crash = getattr(report.longrepr, "reprcrash", None)
        reason = redact(crash.message if crash else text)[:2000]
        return ("failed" if report.when == "call" else "error"), reason
    if report.passed and (found := warnings_of(report)):
        return "warning", "\n".join(found)[:2000]
    return report.outcome, ""


def merge(previous: CaseResult | None, report: pytest.TestReport) -> CaseResult | None:
    """A case after one more of its reports (setup, call, teardown): the worse outcome wins."""
    if report.when != "call" and report.outcome == "passed":
        return previous
    outcome, reason = case_outcome(report)
    if previous is not None and results.OUTCOMES.index(previous.outcome) >= results.OUTCOMES.index(outcome):
        return previous
    props = report.user_properties
    return CaseResult(
        nodeid=report.nodeid,
        outcome=outcome,
        reason=reason,
        requirements=tuple(value for name, value in props if name == "requirement"),
        cell=next((value for name, value in props if name == CELL_PROPERTY), None),
        duration_s=round(report.duration + (previous.duration_s if previous else 0.0), 3),
    )


def by_requirement(cases: list[CaseResult]) -> dict[str, dict[str, Any]]:
    """``requirements.json``: every catalogue ID, with the cases that verify it (empty list: untested)."""
    by_id: dict[str, dict[str, Any]] = {
        req.id: {"title": req.title, "source": req.source, "cases": []} for req in catalogue().values()
    }
    for case in sorted(cases, key=lambda c: c.nodeid):
        for req in case.requirements:
            by_id[req]["cases"].append({"nodeid": case.nodeid, "outcome": case.outcome, "reason": case.reason,
                                        "cell": case.cell})
    return by_id


def _requirement_order(req: str) -> tuple[str, int]:
    family, number = req.split("-")
    return family, int(number)


def _verdict(counts: Counter[str]) -> str:
    if counts["failed"] or counts["error"] or counts["xpassed"]:
        return "FAIL"
    if counts["warning"]:
        return "warn"
    return "pass" if counts["passed"] or counts["xfailed"] else "skip"


def tested_rows(by_id: dict[str, dict[str, Any]]) -> list[tuple[str, dict[str, Any], Counter[str]]]:
    """(requirement, its ``requirements.json`` entry, outcome counts) of every tested requirement, in ID order."""
    return [(req, entry, Counter(case["outcome"] for case in entry["cases"]))
            for req, entry in sorted(by_id.items(), key=lambda kv: _requirement_order(kv[0])) if entry["cases"]]


def markdown_summary(by_id: dict[str, dict[str, Any]]) -> str:
    """The results by requirement as a Markdown table (a CI job summary), failures first."""
    rows = sorted(tested_rows(by_id), key=lambda row: (_verdict(row[2]) != "FAIL", _requirement_order(row[0])))
    lines = ["| verdict | requirement | title | " + " | ".join(_COLUMNS) + " |",
             "|---|---|---|" + "---:|" * len(_COLUMNS)]
    for req, entry, counts in rows:
        title = entry["title"].replace("|", "\\|")
        lines.append(f"| {_verdict(counts)} | {req} | {title} | " + " | ".join(str(counts[n]) for n in _COLUMNS) + " |")
    return "\n".join(lines) + "\n"


def _flows_of(authorizer: Any) -> Counter[str]:
    """The flows an authorizer recorded, how many showed a login page, and the requests the
    browser sent the tenant in them (to the authorization endpoint's host: its pages and assets)."""
    counts: Counter[str] = Counter()
    for response in authorizer.responses:
        tenant = urlsplit(response.request.authorization_endpoint).netloc
        counts.update(flows=1, logins=bool(response.login_pages_shown),
                      tenant_browser_requests=sum(urlsplit(r.url).netloc == tenant for r in response.browser_requests))
    return counts


# --- the plugin object ----------------------------------------------------------------------

_COLUMNS = ("passed", "warning", "failed", "error", "xfailed", "xpassed", "skipped")


class Reporter:
    """The run's results and counts, and every hook that reports them."""

    name = "hybridcheck-reporter"

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.reports_dir: Path | None = Path(d) if (d := config.getoption("--reports-dir", None)) else None
        self.cases: dict[str, CaseResult] = {}
        self.changes: list[history.Change] = []
        self.baseline: Path | None = None
        self.calls: Counter[str] = Counter()
        self.rate_limited: Counter[str] = Counter()
        self.paced_s: Counter[str] = Counter()
        self.flow_counts: Counter[str] = Counter()  # flows, logins, tenant_browser_requests
        self.workers = 0
        self._started = time.perf_counter()

    @property
    def _is_worker(self) -> bool:
        return getattr(self.config, "workeroutput", None) is not None

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        """A matrix test carries its RT × RM cell to the controller (``user_properties``)."""
        for item in items:
            callspec = getattr(item, "callspec", None)
            cell = callspec.params.get("case") if callspec else None
            if cell is not None:
                item.user_properties.append((CELL_PROPERTY, f"{cell.response_type}/{cell.response_mode}"))

    # A hook, not an autouse fixture: Allure writes a container file for every fixture of every test.
    @pytest.hookimpl(trylast=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        allure_labels(item)

    # trylast: the innermost wrapper, so Allure's (which reads longreprtext) sees the finding first.
    @pytest.hookimpl(hookwrapper=True, trylast=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
        """Show a requirement failure's findings first; attach the evidence the test recorded:
        flows (redacted) and back-channel exchanges to Allure, screenshots to report.html."""
        outcome = yield
        report: pytest.TestReport = outcome.get_result()
        if call.excinfo is not None and call.excinfo.errisinstance(RequirementFailure) and report.longrepr is not None:
            report.longrepr = finding_first(item, call.excinfo)
        authorizer = item.stash.get(EVIDENCE_KEY, None)
        if report.when == "teardown" and authorizer is not None:
            self.flow_counts.update(_flows_of(authorizer))
        if report.when != "call":
            return
        found = item.stash.get(WARNINGS_KEY, [])
        if found:
            allure.dynamic.tag("warning")
            allure.attach("\n\n".join(f.message() for f in found), name="requirement warnings",
                          attachment_type=allure.attachment_type.TEXT)
        channel = item.config.stash.get(CHANNEL_KEY, None)
        shared = item.stash.get(SHARED_EVIDENCE_KEY, [])
        flows = [flow.authorization for flow in shared] + (authorizer.responses if authorizer is not None else [])
        exchanges = channel.drain() if channel is not None else []
        exchanges += [exchange for f in shared for exchange in f.exchanges if exchange not in exchanges]
        attach_evidence(flows, exchanges)
        if report.failed and flows:
            evidence = [evidence_summary(r) for r in flows]
            report.sections.append(("hybridcheck evidence", redact(json.dumps(evidence, indent=1, default=str))))
        final_page = authorizer.final_page if report.failed and authorizer is not None else None
        report.extras = [*getattr(report, "extras", []), *_html_extras(flows, final_page)]

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        merged = merge(self.cases.get(report.nodeid), report)
        if merged is not None:
            self.cases[report.nodeid] = merged

    def _count_worker_flows(self) -> None:
        for authorizer in self.config.stash.get(WORKER_EVIDENCE_KEY, []):
            self.flow_counts.update(_flows_of(authorizer))

    def result(self, exit_status: int) -> RunResult:
        return RunResult(
            cases=tuple(sorted(self.cases.values(), key=lambda c: c.nodeid)),
            exit_status=exit_status,
            wall_s=round(time.perf_counter() - self._started, 2),
            workers=self.workers,
            back_channel=dict(sorted(self.calls.items())),
            rate_limited=dict(sorted(self.rate_limited.items())),
            paced_s={path: round(s, 2) for path, s in sorted(self.paced_s.items())},
            flows=self.flow_counts["flows"],
            logins=self.flow_counts["logins"],
            tenant_requests=self.tenant_requests,
            environment=self.environment,
        )

    @property
    def tenant_requests(self) -> int:
        """The requests the run sent the tenant: the browser's to its host, and the back channel's."""
        return self.flow_counts["tenant_browser_requests"] + sum(self.calls.values())

    @property
    def environment(self) -> dict[str, str]:
        return self.config.stash.get(ENVIRONMENT_KEY, {})

    def pytest_sessionstart(self, session: pytest.Session) -> None:
        """report.html's Environment table (pytest-metadata's) and Allure's say what produced the run."""
        if self._is_worker or not self.environment:
            return
        self.config.stash.get(metadata_key, {}).update(self.environment)
        alluredir = self.config.getoption("allure_report_dir", None)
        if alluredir:
            Path(alluredir).mkdir(parents=True, exist_ok=True)
            lines = [f"{key.replace(' ', '.')}={value}" for key, value in self.environment.items()]
            (Path(alluredir) / "environment.properties").write_text("\n".join(lines) + "\n", encoding="utf-8")
            for name, value in (("categories.json", allure_meta.CATEGORIES), ("executor.json", allure_meta.executor())):
                (Path(alluredir) / name).write_text(json.dumps(value, indent=1) + "\n", encoding="utf-8")

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        """Hand this worker's counts and secret values to the controller, or keep them; write
        results.json and requirements.json and compare with the baseline (before report.html)."""
        channel = self.config.stash.get(CHANNEL_KEY, None)
        self._count_worker_flows()
        counts = {
            "calls": dict(channel.calls) if channel else {},
            "rate_limited": dict(channel.rate_limited) if channel else {},
            "paced_s": dict(channel.paced_s) if channel else {},
            "flow_counts": dict(self.flow_counts),
        }
        workeroutput = getattr(self.config, "workeroutput", None)
        if workeroutput is not None:
            workeroutput[_WORKER_OUTPUT] = {**counts, "secrets": REDACTOR.values()}
            return
        if channel is not None:  # one process: its back channel is the run's
            self._add(counts)
        if self.reports_dir is None or not self.cases:
            return
        results.write(self.result(int(exitstatus)), self.reports_dir)
        by_id = by_requirement(list(self.cases.values()))
        path = self.reports_dir / "requirements.json"
        document = {"run": self.environment, "requirements": by_id}
        path.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        profile = self.config.stash.get(PROFILE_KEY, None)
        if profile is None:  # not a suite run: no tenant, no baseline
            return
        kept = self.reports_dir / "history" / history.tenant_key(profile.name, profile.issuer)
        given = self.config.getoption("--baseline")
        baseline = Path(given) if given else history.newest(kept)
        if baseline is not None and baseline.is_file():
            self.baseline = baseline
            self.changes = history.changes(history.load(baseline), by_id)
        history.keep(path, kept)

    def _add(self, counts: dict[str, Any]) -> None:
        self.calls.update(counts["calls"])
        self.rate_limited.update(counts["rate_limited"])
        self.paced_s.update(counts["paced_s"])

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        """pytest-xdist: add a finished worker's counts and secrets to the run's."""
        output = getattr(node, "workeroutput", {}).get(_WORKER_OUTPUT)
        if output:
            self.workers += 1
            self._add(output)
            self.flow_counts.update(output["flow_counts"])
            for value in output["secrets"]:
                REDACTOR.add(value)

    @pytest.hookimpl(trylast=True)
    def pytest_unconfigure(self, config: pytest.Config) -> None:
        """Last of all, after JUnit, HTML and Allure are written: scrub the reports of every secret."""
        if self._is_worker:
            return
        if self.reports_dir and self.reports_dir.is_dir():
            scrub_tree(self.reports_dir, REDACTOR)
        dump = os.environ.get(ENV_SECRETS_DUMP)
        if dump and not (self.reports_dir and self.reports_dir.resolve() in Path(dump).resolve().parents):
            Path(dump).write_text(json.dumps(REDACTOR.values()), encoding="utf-8")

    # --- terminal and report.html -----------------------------------------------------------

    def _tested(self) -> list[tuple[str, dict[str, Any], Counter[str]]]:
        return tested_rows(by_requirement(list(self.cases.values())))

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        """Close with requirement ID → outcomes (failures listed), known deviations and call counts."""
        write = terminalreporter.write_line
        if self.baseline is not None:
            terminalreporter.section(f"hybridcheck: changed since last run ({len(self.changes)})")
            write(f"baseline: {self.baseline}")
            for change in self.changes:
                write(f"{change.kind:14} {change.requirement:8} {change.cell:26} {change.before} -> {change.after}  "
                      f"{change.nodeid}")
        rows = self._tested()
        if rows:
            terminalreporter.section("hybridcheck: results by requirement")
            for req, entry, counts in rows:
                tally = "  ".join(f"{name} {counts[name]:3}" for name in _COLUMNS if counts[name] or name in
                                  ("passed", "failed", "skipped"))
                write(f"{_verdict(counts):4} {req:8} {tally}  ({entry['source']})")
                for case in entry["cases"]:
                    if case["outcome"] in ("failed", "error", "xpassed", "warning"):
                        write(f"       {case['outcome']}: {case['nodeid']}")
        known = deviations.tally(terminalreporter.stats.get("xfailed", []) + terminalreporter.stats.get("failed", []))
        if known:
            terminalreporter.section(f"hybridcheck: known deviations ({len(known)})")
            for entry, outcomes in sorted(known.items()):
                write(", ".join(f"{count} {outcome}" for outcome, count in sorted(outcomes.items())) + f"  {entry}")
        if self.calls:
            terminalreporter.section("hybridcheck: back-channel requests by endpoint")
            for path, count in sorted(self.calls.items()):
                notes = [f"{self.rate_limited[path]} answered 429"] if self.rate_limited[path] else []
                notes += [f"paced to the published limit: waited {self.paced_s[path]:.1f} s"] if self.paced_s[path] else []
                write(f"{count:5}  {path}" + (f"  ({'; '.join(notes)})" if notes else ""))
            write(f"{sum(self.calls.values()):5}  total")
        if self.flow_counts["flows"]:
            counts = self.flow_counts
            write(f"hybridcheck: {counts['flows']} authorization flows in the browser, {counts['logins']} with a login "
                  f"page; {self.tenant_requests} requests to the tenant")

    @pytest.hookimpl(optionalhook=True)
    def pytest_html_results_summary(self, prefix: list[str], summary: list[str], postfix: list[str]) -> None:
        """report.html opens with the results by requirement, failures first."""
        rows = sorted(self._tested(), key=lambda row: (_verdict(row[2]) != "FAIL", _requirement_order(row[0])))
        cells = "".join(
            f"<tr><td>{_verdict(counts)}</td><td>{req}</td><td>{html.escape(allure_meta.title(entry['title']))}</td>"
            f"<td>{html.escape(entry['source'])}</td>"
            + "".join(f"<td>{counts[name]}</td>" for name in _COLUMNS)
            + "</tr>"
            for req, entry, counts in rows
        )
        head = "".join(f"<th>{name}</th>" for name in ("verdict", "requirement", "title", "source", *_COLUMNS))
        if self.baseline is not None:
            changed = "".join(
                f"<tr><td>{c.kind}</td><td>{c.requirement}</td><td>{html.escape(c.cell)}</td>"
                f"<td>{c.before} → {c.after}</td><td>{html.escape(c.nodeid)}</td></tr>"
                for c in self.changes
            ) or "<tr><td colspan='5'>nothing changed</td></tr>"
            prefix.append(
                f"<h2>Changed since last run</h2><p>baseline: {html.escape(str(self.baseline))}</p>"
                "<table class='hybridcheck-changes'><tr><th>change</th><th>requirement</th><th>RT/RM</th>"
                f"<th>outcome</th><th>test</th></tr>{changed}</table>"
            )
        prefix.append(f"<h2>Results by requirement</h2><table class='hybridcheck-requirements'><tr>{head}</tr>{cells}</table>")

    @pytest.hookimpl(optionalhook=True)
    def pytest_html_results_table_header(self, cells: list[str]) -> None:
        cells.insert(1, "<th>Requirement</th>")

    @pytest.hookimpl(optionalhook=True)
    def pytest_html_results_table_row(self, report: pytest.TestReport, cells: list[str]) -> None:
        requirements = sorted({value for name, value in report.user_properties if name == "requirement"})
        cells.insert(1, f"<td>{', '.join(requirements)}</td>")
