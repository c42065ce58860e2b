"""Outcome mapping: every pytest outcome reaches results.json and requirements.json as the run saw it,
and the summary's verdict per requirement follows from them (in-process pytester; ``conftest.py``)."""

from __future__ import annotations

import json
import re
from collections import Counter
from types import SimpleNamespace

import pytest

from hybridcheck.environment import package_version
from hybridcheck.reporting import _verdict, merge
from hybridcheck.requirements import catalogue

pytest_plugins = ["pytester"]

OUTCOMES_SUITE = """
    import pytest
    from hybridcheck.checks.base import fail, warn

    @pytest.fixture
    def broken():
        raise RuntimeError("fixture exploded")

    @pytest.fixture
    def bad_teardown():
        yield
        raise RuntimeError("teardown exploded")

    @pytest.mark.req("STATE-1")
    def test_passes():
        pass

    @pytest.mark.req("IDT-3")
    def test_fails():
        fail("IDT-3", "c_hash is the left half of the code's hash", expected="left-half", actual="full-digest")

    @pytest.mark.req("NONCE-1")
    def test_skips():
        pytest.skip("the tenant does not do this")

    @pytest.mark.req("TOK-3")
    def test_warns():
        warn("TOK-3", "tokens of a replayed code are revoked", expected="HTTP 401", actual="HTTP 200")

    @pytest.mark.req("REF-5")
    @pytest.mark.xfail(reason="known to fail", strict=True)
    def test_xfails():
        assert False

    @pytest.mark.req("REF-4")
    @pytest.mark.xfail(reason="lenient expectation", strict=False)
    def test_xpasses():
        pass

    @pytest.mark.req("REF-7")
    @pytest.mark.xfail(reason="strict expectation", strict=True)
    def test_xpasses_strict():
        pass

    @pytest.mark.req("DISC-1")
    def test_setup_error(broken):
        pass

    @pytest.mark.req("DISC-3")
    def test_teardown_error(bad_teardown):
        pass

    @pytest.mark.req("SESS-1", "SESS-2")
    def test_two_requirements():
        pass

    @pytest.mark.req("RURI-1")
    @pytest.mark.needs_clients(9)
    def test_needs_more_clients():
        pass
"""

NODE = "suites/test_outcomes.py::"
EXPECTED = {  # test → (requirement IDs, outcome, a piece of the reason)
    "test_passes": (("STATE-1",), "passed", ""),
    "test_fails": (("IDT-3",), "failed", "[IDT-3] c_hash is the left half of the code's hash"),
    "test_skips": (("NONCE-1",), "skipped", "the tenant does not do this"),
    "test_warns": (("TOK-3",), "warning", "[TOK-3] tokens of a replayed code are revoked"),
    "test_xfails": (("REF-5",), "xfailed", "known to fail"),
    "test_xpasses": (("REF-4",), "xpassed", "XPASS: lenient expectation"),
    "test_xpasses_strict": (("REF-7",), "xpassed", "[XPASS(strict)] strict expectation"),
    "test_setup_error": (("DISC-1",), "error", "fixture exploded"),
    "test_teardown_error": (("DISC-3",), "error", "teardown exploded"),
    "test_two_requirements": (("SESS-1", "SESS-2"), "passed", ""),
    "test_needs_more_clients": (("RURI-1",), "skipped", "profile local: 3 clients (main, other, wild), the test needs 9"),
}


@pytest.fixture
def outcomes(suite):
    suite.write("test_outcomes.py", OUTCOMES_SUITE)
    return suite.run()


def test_results_json_has_each_outcome_and_why(outcomes) -> None:
    run = outcomes.results()
    assert run.exit_status == 1
    cases = run.by_nodeid()
    assert set(cases) == {NODE + name for name in EXPECTED}
    for name, (requirements, outcome, reason) in EXPECTED.items():
        case = cases[NODE + name]
        assert (case.outcome, case.requirements) == (outcome, requirements), (name, case)
        assert reason in case.reason if reason else case.reason == "", (name, case.reason)
    assert "expected: left-half" in cases[NODE + "test_fails"].reason
    assert "actual:   HTTP 200" in cases[NODE + "test_warns"].reason
    assert run.outcomes() == Counter(passed=2, failed=1, skipped=2, warning=1, xfailed=1, xpassed=2, error=2)
    assert {c.nodeid.split("::")[1] for c in run.bad()} == {
        "test_fails", "test_xpasses", "test_xpasses_strict", "test_setup_error", "test_teardown_error"}
    assert all(c.cell is None for c in run.cases)


def test_requirements_json_lists_every_catalogue_id_with_its_cases(outcomes) -> None:
    by_id = outcomes.requirements()
    assert list(by_id) == list(catalogue())
    assert by_id["FRAG-1"] == {"title": catalogue()["FRAG-1"].title, "source": catalogue()["FRAG-1"].source,
                               "cases": []}
    listed = {req: [(c["nodeid"].removeprefix(NODE), c["outcome"]) for c in entry["cases"]]
              for req, entry in by_id.items() if entry["cases"]}
    assert listed == {req: [(name, outcome)] for name, (reqs, outcome, _) in EXPECTED.items() for req in reqs}
    assert all(c["cell"] is None for entry in by_id.values() for c in entry["cases"])
    assert by_id["TOK-3"]["cases"][0]["reason"].startswith("[TOK-3] tokens of a replayed code are revoked")


