"""The plugin's collection glue, in-process with pytester: requirement policy, ``--req``, markers,
the matrix and near-miss parametrisation, known deviations, and where the plugin stays dormant.

The synthetic suites request no tenant fixture (``case`` is overridden by a conftest where a
test needs matrix cells), so nothing here starts a tenant or a browser. See ``conftest.py``.
"""

from __future__ import annotations

import pytest

import hybridcheck.plugin as plugin
from hybridcheck.tenant.defects import ENV_VAR as ENV_DEFECTS

pytest_plugins = ["pytester"]

USAGE_ERROR = int(pytest.ExitCode.USAGE_ERROR)

#: Stands in for the plugin's ``case`` (which needs discovery, so a tenant): the cell itself.
CASE_CONFTEST = """
import pytest

@pytest.fixture
def case(request):
    return request.param
"""


# --- collection policy ------------------------------------------------------------------------


def test_a_suite_test_without_or_with_unknown_requirement_ids_is_a_usage_error(suite) -> None:
    suite.write("test_policy.py", """
        import pytest

        def test_unmarked():
            pass

        @pytest.mark.req("STATE-1", "NOPE-7")
        def test_unknown():
            pass

        @pytest.mark.req("STATE-1")
        def test_fine():
            pass
    """)
    run = suite.run()
    assert run.ret == USAGE_ERROR, run.output
    err = run.result.stderr.str()
    assert "suite tests without valid requirement IDs:" in err
    assert "suites/test_policy.py::test_unmarked: no @pytest.mark.req" in err
    assert "suites/test_policy.py::test_unknown: unknown requirement IDs ['NOPE-7']" in err
    assert "test_fine" not in err and "passed" not in run.result.stdout.str()


def test_outside_suites_only_tests_naming_ids_are_suite_tests(suite) -> None:
    """A team's own check outside ``suites/``: unmarked it is left alone, marked it is judged the same."""
    suite.write("test_ok.py", """
        import pytest
        pytestmark = pytest.mark.req("DISC-1")  # a module-level marker counts

        def test_discovery():
            pass
    """)
    team = suite.write("test_team.py", """
        import pytest

        def test_helper_without_ids():
            pass

        @pytest.mark.req("STATE-1")
        def test_team_state():
            pass
    """, directory="team")
    run = suite.run(target=str(suite.pytester.path))
    assert run.ret == 0, run.output
    run.result.assert_outcomes(passed=3)
    cases = run.results().by_nodeid()
    assert cases["suites/test_ok.py::test_discovery"].requirements == ("DISC-1",)
    assert cases["team/test_team.py::test_team_state"].requirements == ("STATE-1",)
    assert cases["team/test_team.py::test_helper_without_ids"].requirements == ()

    team.write_text(team.read_text().replace('"STATE-1"', '"BOGUS-1"'))
    run = suite.run(target=str(suite.pytester.path))
    assert run.ret == USAGE_ERROR
    assert "team/test_team.py::test_team_state: unknown requirement IDs ['BOGUS-1']" in run.result.stderr.str()


def test_bad_needs_markers_are_a_usage_error_naming_each_test(suite) -> None:
    suite.write("test_needs.py", """
        import pytest

        @pytest.mark.req("SESS-1")
        @pytest.mark.needs_capability("promt_none")
        def test_typo():
            pass

        @pytest.mark.req("SESS-2")
        @pytest.mark.needs_clients(0)
        def test_zero_clients():
            pass

        @pytest.mark.req("SESS-3")
        @pytest.mark.parametrize("role", [pytest.param("x", marks=pytest.mark.needs_client("main", uris=2))])
        def test_param_mark(role):
            pass
    """)
    run = suite.run()
    assert run.ret == USAGE_ERROR, run.output
    err = run.result.stderr.str()
    assert "bad hybridcheck.needs markers:" in err
    assert "suites/test_needs.py::test_typo: needs_capability('promt_none',): unknown capabilities ['promt_none']" in err
    assert "suites/test_needs.py::test_zero_clients: needs_clients(0,): takes one count (>= 1)" in err
    assert "suites/test_needs.py::test_param_mark[x]: needs_client('main',) {'uris': 2}" in err


