"""make soak N=20: run the full suite N times back to back and name every test that flips.

Run as ``.venv/bin/python bench/soak.py --runs N [-- PYTEST ARGS]`` (from anywhere). Each
run is ``pytest suites`` against the embedded tenant through :mod:`hybridcheck.runner`,
alternating one process (odd runs) and ``-n 2`` (even runs), with its reports in a scratch
directory (``reports/`` is left alone). Then every test whose outcome (as the run's
``results.json`` records it, or missing from a run) differs between runs is listed with the
runs per outcome and the first failure reason.

Human-readable lines first; the LAST line is one JSON object (``runs``, ``tests``,
``flaky``, ``flaky_tests``, ``wall_s``, ``crashed_runs``, ``per_run``). Exit code 1 when a
test is flaky or a run crashed (no results, an exit code other than 0 or 1, a timeout).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from hybridcheck import runner  # noqa: E402
from hybridcheck.results import CaseResult  # noqa: E402

RUN_TIMEOUT_S = 1800.0
MISSING = "missing"


@dataclass(frozen=True)
class Flaky:
    """A test whose outcome differed between runs: run numbers (1-based) per outcome."""

    test: str
    runs_by_outcome: dict[str, list[int]]
    first_failure: str


def _first_line(text: str) -> str:
    return text.splitlines()[0] if text else ""


def flaky_tests(runs: list[dict[str, CaseResult]]) -> list[Flaky]:
    """Tests whose outcome is not the same in every run (absent from a run's results = ``missing``)."""
    flaky = []
    for test in sorted(set().union(*runs)):
        by_outcome: dict[str, list[int]] = {}
        for number, results in enumerate(runs, start=1):
            outcome = results[test].outcome if test in results else MISSING
            by_outcome.setdefault(outcome, []).append(number)
        if len(by_outcome) > 1:
            reasons = (results[test].reason for results in runs
                       if test in results and results[test].bad and results[test].reason)
            flaky.append(Flaky(test, by_outcome, _first_line(next(reasons, ""))))
    return flaky


def run_suite(number: int, workers: int, scratch: Path, pytest_args: list[str]) -> tuple[dict[str, object], dict[str, CaseResult] | None]:
    """One suite run with its reports in ``scratch/run-N``: its summary line, and its cases by node id."""
    reports = scratch / f"run-{number}"
    reports.mkdir()
    run = runner.run_suite("-q", *pytest_args, reports_dir=reports, workers=workers, timeout_s=RUN_TIMEOUT_S)
    (scratch / f"output-{number}.txt").write_text(run.output)
    summary = {"run": number, "workers": workers, "returncode": run.returncode, "wall_s": round(run.wall_s, 1),
               "summary": run.tail(1).strip("= ") or "(no output)"}
    if run.result is None:
        return summary, None
    summary["outcomes"] = dict(run.result.outcomes())
    return summary, run.result.by_nodeid()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20, help="how many suite runs (odd: 1 process, even: -n 2)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch directory (reports, output per run)")
    parser.add_argument("pytest_args", nargs="*", help="extra pytest arguments for every run (after --)")
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="hybridcheck-soak-"))
    print(f"hybridcheck soak: {args.runs} runs of the suite against the embedded tenant; scratch {scratch}", flush=True)
    started = time.perf_counter()
    per_run, parsed, crashed = [], [], []
    for number in range(1, args.runs + 1):
        run, results = run_suite(number, 1 if number % 2 else 2, scratch, args.pytest_args)
        per_run.append(run)
        if results is None or run["returncode"] not in (0, 1):
            crashed.append(number)
        if results is not None:
            parsed.append(results)
        print(f"  run {number} ({run['workers']} worker(s)): {run['wall_s']} s, exit {run['returncode']}, "
              f"{run.get('outcomes', 'no results')} ({run['summary']})", flush=True)
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
        "per_run": per_run,
    }
    print(json.dumps(summary), flush=True)
    return 1 if flaky or crashed else 0


if __name__ == "__main__":
    sys.exit(main())