def test_both_files_say_which_suite_version_judged_which_tenant_with_which_browser(outcomes) -> None:
    document = json.loads((outcomes.reports / "requirements.json").read_text(encoding="utf-8"))
    for environment in (document["run"], outcomes.results().environment):
        assert environment["tenant"] == "local" and environment["issuer"] == "embedded"
        assert environment["hybridcheck"] == package_version() != "not installed"
        assert environment["Playwright"] == package_version("playwright")
        assert environment["browser"] and environment["hybridcheck commit"]


def test_the_summary_gives_one_verdict_per_tested_requirement(outcomes) -> None:
    out = outcomes.result.stdout.str()
    verdicts = {req: verdict for verdict, req in re.findall(r"^(FAIL|warn|pass|skip) +([A-Z]+-\d+) ", out, re.M)}
    assert verdicts == {
        "STATE-1": "pass", "IDT-3": "FAIL", "NONCE-1": "skip", "TOK-3": "warn", "REF-5": "pass", "REF-4": "FAIL",
        "REF-7": "FAIL", "DISC-1": "FAIL", "DISC-3": "FAIL", "SESS-1": "pass", "SESS-2": "pass", "RURI-1": "skip",
    }
    listed = re.findall(r"^ {7}(\w+): suites/test_outcomes.py::(\w+)$", out, re.M)
    assert sorted(listed) == sorted([("error", "test_setup_error"), ("error", "test_teardown_error"),
                                     ("failed", "test_fails"), ("xpassed", "test_xpasses"),
                                     ("xpassed", "test_xpasses_strict"), ("warning", "test_warns")])


def test_a_requirement_failure_shows_the_finding_not_the_checks_frames(outcomes) -> None:
    out = outcomes.result.stdout.str()
    failure = out.split("_ test_fails _", 1)[1].split("\n_", 1)[0]
    assert "[IDT-3] c_hash is the left half of the code's hash" in failure
    assert "expected: left-half" in failure and "actual:   full-digest" in failure
    assert "suites/test_outcomes.py:" in failure and "in test_fails" in failure
    assert "hybridcheck/checks/base.py" not in failure and "def fail(" not in failure


def test_the_profile_can_make_warnings_strict(suite) -> None:
    suite.write("test_outcomes.py", OUTCOMES_SUITE)
    strict = suite.profile(replace=("[expectations]\n", "[expectations]\nstrict_warnings = true\n"))
    case = suite.run(tenant=strict).results().by_nodeid()[NODE + "test_warns"]
    assert case.outcome == "failed" and "[strict warnings]" in case.reason


def test_no_cases_no_results_files(suite) -> None:
    suite.write("test_empty.py", "")
    run = suite.run()
    assert run.ret == int(pytest.ExitCode.NO_TESTS_COLLECTED)
    assert not (run.reports / "results.json").exists() and not (run.reports / "requirements.json").exists()


# --- the merge and the verdict, directly -------------------------------------------------------


def _report(when: str, outcome: str, duration: float = 0.5, longrepr=None, **extra) -> SimpleNamespace:
    return SimpleNamespace(nodeid="suites/t.py::t", when=when, outcome=outcome, passed=outcome == "passed",
                           failed=outcome == "failed", skipped=outcome == "skipped", duration=duration,
                           longrepr=longrepr, user_properties=[("requirement", "IDT-3"), ("cell", "code token/fragment")],
                           **extra)


def test_merge_ignores_passing_setup_and_teardown_and_keeps_the_worse_outcome() -> None:
    assert merge(None, _report("setup", "passed")) is None
    called = merge(None, _report("call", "passed", 1.25))
    assert (called.outcome, called.requirements, called.cell, called.duration_s) == (
        "passed", ("IDT-3",), "code token/fragment", 1.25)
    assert merge(called, _report("teardown", "passed")) is called
    errored = merge(called, _report("teardown", "failed", 0.5, longrepr="RuntimeError: boom"))
    assert (errored.outcome, errored.reason, errored.duration_s) == ("error", "RuntimeError: boom", 1.75)
    skipped_after = merge(errored, _report("teardown", "skipped", longrepr=("f", 1, "Skipped: late")))
    assert skipped_after is errored  # a better outcome never replaces a worse one


@pytest.mark.parametrize("counts, verdict", [
    ({"passed": 3}, "pass"),
    ({"xfailed": 1}, "pass"),
    ({"skipped": 2}, "skip"),
    ({"passed": 1, "skipped": 5}, "pass"),
    ({"passed": 4, "warning": 1}, "warn"),
    ({"warning": 1, "xpassed": 1}, "FAIL"),
    ({"passed": 9, "error": 1}, "FAIL"),
    ({"passed": 9, "failed": 1}, "FAIL"),
])
def test_verdict(counts, verdict) -> None:
    assert _verdict(Counter(counts)) == verdict


def test_allure_gets_categories_executor_environment_and_labels(suite) -> None:
    suite.write("test_one.py", """
    import pytest

    @pytest.mark.req("IDT-3")
    def test_c_hash():
        pass
    """)
    alluredir = suite.pytester.path / "allure"
    suite.run(f"--alluredir={alluredir}")
    assert {"categories.json", "executor.json", "environment.properties"} <= {p.name for p in alluredir.iterdir()}
    (result,) = [json.loads(p.read_text()) for p in alluredir.glob("*-result.json")]
    labels = {label["name"]: label["value"] for label in result["labels"]}
    assert labels["feature"] == "ID token" and labels["story"].startswith("IDT-3: ")
    assert labels["severity"] == "critical" and labels["tenant"] == "local" and labels["requirement"] == "IDT-3"
    assert any(link["url"].startswith("https://openid.net/specs/openid-connect-core") for link in result["links"])
