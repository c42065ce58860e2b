"""Reporting: results by requirement ID in every artifact, evidence on failures, call counts, redaction.

A pytest plugin of its own (listed in the root ``conftest.py``) so the fixtures in
``plugin.py`` stay about running flows. With ``--reports-dir DIR`` (set in ``pytest.ini``):

- ``DIR/requirements.json``: every catalogue ID with its cases and their outcomes;
- report.html gets a "Requirement" column and a results-by-requirement table on top;
- Allure gets labels (requirement, family, RT, RM), the flow evidence and screenshots;
- at the very end, every file under ``DIR`` is scrubbed of the secrets the run saw.

Works with pytest-xdist: workers send their call counts and secret values to the
controller through ``workeroutput``.
"""

from __future__ import annotations

import base64
import html
import json
import os
import textwrap
import warnings
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import allure
import pytest
from _pytest._code.code import ReprEntry, ReprExceptionInfo, ReprFileLocation, ReprTraceback

from hybridcheck import deviations, history
from hybridcheck.artifacts import scrub_tree
from hybridcheck.checks.base import RequirementFailure
from hybridcheck.evidence import AuthorizationResponse
from hybridcheck.flows.authorize import screenshot_or_none
from hybridcheck.keys import CHANNEL_KEY, EVIDENCE_KEY
from hybridcheck.redact import REDACTOR, redact
from hybridcheck.requirements import catalogue
from hybridcheck.severity import warnings_of

if TYPE_CHECKING:
    from hybridcheck.target import Authorizer

_WORKER_OUTPUT = "hybridcheck"
#: For the project's own secret-scan test only: where to write the raw secret values the run saw
#: (refused inside the reports directory, the place it proves clean).
ENV_SECRETS_DUMP = "HYBRIDCHECK_SECRETS_DUMP"
_OUTCOMES = ("passed", "warning", "failed", "xfailed", "skipped")
_CHECKS_DIR = Path(__file__).parent / "checks"


@dataclass
class CaseResult:
    requirements: tuple[str, ...]
    outcome: str  # passed | warning | failed | skipped | xfailed
    reason: str


_CASES: dict[str, CaseResult] = {}
_CHANGES: list[history.Change] = []
_BASELINE: list[str] = []  # the path compared with, for the heading
_CALLS: Counter[str] = Counter()
_RATE_LIMITED: Counter[str] = Counter()
_PACED_S: Counter[str] = Counter()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.getgroup("hybridcheck").addoption(
        "--reports-dir",
        default=None,
        metavar="DIR",
        help="write requirements.json there and scrub every file there of secrets at the end (pytest.ini: reports)",
    )
    parser.getgroup("hybridcheck").addoption(
        "--baseline",
        default=None,
        metavar="PATH",
        help="a previous requirements.json to compare with (default: the newest in REPORTS_DIR/history/)",
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
        "page_text": response.page_text[:500],
    }


def attach_flow(response: AuthorizationResponse, title: str) -> None:
    """Allure: the flow's evidence (redacted) and its screenshot, if one was taken."""
    allure.attach(redact(json.dumps(evidence_summary(response), indent=1, default=str)),
                  name=f"evidence: {title}", attachment_type=allure.attachment_type.JSON)
    if response.screenshot:
        allure.attach(response.screenshot, name=f"screenshot: {title}", attachment_type=allure.attachment_type.PNG)


def _html_extras(authorizer: Authorizer, failed: bool) -> list[Any]:
    """pytest-html extras: screenshots the flows took, the URLs visited, and a screenshot at failure."""
    try:
        import pytest_html
    except ImportError:
        return []
    extras = []
    for index, response in enumerate(authorizer.responses, 1):
        if response.screenshot:
            extras.append(pytest_html.extras.png(base64.b64encode(response.screenshot).decode(), f"flow {index}"))
            visited = "\n".join(evidence_summary(response)["visited"])
            extras.append(pytest_html.extras.text(redact(visited), f"flow {index}: URLs the browser touched"))
    if failed and authorizer.has_page:
        if png := screenshot_or_none(authorizer.page):
            allure.attach(png, name="screenshot at failure", attachment_type=allure.attachment_type.PNG)
            extras.append(pytest_html.extras.png(base64.b64encode(png).decode(), "page at failure"))
        extras.append(pytest_html.extras.text(redact(authorizer.page.url), "page URL at failure"))
    return extras


@pytest.fixture(autouse=True)
def _allure_labels(request: pytest.FixtureRequest) -> None:
    """Allure labels: requirement ID and source, family, response type and mode."""
    known = catalogue()
    for marker in request.node.iter_markers("req"):
        for req in marker.args:
            if req in known:
                allure.dynamic.label("requirement", req)
                allure.dynamic.story(f"{req} ({known[req].source})")
                allure.dynamic.feature(known[req].family)
    callspec = getattr(request.node, "callspec", None)
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


