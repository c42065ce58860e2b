"""The failure every check raises: requirement ID, spec section, expected, actual, input.

Modelled on the OpenID Foundation conformance suite's conditions: one check, one spec
reference, and a message a person can act on without reading the code.
"""

from __future__ import annotations

from typing import Any, NoReturn

from hybridcheck.redact import redact
from hybridcheck.requirements import source_of


class RequirementFailure(AssertionError):
    """A tenant broke a requirement of the catalogue (``shared/REQUIREMENTS.md``)."""

    def __init__(
        self,
        req_id: str,
        rule: str,
        *,
        source: str,
        expected: Any,
        actual: Any,
        computed_from: Any = None,
    ) -> None:
        self.req_id = req_id
        self.rule = rule
        self.source = source
        self.expected = expected
        self.actual = actual
        self.computed_from = computed_from
        lines = [
            f"[{req_id}] {rule} ({source})",
            f"  expected: {expected!r}" if not isinstance(expected, str) else f"  expected: {expected}",
            f"  actual:   {actual!r}" if not isinstance(actual, str) else f"  actual:   {actual}",
        ]
        if computed_from is not None:
            lines.append(f"  computed from: {computed_from}")
        super().__init__(redact("\n".join(lines)))


def fail(
    req_id: str,
    rule: str,
    *,
    expected: Any,
    actual: Any,
    computed_from: Any = None,
    source: str | None = None,
) -> NoReturn:
    """Raise a :class:`RequirementFailure`; every check reports through this one door.

    ``source`` defaults to the catalogue's source for ``req_id``; pass a precise section
    (``"Core §3.3.2.11"``) where the catalogue names several.
    """
    raise RequirementFailure(
        req_id,
        rule,
        source=source or source_of(req_id),
        expected=expected,
        actual=actual,
        computed_from=computed_from,
    )
