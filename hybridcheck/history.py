"""Regressions first: what changed since the previous run, per requirement and RT × RM.

Each run with a reports directory keeps its ``requirements.json`` in
``reports/history/<tenant key>/`` (the last :data:`KEEP` runs of that tenant). The next run
against the same tenant compares itself with the newest of them, or with ``--baseline
PATH``, and the terminal and report.html open with the cases that are newly failing, newly
passing or newly skipped. A run against another tenant (another profile, or the same
profile pointed at another issuer) has its own baseline: one tenant's results are never
the yardstick of another's.
"""

from __future__ import annotations

import hashlib
import json
import re
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


def tenant_key(profile_name: str, issuer: str) -> str:
    """The history directory of a tenant: its profile name, readable, and a digest of its issuer."""
    readable = re.sub(r"[^A-Za-z0-9_.-]+", "-", profile_name).strip("-") or "tenant"
    return f"{readable}-{hashlib.sha256(issuer.encode('utf-8')).hexdigest()[:10]}"


def newest(history: Path) -> Path | None:
    runs = sorted(history.glob("requirements-*.json"))
    return runs[-1] if runs else None


def load(path: Path) -> dict[str, Any]:
    """The requirement → entry mapping of a ``requirements.json`` (``{"run": ..., "requirements": ...}``;
    a bare mapping, as hybridcheck 0.1 wrote it, is read as it is)."""
    document = json.loads(path.read_text(encoding="utf-8"))
    return document.get("requirements", document) if "run" in document else document


def keep(requirements_json: Path, history: Path) -> Path:
    """Copy this run's results into ``history`` and drop all but the newest :data:`KEEP`."""
    history.mkdir(parents=True, exist_ok=True)
    kept = history / f"requirements-{time.strftime('%Y%m%dT%H%M%S')}-{time.time_ns() % 10**6:06d}.json"
    shutil.copyfile(requirements_json, kept)
    for old in sorted(history.glob("requirements-*.json"))[:-KEEP]:
        old.unlink()
    return kept
