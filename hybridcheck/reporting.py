"""Reporting hooks: evidence on failures, results by requirement ID, back-channel call counts.

A pytest plugin of its own (listed in the root ``conftest.py``) so the fixtures in
``plugin.py`` stay about running flows. Works with pytest-xdist: workers send their
call counts to the controller through ``workeroutput``.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

import pytest

from hybridcheck.evidence import AuthorizationResponse
from hybridcheck.redact import redact
from hybridcheck.requirements import catalogue

if TYPE_CHECKING:
    from hybridcheck.flows.http import BackChannel
    from hybridcheck.target import Authorizer

EVIDENCE_KEY = pytest.StashKey["Authorizer"]()
CHANNEL_KEY = pytest.StashKey["BackChannel"]()
_WORKER_CALLS = "hybridcheck_calls"

_RESULTS: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
_CALLS: Counter[str] = Counter()
_RATE_LIMITED: Counter[str] = Counter()


def evidence_summary(response: AuthorizationResponse) -> dict[str, Any]:
    """What a person needs to see of one authorization flow (redacted by the caller)."""
    id_token = response.id_token
    return {
        "request": response.request.params(),
        "channel": response.channel,
        "params": response.params,
        "final_url": response.final_url,
        "id_token": {"header": id_token.header, "claims": id_token.claims} if id_token else None,
        "visited": [r.url for r in response.browser_requests if r.resource_type == "document"],
        "callback_hits": [asdict(h) for h in response.callback_hits],
        "login_pages_shown": response.login_pages_shown,
        "page_text": response.page_text[:500],
    }


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """On failure, attach the flow evidence (redacted) to the report."""
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    authorizer = item.stash.get(EVIDENCE_KEY, None)
    if report.failed and authorizer is not None and authorizer.responses:
        evidence = [evidence_summary(r) for r in authorizer.responses]
        report.sections.append(("hybridcheck evidence", redact(json.dumps(evidence, indent=1, default=str))))


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
        for name, value in report.user_properties:
            if name == "requirement":
                _RESULTS[value][report.outcome].append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Collect this process's back-channel counts (a worker hands them to the controller)."""
    channel = session.config.stash.get(CHANNEL_KEY, None)
    if channel is None:
        return
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput[_WORKER_CALLS] = {"calls": dict(channel.calls), "rate_limited": dict(channel.rate_limited)}
    else:
        _CALLS.update(channel.calls)
        _RATE_LIMITED.update(channel.rate_limited)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """pytest-xdist: add a finished worker's back-channel counts to the run's."""
    counts = getattr(node, "workeroutput", {}).get(_WORKER_CALLS)
    if counts:
        _CALLS.update(counts["calls"])
        _RATE_LIMITED.update(counts["rate_limited"])


def _requirement_order(req: str) -> tuple[str, int]:
    family, number = req.split("-")
    return family, int(number)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Close with requirement ID → passed / failed / skipped (failing cases listed), and call counts."""
    write = terminalreporter.write_line
    if _RESULTS:
        terminalreporter.section("hybridcheck: results by requirement")
        known = catalogue()
        for req in sorted(_RESULTS, key=_requirement_order):
            counts = _RESULTS[req]
            verdict = "FAIL" if counts["failed"] else ("pass" if counts["passed"] else "skip")
            write(
                f"{verdict:4} {req:8} passed {len(counts['passed']):3}  failed {len(counts['failed']):3}  "
                f"skipped {len(counts['skipped']):3}  ({known[req].source})"
            )
            for nodeid in counts["failed"]:
                write(f"       failed: {nodeid}")
    if _CALLS:
        terminalreporter.section("hybridcheck: back-channel requests by endpoint")
        for path, count in sorted(_CALLS.items()):
            write(f"{count:5}  {path}" + (f"  ({_RATE_LIMITED[path]} answered 429)" if _RATE_LIMITED[path] else ""))
        write(f"{sum(_CALLS.values()):5}  total")
