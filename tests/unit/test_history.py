"""Changes between two requirements.json documents, regressions first."""

import json

from hybridcheck.history import changes, load, tenant_key


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


def test_the_tenant_key_is_the_profile_name_and_a_digest_of_the_issuer():
    key = tenant_key("auth0 prod/eu", "https://login.example.com/")
    assert key.startswith("auth0-prod-eu-") and key == tenant_key("auth0 prod/eu", "https://login.example.com/")
    assert key != tenant_key("auth0 prod/eu", "https://other.example.com/")
    assert tenant_key("local", "embedded") != tenant_key("local-auth0", "embedded")


def test_load_reads_this_format_and_the_bare_mapping_of_earlier_versions(tmp_path):
    entries = _results(fragment="passed")
    (tmp_path / "now.json").write_text(json.dumps({"run": {"hybridcheck": "0.2.0"}, "requirements": entries}))
    (tmp_path / "then.json").write_text(json.dumps(entries))
    assert load(tmp_path / "now.json") == load(tmp_path / "then.json") == entries
