"""bench/soak.py's outcome diff: which tests flip between runs, over hand-written results."""

import importlib.util
import sys

from hybridcheck.paths import ROOT
from hybridcheck.results import CaseResult

_spec = importlib.util.spec_from_file_location("soak", ROOT / "bench" / "soak.py")
assert _spec is not None and _spec.loader is not None
soak = importlib.util.module_from_spec(_spec)
sys.modules["soak"] = soak  # dataclasses look their module up there
_spec.loader.exec_module(soak)


def _run(*cases: tuple[str, str] | str) -> dict[str, CaseResult]:
    """A run's cases by node id: ``"name"`` passed, or ``("name", outcome)``."""
    made = [CaseResult(f"suites/test_x.py::{c}", "passed") if isinstance(c, str) else
            CaseResult(f"suites/test_x.py::{c[0]}", c[1], FAILURE if c[1] == "failed" else "") for c in cases]
    return {case.nodeid: case for case in made}


FAILURE = "IDT-3 c_hash differs\nexpected ...\nactual ..."


def test_only_tests_whose_outcome_changed_are_flaky_with_runs_and_first_failure():
    runs = [
        _run("steady", "flips", ("skips", "skipped"), "gone"),
        _run("steady", ("flips", "failed"), ("skips", "skipped")),
        _run("steady", "flips", ("skips", "skipped"), "gone"),
    ]
    flaky = {f.test: f for f in soak.flaky_tests(runs)}
    assert set(flaky) == {"suites/test_x.py::flips", "suites/test_x.py::gone"}
    assert flaky["suites/test_x.py::flips"].runs_by_outcome == {"passed": [1, 3], "failed": [2]}
    assert flaky["suites/test_x.py::flips"].first_failure == "IDT-3 c_hash differs"
    assert flaky["suites/test_x.py::gone"].runs_by_outcome == {"passed": [1, 3], "missing": [2]}


def test_identical_runs_have_no_flaky_test():
    run = _run("a", ("b", "failed"))
    assert soak.flaky_tests([run, run, run]) == []
