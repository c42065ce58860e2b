"""make soak N=20: run the full suite N times back to back and name every test that flips.

Run as ``.venv/bin/python bench/soak.py --runs N [-- PYTEST ARGS]`` (from anywhere). Each
run is ``pytest suites`` against the embedded tenant in a subprocess, alternating one
process (odd runs) and ``-n 2`` (even runs), with its own junit XML in a scratch directory
(the suite's addopts are replaced, so ``reports/`` is left alone). Then every test whose
outcome (passed, failed, skipped, error, xfail, or missing from a run's report) differs
between runs is listed with the runs per outcome and the first failure message.

Human-readable lines first; the LAST line is one JSON object (``runs``, ``tests``,
``flaky``, ``flaky_tests``, ``wall_s``, ``crashed_runs``, ``per_run``). Exit code 1 when a
test is flaky or a run crashed (no junit XML, an exit code other than 0 or 1, a timeout).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUN_TIMEOUT_S = 1800.0
MISSING = "missing"
#: Outcomes by severity: a test reported twice (call failure + teardown error) keeps the worst.
_SEVERITY = ("passed", "xfail", "skipped", "failed", "error")


@dataclass(frozen=True)
class Result:
    """One test's outcome in one run, with the failure/error message when there is one."""

    outcome: str
    message: str = ""


@dataclass(frozen=True)
class Flaky:
    """A test whose outcome differed between runs: run numbers (1-based) per outcome."""

    test: str
    runs_by_outcome: dict[str, list[int]]
    first_failure: str


def _first_line(node: ET.Element) -> str:
    text = node.get("message") or (node.text or "").strip()
    return text.splitlines()[0] if text else ""


def _result(case: ET.Element) -> Result:
    children = {child.tag: child for child in case}
    for tag, outcome in (("error", "error"), ("failure", "failed")):
        if tag in children:
            return Result(outcome, _first_line(children[tag]))
    if "skipped" in children:
        return Result("xfail" if children["skipped"].get("type") == "pytest.xfail" else "skipped")
    return Result("passed")


def parse_junit(xml_text: str) -> dict[str, Result]:
    """Test id (``classname::name``) → its :class:`Result`, from one junit XML document."""
    results: dict[str, Result] = {}
    for case in ET.fromstring(xml_text).iter("testcase"):
        test = f"{case.get('classname', '')}::{case.get('name', '')}"
        result = _result(case)
        previous = results.get(test)
        if previous is None or _SEVERITY.index(result.outcome) > _SEVERITY.index(previous.outcome):
            results[test] = result
    return results


def flaky_tests(runs: list[dict[str, Result]]) -> list[Flaky]:
    """Tests whose outcome is not the same in every run (absent from a run's report = ``missing``)."""
    flaky = []
    for test in sorted(set().union(*runs)):
        by_outcome: dict[str, list[int]] = {}
        for number, results in enumerate(runs, start=1):
            outcome = results[test].outcome if test in results else MISSING
            by_outcome.setdefault(outcome, []).append(number)
        if len(by_outcome) > 1:
            messages = (results[test].message for results in runs if test in results and results[test].message)
            flaky.append(Flaky(test, by_outcome, next(messages, "")))
    return flaky


def run_suite(number: int, workers: int, scratch: Path, pytest_args: list[str]) -> dict[str, object]:
    """One ``pytest suites`` run in its own process group; its junit XML goes to ``scratch``."""
    junit = scratch / f"junit-{number}.xml"
    command = [sys.executable, "-m", "pytest", "suites", "-q", "-p", "no:cacheprovider",
               "-o", "addopts=--strict-markers", f"--junitxml={junit}", *pytest_args]
    if workers > 1:
        command += ["-n", str(workers)]
    env = {k: v for k, v in os.environ.items() if k != "HYBRIDCHECK_DEFECTS"} | {"HYBRIDCHECK_TENANT": "local"}
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, start_new_session=True)
    try:
        output, _ = process.communicate(timeout=RUN_TIMEOUT_S)
        returncode: int | None = process.returncode
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        output, _ = process.communicate()
        returncode = None
    (scratch / f"output-{number}.txt").write_text(output)
    tail = [line.strip("= ") for line in output.splitlines() if line.strip()][-1:] or ["(no output)"]
    return {"run": number, "workers": workers, "returncode": returncode, "wall_s": round(time.perf_counter() - started, 1),
            "summary": tail[0], "junit": str(junit) if junit.is_file() else None}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20, help="how many suite runs (odd: 1 process, even: -n 2)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch directory (junit XML, output per run)")
    parser.add_argument("pytest_args", nargs="*", help="extra pytest arguments for every run (after --)")
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="hybridcheck-soak-"))
    print(f"hybridcheck soak: {args.runs} runs of the suite against the embedded tenant; scratch {scratch}", flush=True)
    started = time.perf_counter()
    per_run, parsed, crashed = [], [], []
    for number in range(1, args.runs + 1):
        run = run_suite(number, 1 if number % 2 else 2, scratch, args.pytest_args)
        per_run.append(run)
        if run["junit"] is None or run["returncode"] not in (0, 1):
            crashed.append(number)
        if run["junit"] is not None:
            results = parse_junit(Path(str(run["junit"])).read_text())
            parsed.append(results)
            run["outcomes"] = dict(Counter(r.outcome for r in results.values()))
        print(f"  run {number} ({run['workers']} worker(s)): {run['wall_s']} s, exit {run['returncode']}, "
              f"{run.get('outcomes', 'no junit XML')} ({run['summary']})", flush=True)
    flaky = flaky_tests(parsed) if parsed else []
    for item in flaky:
        runs = "; ".join(f"{outcome} in runs {numbers}" for outcome, numbers in item.runs_by_outcome.items())
        print(f"FLAKY {item.test}: {runs}" + (f"\n    first failure: {item.first_failure}" if item.first_failure else ""))
    if crashed:
        print(f"CRASHED runs {crashed}: see output-N.txt in {scratch}" + ("" if args.keep else " (rerun with --keep)"))
    if not args.keep:
        shutil.rmtree(scratch, ignore_errors=True)
    summary = {
        "runs": args.runs,
        "tests": len(set().union(*parsed)) if parsed else 0,
        "flaky": len(flaky),
        "flaky_tests": [item.test for item in flaky],
        "crashed_runs": crashed,
        "wall_s": round(time.perf_counter() - started, 1),
        "per_run": [{k: v for k, v in run.items() if k != "junit"} for run in per_run],
    }
    print(json.dumps(summary), flush=True)
    return 1 if flaky or crashed else 0


if __name__ == "__main__":
    sys.exit(main())
