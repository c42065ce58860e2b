"""make bench: how fast the conformance suite is against the embedded tenant, and why.

Run as ``.venv/bin/python bench/run.py`` (from anywhere). In one run, on this machine:

(a) the full suite (``pytest suites``) through ``hybridcheck.runner`` with 1 worker and with
    ``-n 2``: wall time, number of tests, per-test durations and token-endpoint calls (from
    the run's ``results.json``) and, through the passive probe plugin ``bench/bench_probe.py``
    (``-p bench_probe``), interactive logins per worker and where the suite's time goes;
(b) the same happy-path flows as the smoke tests (the 6 response type x response mode
    cells: authorize + token exchange) on the suite's own session
    (``hybridcheck.session.open_session``): *naive* (a fresh browser context and an
    interactive login per flow) against *suite-style* (one login, then every flow in a new
    context carrying that SSO session's ``storage_state``, as the ``authorize`` fixture does);
(c) the floor: the same HTTP exchanges with httpx alone (no browser), with a login per
    flow and with the SSO cookie.

Human-readable lines first; the LAST line is one JSON object. Exit code 1 when a suite run
or a flow failed (the JSON line is printed anyway).

The parts live in ``instrument.py`` (load, phases, timed wrappers), ``scenarios.py`` (what
runs) and ``report.py`` (what is printed).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
for _path in (str(ROOT), str(BENCH)):
    if _path not in sys.path:
        sys.path.insert(0, _path)

import report  # noqa: E402
import scenarios  # noqa: E402
from hybridcheck.browser import choose_chromium  # noqa: E402
from hybridcheck.matrix import cases  # noqa: E402
from report import say  # noqa: E402

ENV_SNAPSHOT = "HYBRIDCHECK_BENCH_SNAPSHOT"


# --- what is measured -------------------------------------------------------------------------


def _git(*args: str) -> str:
    """A read-only git command in the project (never one that changes state)."""
    try:
        return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return ""


def _describe_tree() -> str:
    head = _git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = subprocess.run(["git", "-C", str(ROOT), "diff", "--quiet", "HEAD", "--"], capture_output=True).returncode
    return f"working tree at {head}" + (" with uncommitted changes" if dirty else "")


def run_in_snapshot(argv: list[str], keep: bool) -> int:
    """Run this script again inside an extract of ``git archive HEAD`` (with bench/ copied in)."""
    head = _git("rev-parse", "--short", "HEAD")
    snap = Path(tempfile.mkdtemp(prefix="hybridcheck-bench-snapshot-"))
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", "HEAD"], capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(snap)], input=archive.stdout, check=True)
    (snap / "bench").mkdir(exist_ok=True)
    for path in BENCH.iterdir():
        if path.is_file():
            shutil.copy2(path, snap / "bench" / path.name)
    env = {**os.environ, ENV_SNAPSHOT: f"snapshot of commit {head} (git archive HEAD)"}
    try:
        return subprocess.run([sys.executable, str(snap / "bench" / "run.py"), *argv], cwd=snap, env=env).returncode
    finally:
        if not keep:
            shutil.rmtree(snap, ignore_errors=True)


# --- the run ----------------------------------------------------------------------------------


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=8, help="interleaved rounds of the 6 smoke flows per style")
    parser.add_argument("--launch-rounds", type=int, default=3, help="rounds of naive-with-browser-launch-per-flow")
    parser.add_argument("--no-probe", action="store_true",
                        help="run the suite without -p bench_probe: no probe figures, logins for SSO-reusable tests "
                             "estimated")
    parser.add_argument("--skip-suite", action="store_true", help="only the flow micro-benchmark")
    parser.add_argument("--make-check-run", action="store_true",
                        help="also one 1-worker run writing make check's reports (JUnit, html, allure), in scratch")
    parser.add_argument("--keep", action="store_true",
                        help="keep the scratch directory (each run's reports and output, probe files, micro.json)")
    parser.add_argument("--tenant-latency-s", type=float, default=0.0,
                        help="flows only: delay every tenant response (what a remote tenant does to the ratios)")
    parser.add_argument("--snapshot", action="store_true",
                        help="measure a `git archive HEAD` copy (plus bench/), not the working tree others may be editing")
    return parser.parse_args()


def _suite(args: argparse.Namespace, tmp: Path) -> dict[int, scenarios.SuiteBench]:
    """(a): the 1- and 2-worker runs (keys 1, 2) and the make-check one (key 0)."""
    runs: dict[int, scenarios.SuiteBench] = {}
    say("(a) full suite against the embedded tenant")
    for workers in (1, 2):
        runs[workers] = scenarios.run_suite(workers, tmp, probe=not args.no_probe, say=say)
        for line in report.suite_lines(runs[workers]):
            say(line)
    if args.make_check_run:
        runs[0] = scenarios.run_suite(1, tmp, probe=not args.no_probe, reports=True, tag="make-check", say=say)
        for line in report.make_check_lines(runs[0]):
            say(line)
    return runs


def main() -> int:
    args = _arguments()
    if args.snapshot and not os.environ.get(ENV_SNAPSHOT):
        return run_in_snapshot([a for a in sys.argv[1:] if a != "--snapshot"], keep=args.keep)

    code = os.environ.get(ENV_SNAPSHOT) or _describe_tree()
    tmp = Path(tempfile.mkdtemp(prefix="hybridcheck-bench-"))
    import hybridcheck

    choice = choose_chromium(headless=True)
    say(f"code measured: {code} ({ROOT}; hybridcheck imported from {Path(hybridcheck.__file__).parent})")
    say(f"hybridcheck bench: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} at start; scratch {tmp}")
    say(f"browser: {choice.label if choice else 'none'}")

    suite_runs = {} if args.skip_suite else _suite(args, tmp)
    ok = all(run.ok for run in suite_runs.values())

    say(f"(b)+(c) the {len(cases())} smoke cells (authorize + token exchange), {args.rounds} interleaved rounds"
        + (f", tenant latency {args.tenant_latency_s} s per response" if args.tenant_latency_s else ""))
    m = scenarios.micro(args.rounds, args.launch_rounds, args.tenant_latency_s)
    ok &= not any(report.failures(m).values())
    figures = report.flow_figures(m)
    logins = report.logins(suite_runs, m)
    for line in [*report.micro_lines(m, figures), report.login_line(logins)]:
        say(line)

    result = report.result(suite_runs, m, figures, logins, ok, code)
    if args.keep:
        (tmp / "micro.json").write_text(json.dumps(m, indent=1, default=str))
    else:
        shutil.rmtree(tmp, ignore_errors=True)
    print(json.dumps(result), flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
