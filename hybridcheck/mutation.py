"""The mutation matrix: the suite must pass on the clean reference tenant and fail on every defect.

``python -m hybridcheck.mutation`` (``make mutation``) runs the suite against the clean
embedded tenant, then once per defect of the registry with ``HYBRIDCHECK_DEFECTS`` set,
always with ``--strict-warnings``: a defect that breaks a SHOULD is killed by the warning its
test reports, and the clean tenant must not draw even a warning.
By default a defect's run selects the tests of its requirement (``--req``, taken from
the registry, never from a hand list); ``--full`` runs the whole suite per defect and so
also sees *collateral* failures (tests of other requirements). Each defect is:

- ``killed``: at least one test tagged with its requirement failed (and, with ``--full``,
  nothing else did);
- ``collateral``: killed, and tests of other requirements failed too (``--full`` only);
- ``survived``: no test of its requirement failed — the suite cannot see that defect.

Writes ``reports/mutation-matrix.json`` and ``reports/mutation-matrix.md``; exits 1 when
the clean run is not green or any defect survives.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from pathlib import Path

from hybridcheck import runner
from hybridcheck.paths import REPORTS_DIR
from hybridcheck.results import RunResult
from hybridcheck.tenant.defects import DEFECTS, Defect

PYTEST_NO_TESTS = 5  # pytest's exit code when every test was deselected: the defect has no tests yet


def run_suite(defects: tuple[str, ...], requirement: str | None) -> RunResult:
    """One pytest run of ``suites/`` against the embedded tenant with ``defects`` switched on."""
    selection = ("--req", requirement) if requirement else ()
    with runner.scratch("hybridcheck-mutation-") as reports:
        run = runner.run_suite("-q", "--strict-warnings", *selection, reports_dir=reports, defects=defects)
    if run.result is None:
        if run.returncode == PYTEST_NO_TESTS:
            return RunResult((), PYTEST_NO_TESTS, run.wall_s)
        raise RuntimeError(f"pytest run for defects {defects} produced no results: {run.tail()}")
    return run.result


def judge(defect: Defect, run: RunResult, full: bool) -> dict[str, object]:
    """Killed, collateral or survived, with the failing test ids."""
    failing = run.bad()
    own = [c.nodeid for c in failing if defect.requirement in c.requirements]
    other = [c.nodeid for c in failing if defect.requirement not in c.requirements]
    status = "survived" if not own else ("collateral" if full and other else "killed")
    return {
        **asdict(defect),
        "status": status,
        "failing_tests": own + other,
        "seconds": round(run.wall_s, 1),
    }


def markdown(matrix: dict[str, object]) -> str:
    rows = ["| defect | requirement | status | failing tests |", "|---|---|---|---|"]
    for entry in matrix["defects"]:  # type: ignore[index]
        tests = entry["failing_tests"]
        rows.append(f"| `{entry['name']}` | {entry['requirement']} | {entry['status']} | {len(tests)} |")
    summary = matrix["summary"]  # type: ignore[index]
    head = (
        f"Mutation matrix: {summary['defects']} defects, {summary['killed']} killed, "
        f"{summary['collateral']} collateral, {summary['survived']} survived; clean run "
        f"{summary['clean_passed']} passed, {summary['clean_failed']} failed ({summary['mode']} mode, "
        f"{summary['seconds']} s)."
    )
    return head + "\n\n" + "\n".join(rows) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hybridcheck.mutation", description=__doc__.split("\n\n")[0])
    parser.add_argument("--full", action="store_true", help="run the whole suite per defect (sees collateral)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2, help="defect runs in parallel")
    parser.add_argument("--defects", default="", help="comma-separated subset of defects (default: all)")
    parser.add_argument("--out", type=Path, default=REPORTS_DIR, help="directory for mutation-matrix.json/.md")
    args = parser.parse_args(argv)
    chosen = [DEFECTS[n] for n in args.defects.split(",") if n] if args.defects else list(DEFECTS.values())
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        clean_future = pool.submit(run_suite, (), None)
        futures = {d.name: pool.submit(run_suite, (d.name,), None if args.full else d.requirement) for d in chosen}
        clean = clean_future.result()
        entries = [judge(d, futures[d.name].result(), args.full) for d in chosen]
    clean_failed = [c.nodeid for c in clean.bad()]
    statuses = [e["status"] for e in entries]
    matrix = {
        "clean": {
            "passed": sum(c.outcome == "passed" for c in clean.cases),
            "failed": clean_failed,
            "skipped": sum(c.outcome == "skipped" for c in clean.cases),
        },
        "defects": entries,
        "summary": {
            "defects": len(entries),
            "killed": statuses.count("killed"),
            "collateral": statuses.count("collateral"),
            "survived": statuses.count("survived"),
            "clean_passed": sum(c.outcome == "passed" for c in clean.cases),
            "clean_failed": len(clean_failed),
            "mode": "full" if args.full else "targeted",
            "seconds": round(time.monotonic() - started, 1),
        },
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "mutation-matrix.json").write_text(json.dumps(matrix, indent=1) + "\n", encoding="utf-8")
    (args.out / "mutation-matrix.md").write_text(markdown(matrix), encoding="utf-8")
    print(markdown(matrix))
    for entry in entries:
        if entry["status"] == "survived":
            print(f"SURVIVED: {entry['name']} ({entry['requirement']}): {entry['description']}")
    for nodeid in clean_failed:
        print(f"CLEAN RUN FAILED: {nodeid}")
    return 1 if clean_failed or "survived" in statuses else 0


if __name__ == "__main__":
    sys.exit(main())
