"""Warnings as an outcome of their own: SHOULD-level findings are shown, never a failure unless asked.

A check reports a SHOULD it finds unmet with :func:`hybridcheck.checks.base.warn`. This
plugin catches those :class:`~hybridcheck.checks.base.RequirementWarning`\\ s per test and:

- records them on the report (``user_properties`` ``("requirement_warning", text)``), so the
  test's outcome becomes ``warning`` in the terminal summary, report.html, Allure (a
  ``warning`` tag and the findings attached) and ``requirements.json``, across xdist workers;
- with ``--strict-warnings`` (or the profile's ``[expectations] strict_warnings``) fails the
  test with them instead.

Other warnings pass through to pytest's own warning capture untouched.
"""

from __future__ import annotations

import warnings
from collections.abc import Generator

import pytest

from hybridcheck.checks.base import Finding, RequirementFailure, RequirementWarning
from hybridcheck.keys import PROFILE_KEY, WARNINGS_KEY

#: The ``user_properties`` name a test's requirement warnings are recorded under.
WARNING_PROPERTY = "requirement_warning"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.getgroup("hybridcheck").addoption(
        "--strict-warnings",
        action="store_true",
        default=False,
        help="fail the tests that report a SHOULD-level finding (a requirement warning) instead of warning",
    )


def _strict(config: pytest.Config) -> bool:
    profile = config.stash.get(PROFILE_KEY, None)
    return bool(config.getoption("--strict-warnings") or (profile and profile.strict_warnings))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    """Catch the test's requirement warnings; re-emit every other warning as it was."""
    error: BaseException | None = None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", RequirementWarning)
        try:
            yield
        except BaseException as raised:  # the test's own outcome, re-raised below
            error = raised
    found = [w.message.finding for w in caught if isinstance(w.message, RequirementWarning)]
    for other in caught:
        if not isinstance(other.message, RequirementWarning):
            warnings.warn_explicit(other.message, other.category, other.filename, other.lineno, source=other.source)
    item.stash[WARNINGS_KEY] = found
    if error is not None:
        raise error
    if found and _strict(item.config):
        raise RequirementFailure([_as_failure(f) for f in found])


def _as_failure(found: Finding) -> Finding:
    return Finding(found.req_id, f"{found.rule} [strict warnings]", found.source, found.expected, found.actual,
                   found.computed_from, "failure")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if call.when == "call":
        report.user_properties.extend((WARNING_PROPERTY, f.message()) for f in item.stash.get(WARNINGS_KEY, []))
    return report


def warnings_of(report: pytest.TestReport) -> list[str]:
    """The requirement warnings a test reported (texts, already redacted)."""
    return [value for name, value in report.user_properties if name == WARNING_PROPERTY]
