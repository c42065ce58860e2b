"""Regressions first: what changed since the previous run, per requirement and RT × RM.

Each run with a reports directory keeps its ``requirements.json`` in
``reports/history/`` (the last :data:`KEEP` runs). The next run compares itself with the
newest of them, or with ``--baseline PATH``, and the terminal and report.html open with
the cases that are newly failing, newly passing or newly skipped.
"""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

KEEP = 20
#: How a change is named: an xfail or an error counts as failing (a known deviation still is
#: one), an unexpected pass as passing.
_AS = {"xfailed": "failed", "error": "failed", "xpassed": "passed"}
_GROUPS = {"failed": "newly failing", "warning": "newly warning", "passed": "newly passing", "skipped": "newly skipped"}


@dataclass(frozen=True, order=True)
class Change:
    kind: str  # "newly failing" | "newly warning" | "newly passing" | "newly skipped"
    requirement: str
    cell: str  # "code id_token/form_post", or "-" for tests outside the matrix
    nodeid: str
    before: str
    after: str


def _outcomes(results: dict[str, Any]) -> dict[tuple[str, str], str]:
    """(requirement, nodeid) → outcome, named as :data:`_AS` says."""
    return {
        (req, case["nodeid"]): _AS.get(case["outcome"], case["outcome"])
        for req, entry in results.items()
        for case in entry["cases"]
    }


def _cells(results: dict[str, Any]) -> dict[str, str]:
    """nodeid → its RT × RM cell as the run recorded it ("-" outside the matrix)."""
    return {case["nodeid"]: case.get("cell") or "-" for entry in results.values() for case in entry["cases"]}


def changes(baseline: dict[str, Any], current: dict[str, Any]) -> list[Change]:
    """Cases whose outcome moved between two ``requirements.json`` documents, regressions first."""
    before, after, cells = _outcomes(baseline), _outcomes(current), _cells(current)
    found = [
        Change(_GROUPS[outcome], req, cells[nodeid], nodeid, before.get((req, nodeid), "new"), outcome)
        for (req, nodeid), outcome in after.items()
        if outcome in _GROUPS and before.get((req, nodeid), outcome) != outcome
    ]
    order = list(_GROUPS.values())
    return sorted(found, key=lambda c: (order.index(c.kind), c.requirement, c.nodeid))


def newest(history: Path) -> Path | None:
    runs = sorted(history.glob("requirements-*.json"))
    return runs[-1] if runs else None


def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def keep(requirements_json: Path, history: Path) -> Path:
    """Copy this run's results into ``history`` and drop all but the newest :data:`KEEP`."""
    history.mkdir(parents=True, exist_ok=True)
    kept = history / f"requirements-{time.strftime('%Y%m%dT%H%M%S')}-{time.time_ns() % 10**6:06d}.json"
    shutil.copyfile(requirements_json, kept)
    for old in sorted(history.glob("requirements-*.json"))[:-KEEP]:
        old.unlink()
    return kept
