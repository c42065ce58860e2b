"""Regressions first: a second run with one new defect lists exactly that requirement's tests as newly failing."""

import json

import pytest

from hybridcheck.tenant.defects import ENV_VAR as ENV_DEFECTS

pytestmark = pytest.mark.e2e


def test_changed_since_last_run_names_exactly_the_new_failures(run_suite, tmp_path):
    reports = tmp_path / "reports"
    first = run_suite("--req", "IDT-3,STATE-2", reports_dir=reports)
    assert first.returncode == 0, first.stdout[-1500:]
    assert "changed since last run" not in first.stdout  # no history yet
    second = run_suite("--req", "IDT-3,STATE-2", reports_dir=reports, env={ENV_DEFECTS: "c_hash_full_digest"})
    assert second.returncode == 1
    lines = second.stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if "changed since last run" in line) + 1
    section = lines[start:next(i for i in range(start, len(lines)) if lines[i].startswith("="))]
    changed = [line for line in section if line.startswith("newly")]
    assert len(changed) == 4 and all("newly failing  IDT-3" in line for line in changed), section
    kept = sorted((tmp_path / "reports" / "history").glob("requirements-*.json"))
    assert len(kept) == 2 and json.loads(kept[-1].read_text())["IDT-3"]["cases"][0]["outcome"] == "failed"
