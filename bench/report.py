"""What the bench prints: human-readable lines for each part, the targets, then the final JSON line."""

from __future__ import annotations

import dataclasses
import statistics
from typing import Any

from instrument import median
from scenarios import MAKE_CHECK, PLANS, SuiteBench


@dataclasses.dataclass(frozen=True)
class Target:
    """A figure of the final JSON line (``key``) and the most it may be: ``limit``, and with ``share``
    also at most that share of the figure ``of``."""

    key: str
    limit: float
    unit: str = ""
    share: float | None = None
    of: str = ""

    def bound(self, figures: dict[str, Any]) -> float | None:
        """The limit that applies (None: the figure it depends on is missing)."""
        if self.share is None:
            return self.limit
        base = figures.get(self.of)
        return None if base is None else min(self.limit, self.share * base)

    def met(self, figures: dict[str, Any]) -> bool | None:
        """Whether the figure is within the limit; None when the run did not measure it."""
        value, bound = figures.get(self.key), self.bound(figures)
        return None if value is None or bound is None else value <= bound

    def describe(self) -> str:
        shared = f"{self.share} x {self.of} and " if self.share is not None else ""
        return f"<= {shared}{self.limit:g}{self.unit}"


#: Issue 19's targets: what a user of the suite feels. They are reported, never the exit code.
TARGETS = (Target("wall_2w_s", 35.0, " s"), Target("wall_2w_not_slow_s", 20.0, " s"), Target("flows_per_test", 0.85),
           Target("remote_4w_s", 35.0, " s", share=0.3, of="remote_1w_s"), Target("flow_over_browser_floor", 1.5))

_TOP_PHASES = ["launch", "context_new", "new_page", "goto", "wait_marker", "login_step", "page_text", "flow_other",
               "redact", "authorizer_other", "exchange", "context_close", "browser_close"]

_STYLES = (("naive", "naive: fresh context + login per flow"),
           ("suite", "suite-style: SSO session, the worker's one page (WorkerPage), cookies reset per flow"),
           ("suite_own_context", "suite-style with a new context per flow (tests with their own context)"),
           ("naive_launch", "naive + browser launched per flow"),
           ("browser_floor", "bare Playwright floor: one page with the SSO session, goto + wait for the callback"),
           ("floor_login", "httpx floor, login per flow"),
           ("floor_sso", "httpx floor, SSO cookie"))


def say(line: str = "") -> None:
    print(line, flush=True)


def _ms(seconds: float) -> float:
    return 1000 * seconds


