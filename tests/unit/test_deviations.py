"""Known deviations: matching, review dates, and the xfail they become."""

import datetime as dt

import pytest

from types import SimpleNamespace

from hybridcheck.deviations import Deviation, ExpiredDeviation, check_review_dates, tally, xfail_marker

NODE = "suites/test_redirect_uri.py::test_near_miss[code token-fragment-chromium-encoded-path]"


@pytest.mark.parametrize(
    "deviation, matches",
    [
        (Deviation("RURI-2", "r"), True),
        (Deviation("RURI-3", "r"), False),
        (Deviation("RURI-2", "r", response_type="token code"), True),
        (Deviation("RURI-2", "r", response_type="code id_token"), False),
        (Deviation("RURI-2", "r", response_mode="fragment"), True),
        (Deviation("RURI-2", "r", response_mode="form_post"), False),
        (Deviation("RURI-2", "r", test="*encoded-path*"), True),
        (Deviation("RURI-2", "r", test="*dot-segment*"), False),
    ],
    ids=["requirement", "other-requirement", "rt-as-a-set", "other-rt", "rm", "other-rm", "glob", "other-glob"],
)
def test_an_entry_matches_by_requirement_rt_rm_and_glob(deviation, matches):
    assert deviation.matches(NODE, ["RURI-2"], "code token", "fragment") is matches


def test_an_entry_past_its_review_date_stops_the_run():
    today = dt.date(2026, 11, 27)
    check_review_dates([Deviation("TOK-2", "r", review_by=today)], today)
    with pytest.raises(ExpiredDeviation, match="TOK-2 .*review_by 2026-11-26"):
        check_review_dates([Deviation("TOK-2", "r", review_by=dt.date(2026, 11, 26))], today)


def test_the_xfail_is_strict_and_says_to_remove_the_entry_when_fixed():
    mark = xfail_marker(Deviation("REF-5", "invalid_request instead of invalid_scope")).mark
    assert mark.kwargs["strict"] is True
    assert "fixed — remove the entry" in mark.kwargs["reason"] and "invalid_request" in mark.kwargs["reason"]


def test_tally_counts_still_failing_and_fixed_per_entry_and_ignores_other_reports():
    reason = xfail_marker(Deviation("IDT-3", "full digest")).kwargs["reason"]
    reports = [
        SimpleNamespace(when="call", skipped=True, failed=False, wasxfail=reason, longrepr=None),
        SimpleNamespace(when="call", skipped=True, failed=False, wasxfail=reason, longrepr=None),
        SimpleNamespace(when="call", skipped=False, failed=True, longrepr=f"[XPASS(strict)] {reason}"),
        SimpleNamespace(when="call", skipped=True, failed=False, wasxfail="some other xfail", longrepr=None),
        SimpleNamespace(when="call", skipped=False, failed=True, longrepr="AssertionError: unrelated"),
    ]
    assert tally(reports) == {"IDT-3: full digest": {"still failing": 2, "fixed — remove the entry": 1}}