def test_the_plugin_registers_every_marker_the_suite_uses(suite) -> None:
    """Under --strict-markers (the suite's pytest.ini) a suite using all of them collects."""
    suite.write("test_marks.py", """
        import pytest

        @pytest.mark.req("IDT-3")
        @pytest.mark.smoke
        @pytest.mark.negative
        @pytest.mark.auth0
        @pytest.mark.slow
        @pytest.mark.oidf("oidcc-server")
        @pytest.mark.matrix(needs=["id_token"])
        @pytest.mark.needs_capability("pkce")
        @pytest.mark.code_id_token
        @pytest.mark.form_post
        @pytest.mark.redirect_fragment
        @pytest.mark.c_hash
        def test_everything():
            pass
    """)
    run = suite.run("--strict-markers", "--collect-only", "-q")
    assert run.ret == 0, run.output
    assert run.collected() == ["suites/test_marks.py::test_everything"]


# --- markers added at collection: family, requirement, matrix cell ----------------------------


FAMILIES = """
    import pytest

    @pytest.mark.req("STATE-1")
    def test_state():
        pass

    @pytest.mark.req("IDT-3")
    def test_c_hash():
        pass

    @pytest.mark.req("IDT-4")
    def test_at_hash():
        pass

    @pytest.mark.req("NONCE-1", "IDT-1")
    def test_nonce_and_id_token():
        pass

    @pytest.mark.req("RURI-1")
    def test_redirect():
        pass
"""


@pytest.mark.parametrize("expression, names", [
    ("state", {"test_state"}),
    ("id_token", {"test_c_hash", "test_at_hash", "test_nonce_and_id_token"}),
    ("id_token and not c_hash", {"test_at_hash", "test_nonce_and_id_token"}),
    ("at_hash", {"test_at_hash"}),
    ("nonce or redirect_uri", {"test_nonce_and_id_token", "test_redirect"}),
], ids=["family", "family-of-several", "family-minus-requirement", "requirement-marker", "either-family"])
def test_family_and_requirement_markers_select_by_catalogue(suite, expression, names) -> None:
    suite.write("test_families.py", FAMILIES)
    run = suite.run("-m", expression, "--collect-only", "-q")
    assert run.ret == 0, run.output
    assert {nodeid.split("::")[1] for nodeid in run.collected()} == names


def test_the_matrix_parametrises_case_with_stable_ids_and_cell_markers(suite) -> None:
    suite.write("conftest.py", CASE_CONFTEST)
    suite.write("test_matrix.py", """
        import pytest

        @pytest.mark.req("RESP-1")
        def test_every_cell(case):
            pass

        @pytest.mark.req("RESP-2")
        @pytest.mark.matrix(needs=["token"], modes=["form_post"])
        def test_token_form_post(case):
            pass

        @pytest.mark.req("RESP-3")
        @pytest.mark.matrix(lacks=["token"])
        def test_without_token(case):
            pass
    """)
    run = suite.run("--collect-only", "-q")
    ids = run.collected()
    every = [i.split("[", 1)[1].rstrip("]") for i in ids if "test_every_cell" in i]
    assert every == [f"{rt}-{rm}" for rt in ("code id_token", "code token", "code id_token token")
                     for rm in ("fragment", "form_post")]
    assert [i for i in ids if "test_token_form_post" in i] == [
        "suites/test_matrix.py::test_token_form_post[code token-form_post]",
        "suites/test_matrix.py::test_token_form_post[code id_token token-form_post]",
    ]
    assert [i for i in ids if "test_without_token" in i] == [
        "suites/test_matrix.py::test_without_token[code id_token-fragment]",
        "suites/test_matrix.py::test_without_token[code id_token-form_post]",
    ]
    selected = suite.run("-m", "code_token and fragment", "--collect-only", "-q").collected()
    assert selected == ["suites/test_matrix.py::test_every_cell[code token-fragment]"]


def test_matrix_cells_reach_results_json(suite) -> None:
    suite.write("conftest.py", CASE_CONFTEST)
    suite.write("test_cells.py", """
        import pytest

        @pytest.mark.req("RESP-1")
        @pytest.mark.matrix(modes=["form_post"], lacks=["id_token"])
        def test_cell(case):
            assert case.response_type == "code token" and case.response_mode == "form_post"

        @pytest.mark.req("DISC-1")
        def test_no_cell():
            pass
    """)
    run = suite.run()
    assert run.ret == 0, run.output
    cases = run.results().by_nodeid()
    assert cases["suites/test_cells.py::test_cell[code token-form_post]"].cell == "code token/form_post"
    assert cases["suites/test_cells.py::test_no_cell"].cell is None