def _rounded(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def phase_summary(records: list[dict[str, Any]]) -> str:
    """Median total, then the mean of each phase (means add up to the mean total; "rest" is what no
    phase covers, timer overhead); the tenant's server-side time overlaps the phases."""
    mean = {k: _ms(statistics.fmean([r.get(k, 0.0) for r in records])) for k in [*_TOP_PHASES, "total", "tenant"]}
    parts = [f"{k} {mean[k]:.1f}" for k in _TOP_PHASES if any(k in r for r in records)]
    rest = mean["total"] - sum(mean[k] for k in _TOP_PHASES)
    return (f"median {_ms(median([r['total'] for r in records])):.1f} ms, mean {mean['total']:.1f} = "
            + " + ".join([*parts, f"rest {rest:.1f}"]) + f"; tenant (server side) {mean['tenant']:.1f}")


# --- (a) the suite ------------------------------------------------------------------------------


def _first_last_50(run: SuiteBench) -> tuple[float, float] | None:
    """Median of the first and of the last 50 tests to finish; None when the finishing order is unknown."""
    if not run.in_run_order:
        return None
    times = run.times_s
    return _ms(median(times[:50])), _ms(median(times[-50:]))


def _result_line(run: SuiteBench) -> str:
    result = run.run.result
    if result is None:
        return f"no results.json; output ends: {run.run.tail(2)}"
    return (f"results.json: exit status {result.exit_status}, {result.flows} flows "
            f"({_rounded(run.flows_per_test, 2)} per test), {result.logins} with a login page, "
            f"{result.back_channel_total} back-channel requests")


def suite_lines(run: SuiteBench) -> list[str]:
    times = run.times_s
    p90 = statistics.quantiles(times, n=10)[-1] if len(times) > 1 else 0.0
    ends = _first_last_50(run)
    lines = [f"  {run.tag} ({run.workers} worker(s)): {run.run.wall_s:.1f} s wall, {run.tests} tests {run.outcomes}, "
             f"per-test median {_ms(median(times)):.0f} ms, p90 {_ms(p90):.0f} ms, "
             + (f"first/last 50 tests' median {ends[0]:.0f}/{ends[1]:.0f} ms, " if ends else "")
             + f"token calls {run.token_calls}, tenant requests {run.tenant_requests}, exit {run.run.returncode} "
             f"({_result_line(run)})",
             f"    machine during the run: {run.load}"]
    p = run.probe
    if not p:
        return lines
    per_worker = {w: (v["logins_sso_setup"], v["logins_by_design"], v["logins_sso_reusable"])
                  for w, v in sorted(p["per_worker"].items())}
    test_s = p["setup_s"] + p["call_s"] + p["teardown_s"]
    fixtures = {k: round(v, 2) for k, v in sorted(p["fixture_s"].items(), key=lambda kv: -kv[1])}
    scrub_calls = p.get("scrub_calls", 0)
    lines += [
        f"    interactive logins (sso-setup, by-design, in SSO-reusable tests) per worker: {per_worker}",
        f"    where the time goes (sum over workers, {test_s:.1f} s in tests): setup {p['setup_s']:.1f} s, "
        f"call {p['call_s']:.1f} s, teardown {p['teardown_s']:.1f} s; browser flows {p['flow_s']:.1f} s "
        f"({p['flows']:.0f} flows, {_ms(p['flow_s'] / max(1, p['flows'])):.0f} ms each), "
        f"Authorizer.run outside the flow (page creation) {p['page_s']:.1f} s, "
        f"token exchanges {p['exchange_s']:.1f} s ({p['exchanges']:.0f}), tenant handling "
        f"{sum(p['tenant_s'].values()):.1f} s ({sum(p['tenant_n'].values())} requests)",
        f"    redaction: Redactor.scrub {p.get('scrub_s', 0.0):.1f} s in {scrub_calls:.0f} calls "
        f"({_ms(p.get('scrub_s', 0.0) / max(1, scrub_calls)):.0f} ms each); secrets registered "
        f"per worker at the end: {({w: v.get('secrets_registered') for w, v in p['per_worker'].items()})}",
        f"    fixture setup (s, exclusive): {fixtures}",
    ]
    if p["login_tests_sso_reusable"]:
        lines.append(f"    logins in SSO-reusable tests: {p['login_tests_sso_reusable'][:10]}")
    return lines


def make_check_lines(run: SuiteBench) -> list[str]:
    lines = [f"  1 worker with make check's addopts (html + allure): {run.run.wall_s:.1f} s wall, {run.tests} tests "
             f"{run.outcomes}, per-test median {_ms(median(run.times_s)):.0f} ms, exit {run.run.returncode}; "
             f"machine: {run.load}"]
    if run.probe:
        lines.append(f"    redaction: Redactor.scrub {run.probe['scrub_s']:.1f} s in {run.probe['scrub_calls']:.0f} calls")
    return lines


# --- (b) and (c) the flows ----------------------------------------------------------------------


def flow_figures(m: dict[str, Any]) -> dict[str, Any]:
    """The ratios of the micro-benchmark (redaction excluded unless the name says otherwise), and
    ``flow_over_browser_floor``: a suite-style flow's authorization (its token exchange left out)
    over bare Playwright's, both as measured."""
    tot, tot_ex = m["totals"], m["totals_ex_redact"]
    ratios = [n / s for n, s in zip(tot_ex["naive"], tot_ex["suite"])]
    ratios_incl = [n / s for n, s in zip(tot["naive"], tot["suite"])]
    per_flow = {k: median([r["total"] - r.get("redact", 0.0) for r in v]) for k, v in m["flows"].items()}
    per_flow_incl = {k: median([r["total"] for r in v]) for k, v in m["flows"].items()}
    suite_authorize = median([r["total"] - r.get("exchange", 0.0) for r in m["flows"]["suite"]])
    return {
        "ratios": ratios,
        "naive_over_suite": median(ratios),
        "naive_over_suite_incl_redaction": median(ratios_incl),
        "per_flow": per_flow,
        "per_flow_incl": per_flow_incl,
        "suite_authorize": suite_authorize,
        "flow_over_browser_floor": suite_authorize / per_flow_incl["browser_floor"],
        "flow_over_floor": per_flow["suite"] / per_flow["floor_sso"],
        "flow_over_floor_incl_redaction": per_flow_incl["suite"] / per_flow_incl["floor_sso"],
        "flow_over_floor_login": per_flow["suite"] / per_flow["floor_login"],
        "naive_over_floor_login": per_flow["naive"] / per_flow["floor_login"],
        "naive_over_suite_per_flow": per_flow["naive"] / per_flow["suite"],
        "naive_launch_over_suite": (median(tot_ex["naive_launch"]) / median(tot_ex["suite"])
                                    if tot_ex.get("naive_launch") else None),
        "own_context_over_suite": per_flow["suite_own_context"] / per_flow["suite"],
    }


def failures(m: dict[str, Any]) -> dict[str, int]:
    return {kind: sum(not r["ok"] for r in recs) for kind, recs in m["flows"].items()}


def micro_lines(m: dict[str, Any], f: dict[str, Any]) -> list[str]:
    st, failed = m["startup"], failures(m)
    lines = [f"  startup: session (callback server, tenant, metadata) {_ms(st['session_open_s']):.0f} ms, playwright "
             f"driver {_ms(st['playwright_driver_s']):.0f} ms, browser launch {_ms(st['browser_launch_s']):.0f} ms; "
             f"machine during the flows: {m['load']}"]
    for kind, label in _STYLES:
        recs = m["flows"].get(kind, [])
        if recs:
            lines += [f"  {label}: {len(recs)} flows, failed {failed[kind]}", f"    per flow: {phase_summary(recs)}"]
    tot, tot_ex = m["totals"], m["totals_ex_redact"]
    launch = f["naive_launch_over_suite"]
    lines += [
        f"  per-context-close extras under make check's addopts: {({k: round(v, 1) for k, v in m['extras'].items()})}",
        f"  one SSO login (browser, storage_state): {_ms(median(m['sso_login_s'])):.0f} ms; one httpx login: "
        f"{_ms(median(m['floor_login_once_s'])):.1f} ms; secrets in this process's redactor at the end: "
        f"{m['secrets_seen']}",
        "  round totals, 6 flows (median s, without redaction | as measured): " + ", ".join(
            f"{k} {median(tot_ex[k]):.3f} | {median(v):.3f}" for k, v in tot.items()),
        f"  suite-style authorization / bare Playwright (median per flow, token exchange left out): "
        f"{_ms(f['suite_authorize']):.1f} / {_ms(f['per_flow_incl']['browser_floor']):.1f} ms = "
        f"{f['flow_over_browser_floor']:.2f}x",
        f"  naive / suite-style (6 flows, the suite's one login included, redaction excluded): "
        f"{f['naive_over_suite']:.2f}x (per round {[round(r, 2) for r in f['ratios']]}); as measured "
        f"{f['naive_over_suite_incl_redaction']:.2f}x; per flow (login amortised away) "
        f"{f['naive_over_suite_per_flow']:.2f}x; naive-with-launch / suite-style {launch and round(launch, 2)}x; "
        f"own context / worker page per flow {f['own_context_over_suite']:.2f}x",
        f"  browser / httpx per flow (redaction excluded): suite-style vs SSO floor {f['flow_over_floor']:.1f}x "
        f"(like for like); suite-style vs login floor {f['flow_over_floor_login']:.1f}x; naive vs login floor "
        f"{f['naive_over_floor_login']:.1f}x; as measured suite-style vs SSO floor "
        f"{f['flow_over_floor_incl_redaction']:.1f}x",
    ]
    return lines


# --- interactive logins, the targets, and the final JSON line ------------------------------------


def logins(suite_runs: dict[str, SuiteBench], m: dict[str, Any]) -> dict[str, Any]:
    """Logins for SSO-reusable tests in the ``wall_2w`` run: measured by the probe, else estimated from
    the suite-style flows (one SSO login per worker); the total from the probe, else from results.json."""
    run = suite_runs.get(PLANS[0].name)
    p = run.probe if run else None
    if p:
        return {"reusable": int(p["logins_sso_setup"] + p["logins_sso_reusable"]),
                "total": int(p["logins_sso_setup"] + p["logins_sso_reusable"] + p["logins_by_design"]),
                "workers": len(p["per_worker"]), "source": "measured in the suite run (bench_probe plugin)"}
    workers = run.workers if run else 1
    return {"reusable": workers + sum(r["logins"] for r in m["flows"]["suite"]),
            "total": run.run.result.logins if run and run.run.result else None,
            "workers": workers, "source": "estimated from the suite-style runner (one SSO login per worker)"}


def login_line(lg: dict[str, Any]) -> str:
    return (f"  interactive logins for SSO-reusable tests: {lg['reusable']} with {lg['workers']} worker(s) "
            f"({lg['source']}); total incl. tests that must log in (prompt=login, max_age=1): {lg['total']}")


def target_lines(figures: dict[str, Any]) -> list[str]:
    """Each target beside its figure, with a verdict: pass, fail, or not measured."""
    lines = ["targets (reported only; the exit code is about failed runs and flows):"]
    for target in TARGETS:
        met = target.met(figures)
        verdict = "not measured" if met is None else "pass" if met else "FAIL"
        bound = target.bound(figures)
        limit = f" = {bound:g}" if target.share is not None and bound is not None else ""
        lines.append(f"  {target.key} {figures.get(target.key)} (target {target.describe()}{limit}): {verdict}")
    return lines


def result(suite_runs: dict[str, SuiteBench], m: dict[str, Any], f: dict[str, Any], lg: dict[str, Any],
           ok: bool, code: str) -> dict[str, Any]:
    """The final JSON line: the suite runs keyed by plan name, the flow figures, the targets' verdicts."""
    main = suite_runs.get(PLANS[0].name)
    plans = (*PLANS, *([MAKE_CHECK] if MAKE_CHECK.name in suite_runs else []))

    def per_run(figure: Any) -> dict[str, Any]:
        return {p.name: figure(suite_runs[p.name]) if p.name in suite_runs else None for p in plans}

    def ms(x: float) -> float:
        return round(_ms(x), 1)

    ends = _first_last_50(main) if main else None
    figures = {
        **{f"{name}_s": wall for name, wall in per_run(lambda run: round(run.run.wall_s, 2)).items()},
        "flows_per_test": _rounded(main.flows_per_test, 3) if main else None,
        "flow_over_browser_floor": round(f["flow_over_browser_floor"], 2),
        "tenant_requests": per_run(lambda run: run.tenant_requests),
        "tests": per_run(lambda run: run.tests),
        "outcomes": per_run(lambda run: run.outcomes),
        "per_test_median_ms": ms(median(main.times_s)) if main else None,
        "per_test_median_ms_first50": round(ends[0], 1) if ends else None,
        "per_test_median_ms_last50": round(ends[1], 1) if ends else None,
        "interactive_logins": lg["reusable"],
        "interactive_logins_total": lg["total"],
        "interactive_logins_source": lg["source"],
        "workers": lg["workers"],
        "token_calls": main.token_calls if main else None,
        "redaction_s": round(main.probe["scrub_s"], 1) if main and main.probe else None,
        "naive_over_suite": round(f["naive_over_suite"], 2),
        "naive_over_suite_incl_redaction": round(f["naive_over_suite_incl_redaction"], 2),
        "naive_over_suite_per_flow": round(f["naive_over_suite_per_flow"], 2),
        "naive_launch_over_suite": _rounded(f["naive_launch_over_suite"], 2),
        "own_context_over_suite": round(f["own_context_over_suite"], 2),
        "flow_over_floor": round(f["flow_over_floor"], 2),
        "flow_over_floor_incl_redaction": round(f["flow_over_floor_incl_redaction"], 2),
        "flow_over_floor_login": round(f["flow_over_floor_login"], 2),
        "naive_over_floor_login": round(f["naive_over_floor_login"], 2),
        "suite_authorize_ms": ms(f["suite_authorize"]),
        "per_flow_ms": {k: ms(v) for k, v in f["per_flow"].items()},
        "per_flow_ms_incl_redaction": {k: ms(v) for k, v in f["per_flow_incl"].items()},
        "load": per_run(lambda run: run.load),
        "load_flows": m["load"],
    }
    return {**figures, "targets_met": {t.key: t.met(figures) for t in TARGETS}, "ok": ok, "code": code}
