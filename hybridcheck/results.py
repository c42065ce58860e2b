"""The machine-readable result of one suite run: what every runner and report reads.

The reporting plugin writes ``results.json`` into the reports directory at the end of a
run; :func:`load` reads it back as typed values. Nothing reads the suite's terminal text
or re-parses JUnit XML for a verdict.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

FILENAME = "results.json"
#: Every outcome a case can have, from good to bad (a case reported twice keeps the worse).
OUTCOMES = ("passed", "warning", "skipped", "xfailed", "xpassed", "failed", "error")


@dataclass(frozen=True)
class CaseResult:
    """One test: its outcome (:data:`OUTCOMES`), why, what it verifies and in which RT × RM cell."""

    nodeid: str
    outcome: str
    reason: str = ""
    requirements: tuple[str, ...] = ()
    cell: str | None = None  # "code id_token/form_post"; None outside the matrix
    duration_s: float = 0.0

    @property
    def bad(self) -> bool:
        """Failed, errored, or an unexpected pass: what turns a run red."""
        return self.outcome in ("failed", "error", "xpassed")


@dataclass(frozen=True)
class RunResult:
    """A whole run: its cases, pytest's exit status and what it cost the tenant."""

    cases: tuple[CaseResult, ...]
    exit_status: int
    wall_s: float
    workers: int = 0
    back_channel: dict[str, int] = field(default_factory=dict)  # request path → calls
    rate_limited: dict[str, int] = field(default_factory=dict)  # request path → 429 answers
    paced_s: dict[str, float] = field(default_factory=dict)  # request path → seconds waited for a budget
    flows: int = 0  # authorization requests the browser sent
    logins: int = 0  # of which showed a login page
    tenant_requests: int = 0  # requests to the tenant: the browser's to its host, and the back channel's
    environment: dict[str, str] = field(default_factory=dict)  # hybridcheck.environment.run_environment

    def outcomes(self) -> Counter[str]:
        return Counter(case.outcome for case in self.cases)

    def by_nodeid(self) -> dict[str, CaseResult]:
        return {case.nodeid: case for case in self.cases}

    def bad(self) -> list[CaseResult]:
        return [case for case in self.cases if case.bad]

    @property
    def back_channel_total(self) -> int:
        return sum(self.back_channel.values())

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RunResult:
        cases = tuple(CaseResult(**{**case, "requirements": tuple(case["requirements"])}) for case in data["cases"])
        return cls(**{**data, "cases": cases})


def write(result: RunResult, directory: Path) -> Path:
    path = directory / FILENAME
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result.to_json(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def load(path: Path) -> RunResult:
    """A ``results.json`` (or the directory holding it) as a :class:`RunResult`."""
    path = path / FILENAME if path.is_dir() else path
    return RunResult.from_json(json.loads(path.read_text(encoding="utf-8")))
