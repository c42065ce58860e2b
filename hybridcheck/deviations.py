"""Known deviations: the failures a team has accepted for a tenant, so a nightly run says what changed.

A profile's ``[[deviations]]`` entries name a requirement ID and optionally a response
type, response mode and test-id glob, with a reason and an optional review-by date.
A matching test becomes a strict ``xfail``: its failure is reported as a known deviation,
and a pass is reported loudly ("fixed — remove the entry"). An entry past its review-by
date stops the run; an entry that matches no collected test is a warning.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

import pytest

from hybridcheck.checks.base import RequirementFailure
from hybridcheck.evidence import response_type_values


@dataclass(frozen=True)
class Deviation:
    requirement: str
    reason: str
    response_type: str | None = None
    response_mode: str | None = None
    test: str | None = None  # fnmatch glob on the test's node id
    review_by: dt.date | None = None

    def describe(self) -> str:
        scope = ", ".join(
            f"{name} {value!r}"
            for name, value in (("RT", self.response_type), ("RM", self.response_mode), ("test", self.test))
            if value
        )
        return f"{self.requirement}" + (f" ({scope})" if scope else "")

    def matches(self, nodeid: str, requirements: Iterable[str], response_type: str | None, response_mode: str | None) -> bool:
        """True when a test with these properties is covered by this entry."""
        if self.requirement not in requirements:
            return False
        if self.response_type and response_type_values(self.response_type) != response_type_values(response_type):
            return False
        if self.response_mode and self.response_mode != response_mode:
            return False
        return not self.test or fnmatchcase(nodeid, self.test)


class ExpiredDeviation(Exception):
    """A known deviation whose review-by date has passed."""


def check_review_dates(deviations: Sequence[Deviation], today: dt.date) -> None:
    """Stop the run when an entry is past its review-by date: accepted deviations must be looked at again."""
    expired = [d for d in deviations if d.review_by and d.review_by < today]
    if expired:
        lines = "; ".join(f"{d.describe()} review_by {d.review_by} ({d.reason})" for d in expired)
        raise ExpiredDeviation(f"known deviations past their review-by date, review or extend them: {lines}")


_PREFIX = "known deviation "
_IF_FIXED = " [if this passes: fixed — remove the entry]"


def xfail_marker(deviation: Deviation) -> pytest.MarkDecorator:
    """Strict xfail: a requirement failure is the known deviation; a pass fails the run as 'fixed —
    remove the entry'. Anything else (a timeout, a reset connection, a bug) stays a failure: a
    deviation never hides what it does not describe."""
    return pytest.mark.xfail(reason=f"{_PREFIX}{deviation.describe()}: {deviation.reason}{_IF_FIXED}", strict=True,
                             raises=RequirementFailure)


def tally(reports: Iterable[Any]) -> dict[str, Counter[str]]:
    """Per known-deviation entry (as described in its xfail reason): tests still deviating
    ("still failing") and tests that passed ("fixed — remove the entry"), from test reports."""
    entries: dict[str, Counter[str]] = {}
    for report in reports:
        if getattr(report, "when", "call") not in ("call", "setup"):
            continue
        xfail_reason = getattr(report, "wasxfail", "") if report.skipped else ""
        xpassed = report.failed and str(report.longrepr).startswith(f"[XPASS(strict)] {_PREFIX}")
        text = xfail_reason or (str(report.longrepr).removeprefix("[XPASS(strict)] ") if xpassed else "")
        if text.startswith(_PREFIX):
            entry = text.removeprefix(_PREFIX).removesuffix(_IF_FIXED)
            entries.setdefault(entry, Counter())["fixed — remove the entry" if xpassed else "still failing"] += 1
    return entries