def test_near_miss_and_wildcard_cases_are_named_at_collection(suite) -> None:
    suite.write("test_ruri.py", """
        import pytest

        @pytest.mark.req("RURI-2")
        def test_refused(near_miss):
            pass

        @pytest.mark.req("RURI-2")
        def test_equivalent(equivalent_redirect_uri):
            pass

        @pytest.mark.req("RURI-4")
        def test_wildcard(wildcard_case):
            pass
    """)

    def ids(run, name: str) -> list[str]:
        return [i.split("[", 1)[1].rstrip("]") for i in run.collected() if f"::{name}[" in i]

    run = suite.run("--collect-only", "-q")
    refused = ids(run, "test_refused")
    # from the main client's first URI, its second (with a query), the other client's, and none at all
    assert {"trailing-slash-added", "foreign-host", "query-removed", "other-client", "missing"} <= set(refused)
    assert not {"scheme-case", "host-case"} & set(refused), "equivalent URIs are not misses"
    assert ids(run, "test_equivalent") == ["scheme-case", "host-case"]
    assert ids(run, "test_wildcard") == ["one-level", "two-levels", "bare-parent-domain", "suffix-appended-host",
                                         "wildcard-other-scheme", "wildcard-other-port"]

    without_wildcard = suite.profile(replace=('redirect_uris = ["http://*.localhost:{callback_port}/callback"]',
                                              'redirect_uris = ["{callback}/wild"]'))
    run = suite.run("--collect-only", "-q", tenant=without_wildcard)
    assert ids(run, "test_wildcard") == ["no-wildcard-registered"]


def test_slow_tests_come_last_head_starts_last_of_all_and_the_order_is_otherwise_kept(suite) -> None:
    suite.write("test_order.py", """
        import pytest

        @pytest.mark.req("SESS-9")
        @pytest.mark.slow
        def test_waits_on_the_workers_clock(code_exchanged_at_start):
            pass

        @pytest.mark.req("SESS-1")
        def test_a():
            pass

        @pytest.mark.req("SESS-9")
        @pytest.mark.slow
        def test_waits():
            pass

        @pytest.mark.req("SESS-2")
        def test_b():
            pass

        @pytest.mark.req("SESS-3")
        def test_c():
            pass
    """)
    run = suite.run("--collect-only", "-q")
    assert [i.split("::")[1] for i in run.collected()] == ["test_a", "test_b", "test_c", "test_waits",
                                                           "test_waits_on_the_workers_clock"]


# --- --req ------------------------------------------------------------------------------------


REQ_SUITE = """
    import pytest

    @pytest.mark.req("STATE-1")
    def test_state_1():
        pass

    @pytest.mark.req("STATE-2")
    def test_state_2():
        pass

    @pytest.mark.req("IDT-3")
    def test_idt_3():
        pass

    @pytest.mark.req("TOK-1", "IDT-4")
    def test_tok_1_and_idt_4():
        pass

    @pytest.mark.req("IDT-4")
    @pytest.mark.parametrize("n", [1, 2])
    def test_idt_4(n):
        pass
"""


@pytest.mark.parametrize("args, names", [
    (["--req", "IDT-4"], ["test_tok_1_and_idt_4", "test_idt_4[1]", "test_idt_4[2]"]),
    (["--req", "IDT-3,STATE-2"], ["test_state_2", "test_idt_3"]),
    (["--req", "STATE-1", "--req", "TOK-1"], ["test_state_1", "test_tok_1_and_idt_4"]),
    (["--req", " IDT-3 , ,"], ["test_idt_3"]),
    (["--req", "FRAG-1"], []),  # known but untested here: nothing runs, no error
], ids=["one-id", "comma-separated", "repeated", "spaces-and-empties", "untested-id"])
def test_req_keeps_exactly_the_tests_of_those_ids(suite, args, names) -> None:
    suite.write("test_req.py", REQ_SUITE)
    run = suite.run(*args, "--collect-only", "-q")
    assert run.ret in (0, int(pytest.ExitCode.NO_TESTS_COLLECTED)), run.output
    assert [i.split("::")[1] for i in run.collected()] == names
    assert f"{6 - len(names)} deselected" in run.result.stdout.str()


def test_req_runs_only_the_selected_tests_and_reports_only_them(suite) -> None:
    suite.write("test_req.py", REQ_SUITE)
    run = suite.run("--req", "STATE-2")
    assert run.ret == 0, run.output
    run.result.assert_outcomes(passed=1, deselected=5)
    assert [c.nodeid for c in run.results().cases] == ["suites/test_req.py::test_state_2"]
    assert [case["nodeid"] for case in run.requirements()["STATE-2"]["cases"]] == ["suites/test_req.py::test_state_2"]
    assert run.requirements()["STATE-1"]["cases"] == []


