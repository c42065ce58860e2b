"""Run the conformance suite in a subprocess and get its typed result.

The one way the project's tools (mutation matrix, soak, bench, the e2e tests) run the
suite: ``pytest suites`` from the project root, its addopts replaced so ``reports/`` is
left alone, its reports written into a directory of the caller's, and the verdicts read
from the ``results.json`` the suite writes there (:mod:`hybridcheck.results`).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from hybridcheck.paths import ROOT
from hybridcheck.results import FILENAME, RunResult, load
from hybridcheck.tenant.defects import ENV_VAR as ENV_DEFECTS

#: The project's own environment variables: a run gets only those its caller passes.
ENV_PREFIX = "HYBRIDCHECK_"


@dataclass(frozen=True)
class SuiteRun:
    """One finished run: exit code (None: killed at the timeout), output, and the result file's contents."""

    command: tuple[str, ...]
    returncode: int | None
    stdout: str
    stderr: str
    wall_s: float
    reports_dir: Path
    result: RunResult | None  # None when the run ended before writing results.json (a usage error)

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def tail(self, lines: int = 5) -> str:
        return " | ".join(self.output.strip().splitlines()[-lines:])


def command(pytest_args: Sequence[str], *, reports_dir: Path, workers: int = 0, tenant: str | None = "local",
            reports: bool = False) -> list[str]:
    """``pytest suites`` with the reports in ``reports_dir``: results.json and requirements.json
    always; JUnit, report.html and Allure too with ``reports`` (as ``make check`` writes them)."""
    argv = [sys.executable, "-m", "pytest", "suites", "-p", "no:cacheprovider", "-o", "addopts=--strict-markers",
            f"--reports-dir={reports_dir}"]
    if reports:
        argv += [f"--junitxml={reports_dir / 'junit.xml'}", f"--html={reports_dir / 'report.html'}",
                 "--self-contained-html", f"--alluredir={reports_dir / 'allure-results'}"]
    if tenant is not None:
        argv += ["--tenant", tenant]
    if workers > 1:
        argv += ["-n", str(workers)]
    return [*argv, *pytest_args]


def run_suite(
    *pytest_args: str,
    reports_dir: Path,
    workers: int = 0,
    tenant: str | None = "local",
    defects: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
    timeout_s: float | None = None,
    reports: bool = False,
) -> SuiteRun:
    """Run the suite once (in its own process group, killed whole at ``timeout_s``)."""
    argv = command(pytest_args, reports_dir=reports_dir, workers=workers, tenant=tenant, reports=reports)
    merged = {k: v for k, v in os.environ.items() if not k.startswith(ENV_PREFIX)} | dict(env or {})
    if defects:
        merged[ENV_DEFECTS] = ",".join(defects)
    (reports_dir / FILENAME).unlink(missing_ok=True)
    started = time.perf_counter()
    process = subprocess.Popen(argv, cwd=ROOT, env=merged, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)
    try:
        stdout, stderr = process.communicate(timeout=timeout_s)
        returncode: int | None = process.returncode
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        stdout, stderr = process.communicate()
        returncode = None
    wall = time.perf_counter() - started
    written = reports_dir / FILENAME
    result = load(written) if written.is_file() else None
    return SuiteRun(tuple(argv), returncode, stdout, stderr, wall, reports_dir, result)


@contextmanager
def scratch(prefix: str = "hybridcheck-run-") -> Iterator[Path]:
    """A reports directory that is removed afterwards."""
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        yield Path(tmp)
