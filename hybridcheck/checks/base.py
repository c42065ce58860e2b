"""Findings: what a check reports — requirement ID, rule, spec section, expected, actual, input.

Modelled on the OpenID Foundation conformance suite's conditions: one check, one spec
reference, the severity chosen where the check is called (a MUST is a *failure*, a SHOULD a
*warning*), and a message a person can act on without reading the code. A test may collect
every finding of several checks (:class:`Findings`, the OIDF's ``callAndContinueOnFailure``)
so one report shows all that is wrong with a token, not only the first thing.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, NoReturn

from hybridcheck.redact import redact
from hybridcheck.requirements import source_of

Severity = Literal["failure", "warning"]


@dataclass(frozen=True)
class Finding:
    """One rule a tenant broke, with the evidence a reader needs (already redacted when shown)."""

    req_id: str
    rule: str
    source: str
    expected: Any
    actual: Any
    computed_from: Any = None
    severity: Severity = "failure"

    def message(self) -> str:
        """``[ID] rule (source)`` and the expected / actual / computed-from lines, redacted."""
        lines = [
            f"[{self.req_id}] {self.rule} ({self.source})",
            f"  expected: {_shown(self.expected)}",
            f"  actual:   {_shown(self.actual)}",
        ]
        if self.computed_from is not None:
            lines.append(f"  computed from: {self.computed_from}")
        return redact("\n".join(lines))


def _shown(value: Any) -> str:
    return value if isinstance(value, str) else repr(value)


def finding(
    req_id: str,
    rule: str,
    *,
    expected: Any,
    actual: Any,
    computed_from: Any = None,
    source: str | None = None,
    severity: Severity = "failure",
) -> Finding:
    """A :class:`Finding`; ``source`` defaults to the catalogue's source for ``req_id``."""
    return Finding(req_id, rule, source or source_of(req_id), expected, actual, computed_from, severity)


class RequirementFailure(AssertionError):
    """A tenant broke one or more MUST rules of the catalogue (``docs/requirements.md``)."""

    def __init__(self, findings: list[Finding]) -> None:
        self.findings = tuple(findings)
        first = self.findings[0]
        self.req_id, self.rule, self.source = first.req_id, first.rule, first.source
        self.expected, self.actual, self.computed_from = first.expected, first.actual, first.computed_from
        text = "\n".join(f.message() for f in self.findings)
        if len(self.findings) > 1:
            text = f"{len(self.findings)} findings:\n{text}"
        super().__init__(text)


class RequirementWarning(UserWarning):
    """A SHOULD-level rule not met: a warning outcome of its own, not a failure (unless strict)."""

    def __init__(self, found: Finding) -> None:
        self.finding = found
        super().__init__(found.message())


def fail(
    req_id: str,
    rule: str,
    *,
    expected: Any,
    actual: Any,
    computed_from: Any = None,
    source: str | None = None,
) -> NoReturn:
    """Raise a :class:`RequirementFailure` for one MUST-level finding.

    ``source`` defaults to the catalogue's source for ``req_id``; pass a precise section
    (``"Core §3.3.2.11"``) where the catalogue names several.
    """
    __tracebackhide__ = True
    raise RequirementFailure(
        [finding(req_id, rule, expected=expected, actual=actual, computed_from=computed_from, source=source)]
    )


def warn(
    req_id: str,
    rule: str,
    *,
    expected: Any,
    actual: Any,
    computed_from: Any = None,
    source: str | None = None,
) -> None:
    """Report a SHOULD-level finding: the test goes on, and ends as a *warning* outcome."""
    found = finding(req_id, rule, expected=expected, actual=actual, computed_from=computed_from, source=source,
                    severity="warning")
    warnings.warn(RequirementWarning(found), stacklevel=2)


def severity_for(strict: bool) -> Callable[..., None]:
    """``fail`` where the profile makes a SHOULD strict, else ``warn`` (chosen at the call site)."""
    return fail if strict else warn


class Findings:
    """Collects the failures of several checks and raises them together at the end.

    ``findings.check(check_c_hash, id_token, code)`` runs a check and keeps its failure
    instead of stopping; ``findings.fail(...)`` records one directly. Leaving the ``with``
    block (or :meth:`raise_if_any`) raises one :class:`RequirementFailure` with all of them.
    Warnings are not collected: they are emitted at once and never stop a test.
    """

    def __init__(self) -> None:
        self.failures: list[Finding] = []

    def check(self, check: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run ``check``; its failure is recorded and ``None`` returned instead of its result."""
        try:
            return check(*args, **kwargs)
        except RequirementFailure as failure:
            self.failures.extend(failure.findings)
            return None

    def fail(self, req_id: str, rule: str, **details: Any) -> None:
        self.failures.append(finding(req_id, rule, **details))

    def raise_if_any(self) -> None:
        __tracebackhide__ = True
        if self.failures:
            raise RequirementFailure(self.failures)

    def __enter__(self) -> Findings:
        return self

    def __exit__(self, kind: Any, value: Any, traceback: Any) -> None:
        __tracebackhide__ = True
        if kind is None:
            self.raise_if_any()