def test_req_with_an_unknown_id_is_a_usage_error(suite) -> None:
    suite.write("test_req.py", REQ_SUITE)
    run = suite.run("--req", "IDT-3,NOPE-1,ZZZ-0")
    assert run.ret == USAGE_ERROR
    assert "--req: unknown requirement IDs ['NOPE-1', 'ZZZ-0']" in run.result.stderr.str()


# --- known deviations → strict xfail ----------------------------------------------------------


DEVIATIONS = """
[[deviations]]
requirement = "STATE-2"
response_type = "code token"
reason = "invents a state"

[[deviations]]
requirement = "IDT-3"
response_mode = "form_post"
reason = "c_hash over the full digest"
review_by = "2999-01-01"

[[deviations]]
requirement = "STATE-1"
test = "*::test_echo_exact"
reason = "drops a trailing space"

[[deviations]]
requirement = "NONCE-2"
reason = "an entry nothing matches"
"""

DEVIATING_SUITE = """
    import pytest
    from hybridcheck.checks.base import fail

    @pytest.mark.req("STATE-2")
    def test_state_invented(case):
        if case.response_type == "code token":
            fail("STATE-2", "no state is invented", expected="no state", actual="state=abc")

    @pytest.mark.req("IDT-3")
    def test_c_hash(case):
        pass  # the deviation is gone: its entry must say so

    @pytest.mark.req("STATE-1")
    def test_echo_exact():
        fail("STATE-1", "state echoed exactly", expected="'a '", actual="'a'")

    @pytest.mark.req("STATE-1")
    def test_echo_exact_too():
        fail("STATE-1", "not covered: the glob names the other test", expected="'a '", actual="'a'")

    @pytest.mark.req("STATE-2")
    def test_state_timeout(case):
        if case.response_type == "code token":
            raise TimeoutError("navigation timeout: not the deviation the entry describes")
"""


@pytest.fixture
def deviating(suite):
    suite.write("conftest.py", CASE_CONFTEST)
    suite.write("test_deviating.py", DEVIATING_SUITE)
    return suite.run(tenant=suite.profile(DEVIATIONS))


def test_a_matching_failure_is_a_known_deviation_xfail(deviating) -> None:
    cases = deviating.results().by_nodeid()
    name = "suites/test_deviating.py::test_state_invented"
    for rm in ("fragment", "form_post"):
        case = cases[f"{name}[code token-{rm}]"]
        assert case.outcome == "xfailed"
        assert case.reason.startswith("known deviation STATE-2 (RT 'code token'): invents a state")
    for rt in ("code id_token", "code id_token token"):  # outside the entry's RT: plain passes
        assert cases[f"{name}[{rt}-fragment]"].outcome == "passed"
    assert cases["suites/test_deviating.py::test_echo_exact"].outcome == "xfailed"
    assert cases["suites/test_deviating.py::test_echo_exact_too"].outcome == "failed"


def test_a_deviation_matches_only_requirement_failures_never_a_timeout(deviating) -> None:
    cases = deviating.results().by_nodeid()
    for rm in ("fragment", "form_post"):
        case = cases[f"suites/test_deviating.py::test_state_timeout[code token-{rm}]"]
        assert case.outcome == "failed" and "TimeoutError" in case.reason


def test_a_matching_pass_fails_the_run_as_fixed(deviating) -> None:
    assert deviating.ret == 1
    cases = deviating.results().by_nodeid()
    for rt in ("code id_token", "code token", "code id_token token"):
        fixed = cases[f"suites/test_deviating.py::test_c_hash[{rt}-form_post]"]
        assert fixed.outcome == "xpassed" and fixed.bad
        assert "[XPASS(strict)] known deviation IDT-3 (RM 'form_post')" in fixed.reason
        assert "fixed — remove the entry" in fixed.reason
        assert cases[f"suites/test_deviating.py::test_c_hash[{rt}-fragment]"].outcome == "passed"
    deviating.result.assert_outcomes(passed=11, failed=6, xfailed=3)


def test_the_summary_tallies_each_entry_and_warns_of_unused_ones(deviating) -> None:
    out = deviating.result.stdout.str()
    assert "hybridcheck: known deviations (3)" in out
    assert "2 still failing  STATE-2 (RT 'code token'): invents a state" in out
    assert "3 fixed — remove the entry  IDT-3 (RM 'form_post'): c_hash over the full digest" in out
    assert "1 still failing  STATE-1 (test '*::test_echo_exact'): drops a trailing space" in out
    assert "known deviation NONCE-2 matches no collected test" in out


