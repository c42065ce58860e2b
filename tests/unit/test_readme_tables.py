"""The README's generated tables: the OIDF one matches the suites' oidf markers; peer rows count tests."""

import json
import subprocess
import sys

from hybridcheck.paths import ROOT
from hybridcheck.readme_tables import _peer_rows


def test_oidf_table_in_the_readme_is_up_to_date():
    result = subprocess.run([sys.executable, "-m", "hybridcheck.readme_tables", "--check"],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_peer_row_counts_a_test_of_two_requirements_once(tmp_path):
    case = {"nodeid": "suites/test_x.py::test_a", "outcome": "passed"}
    other = {"nodeid": "suites/test_x.py::test_b", "outcome": "xfailed"}
    peer = tmp_path / "peers" / "some-op"
    peer.mkdir(parents=True)
    (peer / "requirements.json").write_text(json.dumps({"RURI-2": {"cases": [case]}, "RURI-3": {"cases": [case, other]}}))
    assert _peer_rows(tmp_path / "peers") == ["| `some-op` | 1 passed, 1 xfailed |"]
