"""Known deviations end to end: accepted failures are green, fixed ones are loud, expired ones stop the run."""

import re

import pytest

from hybridcheck.paths import ROOT
from hybridcheck.tenant.defects import ENV_VAR as ENV_DEFECTS

pytestmark = pytest.mark.e2e

DEVIATIONS = """
[[deviations]]
requirement = "IDT-3"
reason = "c_hash over the full digest, accepted until the fix ships"
review_by = {review_by}

[[deviations]]
requirement = "STATE-2"
reason = "invents a state when the client sent none"
"""
BOTH_DEFECTS = {ENV_DEFECTS: "c_hash_full_digest,state_invented"}


def _profile(tmp_path, review_by="2999-01-01"):
    path = tmp_path / "with-deviations.toml"
    path.write_text((ROOT / "tenants" / "local.toml").read_text() + DEVIATIONS.format(review_by=review_by))
    return str(path)


def test_two_known_deviations_against_their_two_defects_give_a_green_run(run_suite, tmp_path):
    """The whole suite (bar the 30 s wait) against a tenant with both defects: green, both entries listed."""
    result = run_suite("--tenant", _profile(tmp_path), "-m", "not slow", env=BOTH_DEFECTS)
    assert result.returncode == 0, result.stdout[-3000:]
    last = result.stdout.splitlines()[-1]
    assert not re.search(r"\d+ failed", last) and "10 xfailed" in last, last
    assert "known deviations (2)" in result.stdout
    assert "4 still failing  IDT-3: c_hash over the full digest" in result.stdout
    assert "6 still failing  STATE-2: invents a state" in result.stdout


def test_a_known_deviation_whose_defect_is_gone_says_fixed_remove_the_entry(run_suite, tmp_path):
    result = run_suite("--tenant", _profile(tmp_path), "--req", "IDT-3,STATE-2",
                       env={ENV_DEFECTS: "c_hash_full_digest"})
    assert result.returncode == 1
    assert "6 fixed — remove the entry  STATE-2" in result.stdout
    assert "4 still failing  IDT-3" in result.stdout


def test_an_expired_known_deviation_stops_the_run(run_suite, tmp_path):
    result = run_suite("--tenant", _profile(tmp_path, review_by="2020-01-01"))
    assert result.returncode == 4
    assert "past their review-by date" in result.stderr and "IDT-3" in result.stderr