def test_a_deviation_past_its_review_date_stops_the_run_before_any_test(suite) -> None:
    suite.write("test_one.py", """
        import pytest

        @pytest.mark.req("IDT-3")
        def test_c_hash():
            pass
    """)
    expired = suite.profile('[[deviations]]\nrequirement = "IDT-3"\nreason = "old"\nreview_by = "2000-01-01"\n')
    run = suite.run(tenant=expired)
    assert run.ret == USAGE_ERROR
    assert "past their review-by date" in run.result.stderr.str() and "IDT-3 review_by 2000-01-01 (old)" in run.result.stderr.str()
    assert "passed" not in run.result.stdout.str()


# --- profile, environment, dormancy -----------------------------------------------------------


ONE_TEST = """
    import pytest

    @pytest.mark.req("DISC-1")
    @pytest.mark.needs_clients(9)
    def test_discovery(request):
        pass
"""


@pytest.mark.parametrize("env, tenant, message", [
    ({}, "no-such-tenant", "no-such-tenant: no profile of that name in tenants/"),
    ({plugin.ENV_PROFILE: "from-the-env"}, "", "from-the-env: no profile of that name"),
    ({ENV_DEFECTS: "no_such_defect"}, "local", "no_such_defect"),
], ids=["unknown-profile", "profile-from-env", "unknown-defect"])
def test_a_suite_run_with_an_unusable_profile_is_a_usage_error(suite, monkeypatch, env, tenant, message) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    suite.write("test_one.py", ONE_TEST)
    run = suite.run(tenant=tenant)
    assert run.ret == USAGE_ERROR, run.output
    assert message in run.result.stderr.str()


def test_tenant_option_beats_the_environment(suite, monkeypatch) -> None:
    monkeypatch.setenv("HYBRIDCHECK_TENANT", "from-the-env")
    suite.write("test_one.py", ONE_TEST)
    run = suite.run(tenant="local")
    assert run.ret == 0, run.output
    assert run.results().cases[0].reason == "profile local: 3 clients (main, other, wild), the test needs 9"


def test_a_real_tenant_with_a_fixed_callback_port_refuses_workers(suite, monkeypatch) -> None:
    monkeypatch.setenv("HC_GLUE_SECRET", "s3cret-value")
    monkeypatch.setenv("HC_GLUE_PASSWORD", "pa55word-value")
    path = suite.pytester.path / "real.toml"
    path.write_text("""
name = "real"
issuer = "https://op.example.test/"
[callback]
port = 18799
[clients.main]
client_id = "x"
client_secret_env = "HC_GLUE_SECRET"
redirect_uris = ["{callback}/callback"]
[user]
username = "u"
password_env = "HC_GLUE_PASSWORD"
[login]
recipe = "local"
""")
    suite.write("test_one.py", ONE_TEST)
    run = suite.run("-n", "2", tenant=str(path))
    assert run.ret == USAGE_ERROR, run.output
    assert "callback port(s) 18799 are fixed" in run.result.stderr.str()
    assert "one registered port per worker in [callback] ports" in run.result.stderr.str()


def test_outside_suites_the_plugin_stays_dormant(suite, monkeypatch) -> None:
    """The project's own tests: no profile is loaded (a bad $HYBRIDCHECK_TENANT is no error), no
    need skips, no requirement policy."""
    suite.write("test_own.py", ONE_TEST + """
    def test_without_ids():
        pass
    """, directory="own")
    monkeypatch.setenv(plugin.ENV_PROFILE, "no-such-tenant")
    run = suite.run(tenant="", target=str(suite.pytester.path / "own"))
    assert run.ret == 0, run.output
    run.result.assert_outcomes(passed=2)


def test_a_teams_own_checks_outside_suites_get_the_profile_when_they_name_a_tenant(suite) -> None:
    """``pytest checks/ --tenant auth0``: a team's own tests reuse the suite's fixtures."""
    suite.write("test_own.py", """
    def test_uses_the_profile(profile):
        assert profile.name == "local"
    """, directory="own")
    run = suite.run(tenant="local", target=str(suite.pytester.path / "own"))
    assert run.ret == 0, run.output
    run.result.assert_outcomes(passed=1)
    bad = suite.run(tenant="no-such-tenant", target=str(suite.pytester.path / "own"))
    assert bad.ret == USAGE_ERROR and "no-such-tenant: no profile of that name" in bad.output