# trylast: the innermost wrapper, so Allure's (which reads longreprtext) sees the finding first.
@pytest.hookimpl(hookwrapper=True, trylast=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Show a requirement failure's findings first; attach the flow evidence (redacted) on
    failure, and screenshots to report.html."""
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    if call.excinfo is not None and call.excinfo.errisinstance(RequirementFailure) and report.longrepr is not None:
        report.longrepr = finding_first(item, call.excinfo)
    authorizer = item.stash.get(EVIDENCE_KEY, None)
    if authorizer is None or report.when != "call":
        return
    if report.failed and authorizer.responses:
        evidence = [evidence_summary(r) for r in authorizer.responses]
        report.sections.append(("hybridcheck evidence", redact(json.dumps(evidence, indent=1, default=str))))
    report.extras = [*getattr(report, "extras", []), *_html_extras(authorizer, report.failed)]


# --- results by requirement -----------------------------------------------------------------


def _outcome(report: pytest.TestReport) -> tuple[str, str]:
    if hasattr(report, "wasxfail"):
        return ("xfailed", report.wasxfail) if report.skipped else ("failed", f"XPASS(strict): {report.wasxfail}")
    if report.skipped and isinstance(report.longrepr, tuple):
        return "skipped", str(report.longrepr[2]).removeprefix("Skipped: ")
    if report.failed:
        crash = getattr(report.longrepr, "reprcrash", None)
        return "failed", redact(crash.message if crash else str(report.longrepr))[:2000]
    if report.passed and (found := warnings_of(report)):
        return "warning", "\n".join(found)[:2000]
    return report.outcome, ""


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    requirements = tuple(value for name, value in report.user_properties if name == "requirement")
    if not requirements:
        return
    if report.when == "call" or report.outcome != "passed":
        outcome, reason = _outcome(report)
        if report.nodeid not in _CASES or _CASES[report.nodeid].outcome in ("passed", "warning"):
            _CASES[report.nodeid] = CaseResult(requirements, outcome, reason)


def results_by_requirement() -> dict[str, dict[str, Any]]:
    """``requirements.json``: every catalogue ID, with the cases that verify it (empty list: untested)."""
    by_id: dict[str, dict[str, Any]] = {
        req.id: {"title": req.title, "source": req.source, "cases": []} for req in catalogue().values()
    }
    for nodeid, case in sorted(_CASES.items()):
        for req in case.requirements:
            by_id[req]["cases"].append({"nodeid": nodeid, "outcome": case.outcome, "reason": case.reason})
    return by_id


def _requirement_order(req: str) -> tuple[str, int]:
    family, number = req.split("-")
    return family, int(number)


def _tested() -> list[tuple[str, dict[str, Any], Counter[str]]]:
    rows = []
    for req, entry in sorted(results_by_requirement().items(), key=lambda kv: _requirement_order(kv[0])):
        if entry["cases"]:
            rows.append((req, entry, Counter(case["outcome"] for case in entry["cases"])))
    return rows


def _verdict(counts: Counter[str]) -> str:
    if counts["failed"]:
        return "FAIL"
    if counts["warning"]:
        return "warn"
    return "pass" if counts["passed"] or counts["xfailed"] else "skip"


# --- xdist, the end of the run --------------------------------------------------------------


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    """Hand this worker's counts and secret values to the controller, or keep them; write
    requirements.json and compare it with the baseline (before report.html is written)."""
    channel = session.config.stash.get(CHANNEL_KEY, None)
    calls = dict(channel.calls) if channel else {}
    limited = dict(channel.rate_limited) if channel else {}
    paced = dict(channel.paced_s) if channel else {}
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput[_WORKER_OUTPUT] = {"calls": calls, "rate_limited": limited, "paced_s": paced,
                                        "secrets": REDACTOR.values()}
        return
    _CALLS.update(calls)
    _RATE_LIMITED.update(limited)
    _PACED_S.update(paced)
    reports_dir = session.config.getoption("--reports-dir")
    if reports_dir and _CASES:
        results = results_by_requirement()
        path = Path(reports_dir) / "requirements.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        kept = Path(reports_dir) / "history"
        given = session.config.getoption("--baseline")
        baseline = Path(given) if given else history.newest(kept)
        if baseline is not None and baseline.is_file():
            _BASELINE.append(str(baseline))
            _CHANGES.extend(history.changes(history.load(baseline), results))
        history.keep(path, kept)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """pytest-xdist: add a finished worker's counts and secrets to the run's."""
    output = getattr(node, "workeroutput", {}).get(_WORKER_OUTPUT)
    if output:
        _CALLS.update(output["calls"])
        _RATE_LIMITED.update(output["rate_limited"])
        _PACED_S.update(output["paced_s"])
        for value in output["secrets"]:
            REDACTOR.add(value)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    """Last of all, after JUnit, HTML and Allure are written: scrub the reports of every secret."""
    if getattr(config, "workeroutput", None) is not None:
        return
    reports_dir = config.getoption("--reports-dir", None)
    if reports_dir and Path(reports_dir).is_dir():
        scrub_tree(Path(reports_dir), REDACTOR)
    dump = os.environ.get(ENV_SECRETS_DUMP)
    if dump and not (reports_dir and Path(reports_dir).resolve() in Path(dump).resolve().parents):
        Path(dump).write_text(json.dumps(REDACTOR.values()), encoding="utf-8")


# --- terminal and report.html ---------------------------------------------------------------


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Close with requirement ID → passed / failed / xfailed / skipped (failures listed), and call counts."""
    write = terminalreporter.write_line
    if _BASELINE:
        terminalreporter.section(f"hybridcheck: changed since last run ({len(_CHANGES)})")
        write(f"baseline: {_BASELINE[0]}")
        for change in _CHANGES:
            write(f"{change.kind:14} {change.requirement:8} {change.cell:26} {change.before} -> {change.after}  "
                  f"{change.nodeid}")
    rows = _tested()
    if rows:
        terminalreporter.section("hybridcheck: results by requirement")
        for req, entry, counts in rows:
            tally = "  ".join(f"{name} {counts[name]:3}" for name in _OUTCOMES)
            write(f"{_verdict(counts):4} {req:8} {tally}  ({entry['source']})")
            for case in entry["cases"]:
                if case["outcome"] in ("failed", "warning"):
                    write(f"       {case['outcome']}: {case['nodeid']}")
    known = deviations.tally(terminalreporter.stats.get("xfailed", []) + terminalreporter.stats.get("failed", []))
    if known:
        terminalreporter.section(f"hybridcheck: known deviations ({len(known)})")
        for entry, outcomes in sorted(known.items()):
            write(", ".join(f"{count} {outcome}" for outcome, count in sorted(outcomes.items())) + f"  {entry}")
    if _CALLS:
        terminalreporter.section("hybridcheck: back-channel requests by endpoint")
        for path, count in sorted(_CALLS.items()):
            notes = [f"{_RATE_LIMITED[path]} answered 429"] if _RATE_LIMITED[path] else []
            notes += [f"paced to the published limit: waited {_PACED_S[path]:.1f} s"] if _PACED_S[path] else []
            write(f"{count:5}  {path}" + (f"  ({'; '.join(notes)})" if notes else ""))
        write(f"{sum(_CALLS.values()):5}  total")


@pytest.hookimpl(optionalhook=True)
def pytest_html_results_summary(prefix: list[str], summary: list[str], postfix: list[str]) -> None:
    """report.html opens with the results by requirement, failures first."""
    rows = sorted(_tested(), key=lambda row: (_verdict(row[2]) != "FAIL", _requirement_order(row[0])))
    cells = "".join(
        f"<tr><td>{_verdict(counts)}</td><td>{req}</td><td>{html.escape(entry['title'][:120])}</td>"
        f"<td>{html.escape(entry['source'])}</td>"
        + "".join(f"<td>{counts[name]}</td>" for name in _OUTCOMES)
        + "</tr>"
        for req, entry, counts in rows
    )
    head = "".join(f"<th>{name}</th>" for name in ("verdict", "requirement", "title", "source", *_OUTCOMES))
    if _BASELINE:
        changed = "".join(
            f"<tr><td>{c.kind}</td><td>{c.requirement}</td><td>{html.escape(c.cell)}</td>"
            f"<td>{c.before} → {c.after}</td><td>{html.escape(c.nodeid)}</td></tr>"
            for c in _CHANGES
        ) or "<tr><td colspan='5'>nothing changed</td></tr>"
        prefix.append(
            f"<h2>Changed since last run</h2><p>baseline: {html.escape(_BASELINE[0])}</p>"
            "<table class='hybridcheck-changes'><tr><th>change</th><th>requirement</th><th>RT/RM</th>"
            f"<th>outcome</th><th>test</th></tr>{changed}</table>"
        )
    prefix.append(f"<h2>Results by requirement</h2><table class='hybridcheck-requirements'><tr>{head}</tr>{cells}</table>")


@pytest.hookimpl(optionalhook=True)
def pytest_html_results_table_header(cells: list[str]) -> None:
    cells.insert(1, "<th>Requirement</th>")


@pytest.hookimpl(optionalhook=True)
def pytest_html_results_table_row(report: pytest.TestReport, cells: list[str]) -> None:
    requirements = sorted({value for name, value in report.user_properties if name == "requirement"})
    cells.insert(1, f"<td>{', '.join(requirements)}</td>")
