"""Changes between two requirements.json documents, regressions first."""

from hybridcheck.history import changes


def _results(**outcomes):
    return {"IDT-3": {"cases": [{"nodeid": f"suites/t.py::t[{mode}]", "outcome": o, "cell": f"code id_token/{mode}"}
                                for mode, o in outcomes.items()]}}


def test_newly_failing_comes_first_and_names_the_cell():
    found = changes(_results(fragment="passed", form_post="failed"), _results(fragment="failed", form_post="passed"))
    assert [(c.kind, c.cell, c.before, c.after) for c in found] == [
        ("newly failing", "code id_token/fragment", "passed", "failed"),
        ("newly passing", "code id_token/form_post", "failed", "passed"),
    ]


def test_an_xfail_or_an_error_is_still_a_failure_and_unchanged_cases_are_not_listed():
    assert changes(_results(fragment="failed"), _results(fragment="xfailed")) == []
    assert changes(_results(fragment="failed"), _results(fragment="error")) == []
    assert changes(_results(fragment="passed"), _results(fragment="passed")) == []
