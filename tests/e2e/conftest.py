"""Run the conformance suite as a user would: pytest in a subprocess, from the project root."""

from pathlib import Path

import pytest

from hybridcheck import runner


@pytest.fixture
def run_suite(tmp_path):
    """``run_suite(*args, env=..., reports_dir=...)`` → :class:`hybridcheck.runner.SuiteRun` of
    ``pytest suites`` with the profile the arguments name, reports (JUnit included) under tmp_path."""

    def run(*args: str, env: dict[str, str] | None = None, timeout: float = 600,
            reports_dir: Path | None = None) -> runner.SuiteRun:
        reports_dir = reports_dir or tmp_path
        return runner.run_suite(*args, f"--junitxml={reports_dir / 'junit.xml'}", reports_dir=reports_dir,
                                tenant=None, env=env, timeout_s=timeout)

    return run
