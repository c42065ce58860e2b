"""Run the conformance suite as a user would: pytest in a subprocess, from the project root."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def run_suite(tmp_path):
    """``run_suite(*args, env=...)`` → CompletedProcess of ``pytest suites`` (reports under tmp_path)."""

    def run(*args: str, env: dict[str, str] | None = None, timeout: float = 600) -> subprocess.CompletedProcess[str]:
        command = [
            sys.executable, "-m", "pytest", "suites", "-p", "no:cacheprovider",
            "-o", "addopts=--strict-markers", f"--junitxml={tmp_path / 'junit.xml'}", *args,
        ]
        merged = {k: v for k, v in os.environ.items() if not k.startswith("HYBRIDCHECK_")} | (env or {})
        return subprocess.run(command, cwd=ROOT, env=merged, capture_output=True, text=True, timeout=timeout)

    return run
