"""The README's generated OIDF table matches the suites' oidf markers."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_oidf_table_in_the_readme_is_up_to_date():
    result = subprocess.run([sys.executable, "-m", "hybridcheck.readme_tables", "--check"],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
