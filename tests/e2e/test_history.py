"""Regressions first: a second run with one new defect lists exactly that requirement's tests as newly
failing; a run against another tenant, in the same reports directory, is not compared with it."""

import pytest

from hybridcheck import history
from hybridcheck.paths import TENANTS_DIR
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
    kept = sorted((reports / "history" / history.tenant_key("local", "embedded")).glob("requirements-*.json"))
    assert len(kept) == 2 and history.load(kept[-1])["IDT-3"]["cases"][0]["outcome"] == "failed"


def test_each_tenant_has_its_own_baseline(run_suite, tmp_path):
    reports = tmp_path / "reports"
    broken = run_suite("--req", "IDT-3", reports_dir=reports, env={ENV_DEFECTS: "c_hash_full_digest"})
    assert broken.returncode == 1
    other = tmp_path / "other-local.toml"  # another tenant: the embedded one under another profile name
    other.write_text((TENANTS_DIR / "local.toml").read_text().replace('name = "local"', 'name = "other-local"', 1))
    elsewhere = run_suite("--req", "IDT-3", "--tenant", str(other), reports_dir=reports)
    assert elsewhere.returncode == 0, elsewhere.stdout[-1500:]
    assert "changed since last run" not in elsewhere.stdout  # not judged against the broken tenant's run
    again = run_suite("--req", "IDT-3", reports_dir=reports)
    assert "newly passing" in again.stdout  # the first tenant's baseline is still its own
    assert sorted(p.name for p in (reports / "history").iterdir()) == sorted(
        [history.tenant_key("local", "embedded"), history.tenant_key("other-local", "embedded")])
