"""bench/soak.py's outcome diff: which tests flip between runs, over hand-written junit XML."""

import importlib.util
import sys
from pathlib import Path

_spec = importlib.util.spec_from_file_location("soak", Path(__file__).resolve().parents[2] / "bench" / "soak.py")
assert _spec is not None and _spec.loader is not None
soak = importlib.util.module_from_spec(_spec)
sys.modules["soak"] = soak  # dataclasses look their module up there
_spec.loader.exec_module(soak)


def _junit(*cases: str) -> str:
    return f'<testsuites><testsuite name="pytest">{"".join(cases)}</testsuite></testsuites>'


def _case(name: str, body: str = "") -> str:
    return f'<testcase classname="suites.test_x" name="{name}" time="0.1">{body}</testcase>'


FAILURE = '<failure message="AssertionError: IDT-3 c_hash differs">long traceback</failure>'


def test_outcomes_are_read_from_each_testcase():
    results = soak.parse_junit(_junit(
        _case("a"),
        _case("b", FAILURE),
        _case("c", '<error message="failed on setup with &quot;OSError&quot;">trace</error>'),
        _case("d", '<skipped type="pytest.skip" message="not advertised"/>'),
        _case("e", '<skipped type="pytest.xfail" message="known deviation"/>'),
        _case("f", '<error>teardown went wrong\nmore</error>'),
    ))
    assert {test: r.outcome for test, r in results.items()} == {
        "suites.test_x::a": "passed", "suites.test_x::b": "failed", "suites.test_x::c": "error",
        "suites.test_x::d": "skipped", "suites.test_x::e": "xfail", "suites.test_x::f": "error",
    }
    assert results["suites.test_x::b"].message == "AssertionError: IDT-3 c_hash differs"
    assert results["suites.test_x::f"].message == "teardown went wrong"


def test_a_test_reported_twice_keeps_its_worst_outcome():
    results = soak.parse_junit(_junit(_case("a"), _case("a", '<error message="teardown"/>')))
    assert results["suites.test_x::a"].outcome == "error"


def test_only_tests_whose_outcome_changed_are_flaky_with_runs_and_first_failure():
    runs = [
        soak.parse_junit(_junit(_case("steady"), _case("flips"), _case("skips", "<skipped/>"), _case("gone"))),
        soak.parse_junit(_junit(_case("steady"), _case("flips", FAILURE), _case("skips", "<skipped/>"))),
        soak.parse_junit(_junit(_case("steady"), _case("flips"), _case("skips", "<skipped/>"), _case("gone"))),
    ]
    flaky = {f.test: f for f in soak.flaky_tests(runs)}
    assert set(flaky) == {"suites.test_x::flips", "suites.test_x::gone"}
    assert flaky["suites.test_x::flips"].runs_by_outcome == {"passed": [1, 3], "failed": [2]}
    assert flaky["suites.test_x::flips"].first_failure == "AssertionError: IDT-3 c_hash differs"
    assert flaky["suites.test_x::gone"].runs_by_outcome == {"passed": [1, 3], "missing": [2]}


def test_identical_runs_have_no_flaky_test():
    run = soak.parse_junit(_junit(_case("a"), _case("b", FAILURE)))
    assert soak.flaky_tests([run, run, run]) == []
