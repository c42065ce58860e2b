"""Proof by mutation: the suite is green on the clean reference tenant and kills every defect."""

import json
import subprocess
import sys

import pytest

from hybridcheck.tenant.defects import DEFECTS

from hybridcheck.paths import ROOT

pytestmark = pytest.mark.e2e


def test_every_defect_is_killed_and_the_clean_tenant_passes(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "hybridcheck.mutation", "--jobs", "2", "--out", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=1200,
    )
    matrix = json.loads((tmp_path / "mutation-matrix.json").read_text())
    survivors = [d["name"] for d in matrix["defects"] if d["status"] == "survived"]
    assert not matrix["clean"]["failed"], matrix["clean"]["failed"]
    assert matrix["clean"]["passed"] > 300
    assert not survivors, f"defects the suite cannot see: {survivors}"
    assert {d["name"] for d in matrix["defects"]} == set(DEFECTS)
    assert all(d["failing_tests"] for d in matrix["defects"])
    assert result.returncode == 0, result.stdout[-2000:]
