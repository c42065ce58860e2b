"""Warnings are an outcome of their own: shown in requirements.json and the summary, failing only when strict."""

import pytest

from hybridcheck import history

pytest_plugins = ["pytester"]

_SUITE = """
import pytest
from hybridcheck.checks.base import Findings, fail, warn

@pytest.mark.req("TOK-3")
def test_should_not_met():
    warn("TOK-3", "tokens of a replayed code are revoked", expected="HTTP 401", actual="HTTP 200")

@pytest.mark.req("TOK-1")
def test_all_findings_together():
    with Findings() as findings:
        findings.fail("TOK-1", "token_type is Bearer", expected="Bearer", actual="mac")
        findings.check(fail, "TOK-1", "no-store", expected="no-store", actual="public")

@pytest.mark.req("IDT-3")
def test_clean():
    pass
"""


#: What the suite plugin does at collection: a requirement property per ``req`` marker.
_CONFTEST = """
def pytest_configure(config):
    config.addinivalue_line("markers", "req(*ids): requirement IDs")

def pytest_collection_modifyitems(items):
    for item in items:
        item.user_properties += [("requirement", req) for m in item.iter_markers("req") for req in m.args]
"""


def _run(pytester: pytest.Pytester, *args: str) -> tuple[pytest.RunResult, dict]:
    pytester.makeconftest(_CONFTEST)
    pytester.makepyfile(test_suite=_SUITE)
    reports = pytester.path / "reports"
    result = pytester.runpytest_subprocess(
        "-p", "hybridcheck.severity", "-p", "hybridcheck.reporting", f"--reports-dir={reports}",
        "-p", "no:cacheprovider", *args,
    )
    cases = {
        case["nodeid"].split("::")[-1]: case
        for entry in history.load(reports / "requirements.json").values()
        for case in entry["cases"]
    }
    return result, cases


def test_a_should_finding_is_a_warning_outcome_not_a_failure(pytester: pytest.Pytester) -> None:
    result, cases = _run(pytester)
    assert cases["test_should_not_met"]["outcome"] == "warning"
    assert "[TOK-3] tokens of a replayed code are revoked" in cases["test_should_not_met"]["reason"]
    assert cases["test_clean"]["outcome"] == "passed"
    result.stdout.fnmatch_lines(["warn TOK-3 *", "*warning: test_suite.py::test_should_not_met"])
    result.assert_outcomes(passed=2, failed=1)


def test_strict_warnings_fail_the_test(pytester: pytest.Pytester) -> None:
    result, cases = _run(pytester, "--strict-warnings")
    assert cases["test_should_not_met"]["outcome"] == "failed"
    result.assert_outcomes(passed=1, failed=2)


def test_findings_are_all_reported_together(pytester: pytest.Pytester) -> None:
    result, cases = _run(pytester)
    reason = cases["test_all_findings_together"]["reason"]
    assert "2 findings" in reason and "token_type is Bearer" in reason and "no-store" in reason
