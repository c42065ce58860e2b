"""make bench: how fast the conformance suite is for the people who run it, and why.

Run as ``.venv/bin/python bench/run.py`` (from anywhere). In one run, on this machine:

(a) the full suite (``pytest suites``) through ``hybridcheck.runner``, the runs ``scenarios.PLANS``
    lists: ``wall_2w`` (``-n 2``), ``wall_2w_not_slow`` (``-n 2 -m "not slow"``), and ``remote_1w``
    (one process) and ``remote_4w`` (``-n 4``) against the embedded tenant delaying every response
    by ``scenarios.REMOTE_LATENCY_S`` (a profile written into the scratch directory). Wall time,
    tests, flows per test, tenant requests and token-endpoint calls come from each run's
    ``results.json``; the passive probe plugin ``bench/bench_probe.py`` (``-p bench_probe``) adds
    interactive logins per worker and where the suite's time goes;
(b) the same happy-path flows as the smoke tests (the 6 response type x response mode cells:
    authorize + token exchange) on the suite's own session (``hybridcheck.session.open_session``):
    *naive* (a fresh browser context and an interactive login per flow) against *suite-style*
    (one login, then every flow on the worker's one page with that SSO session, as the
    ``authorize`` fixture does), and a new context per flow;
(c) the floors: the same authorization requests in bare Playwright on one page with the SSO
    session (``flow_over_browser_floor``), and the same HTTP exchanges with httpx alone.

Human-readable lines first, then the targets with pass/fail; the LAST line is one JSON object.
Exit code 1 when a suite run or a flow failed (the JSON line is printed anyway); a missed target
does not change it.

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
    parser.add_argument("--select", default="", metavar="EXPR",
                        help="debugging: restrict every suite run to the marker expression EXPR (e.g. smoke); "
                             "the figures are then not the targets' figures")
    parser.add_argument("--make-check-run", action="store_true",
                        help="also one 1-worker run writing make check's reports (JUnit, html, allure), in scratch")
    parser.add_argument("--keep", action="store_true",
                        help="keep the scratch directory (each run's reports and output, probe files, micro.json)")
    parser.add_argument("--tenant-latency-s", type=float, default=0.0,
                        help="flows (b)+(c) only: delay every tenant response (what a remote tenant does to the "
                             f"ratios); the remote_* suite runs use {scenarios.REMOTE_LATENCY_S} s")
    parser.add_argument("--snapshot", action="store_true",
                        help="measure a `git archive HEAD` copy (plus bench/), not the working tree others may be editing")
    return parser.parse_args()


def _suite(args: argparse.Namespace, tmp: Path) -> dict[str, scenarios.SuiteBench]:
    """(a): the runs of ``scenarios.PLANS`` (and the make-check one), keyed by plan name."""
    plans = [*scenarios.PLANS, *([scenarios.MAKE_CHECK] if args.make_check_run else [])]
    runs: dict[str, scenarios.SuiteBench] = {}
    say("(a) full suite against the embedded tenant" + (f", restricted to -m {args.select!r}" if args.select else ""))
    for plan in plans:
        run = runs[plan.name] = scenarios.run_suite(plan, tmp, probe=not args.no_probe, select=args.select, say=say)
        for line in (report.make_check_lines if plan.reports else report.suite_lines)(run):
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
    profile = str(scenarios.remote_profile(tmp, args.tenant_latency_s)) if args.tenant_latency_s else "local"
    m = scenarios.micro(args.rounds, args.launch_rounds, profile)
    ok &= not any(report.failures(m).values())
    figures = report.flow_figures(m)
    logins = report.logins(suite_runs, m)
    for line in [*report.micro_lines(m, figures), report.login_line(logins)]:
        say(line)

    result = report.result(suite_runs, m, figures, logins, ok, code)
    for line in report.target_lines(result):
        say(line)
    if args.keep:
        (tmp / "micro.json").write_text(json.dumps(m, indent=1, default=str))
    else:
        shutil.rmtree(tmp, ignore_errors=True)
    print(json.dumps(result), flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
