"""What the bench prints: human-readable lines for each part, then the figures of the final JSON line."""

from __future__ import annotations

import statistics
from typing import Any

from instrument import median
from scenarios import SuiteBench

TARGET_WALL_2W_S = 60.0
TARGET_NAIVE_OVER_SUITE = 5.0
TARGET_FLOW_OVER_FLOOR = 3.0

_TOP_PHASES = ["launch", "context_new", "new_page", "goto", "wait_marker", "login_step", "page_text", "flow_other",
               "redact", "authorizer_other", "exchange", "context_close", "browser_close"]

_STYLES = (("naive", "naive: fresh context + login per flow"),
           ("suite", "suite-style: SSO storage_state, context per flow"),
           ("naive_launch", "naive + browser launched per flow"),
           ("suite_one_page", "suite-style but one context+page reused for the 6 flows"),
           ("floor_login", "httpx floor, login per flow"),
           ("floor_sso", "httpx floor, SSO cookie"))


def say(line: str = "") -> None:
    print(line, flush=True)


def _ms(seconds: float) -> float:
    return 1000 * seconds


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
    return (f"results.json: exit status {result.exit_status}, {result.flows} flows, {result.logins} with a login page, "
            f"{result.back_channel_total} back-channel requests")


def suite_lines(run: SuiteBench) -> list[str]:
    times = run.times_s
    p90 = statistics.quantiles(times, n=10)[-1] if len(times) > 1 else 0.0
    ends = _first_last_50(run)
    lines = [f"  {run.workers} worker(s): {run.run.wall_s:.1f} s wall, {run.tests} tests {run.outcomes}, "
             f"per-test median {_ms(median(times)):.0f} ms, p90 {_ms(p90):.0f} ms, "
             + (f"first/last 50 tests' median {ends[0]:.0f}/{ends[1]:.0f} ms, " if ends else "")
             + f"token calls {run.token_calls}, exit {run.run.returncode} ({_result_line(run)})",
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
    """The ratios of the micro-benchmark (redaction excluded unless the name says otherwise)."""
    tot, tot_ex = m["totals"], m["totals_ex_redact"]
    ratios = [n / s for n, s in zip(tot_ex["naive"], tot_ex["suite"])]
    ratios_incl = [n / s for n, s in zip(tot["naive"], tot["suite"])]
    per_flow = {k: median([r["total"] - r.get("redact", 0.0) for r in v]) for k, v in m["flows"].items()}
    per_flow_incl = {k: median([r["total"] for r in v]) for k, v in m["flows"].items()}
    return {
        "ratios": ratios,
        "naive_over_suite": median(ratios),
        "naive_over_suite_incl_redaction": median(ratios_incl),
        "per_flow": per_flow,
        "per_flow_incl": per_flow_incl,
        "flow_over_floor": per_flow["suite"] / per_flow["floor_sso"],
        "flow_over_floor_incl_redaction": per_flow_incl["suite"] / per_flow_incl["floor_sso"],
        "flow_over_floor_login": per_flow["suite"] / per_flow["floor_login"],
        "naive_over_floor_login": per_flow["naive"] / per_flow["floor_login"],
        "naive_over_suite_per_flow": per_flow["naive"] / per_flow["suite"],
        "naive_launch_over_suite": (median(tot_ex["naive_launch"]) / median(tot_ex["suite"])
                                    if tot_ex.get("naive_launch") else None),
        "one_page_over_suite": median(tot_ex["suite_one_page"]) / median(tot_ex["suite"]),
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
        f"  naive / suite-style (6 flows, the suite's one login included, redaction excluded): "
        f"{f['naive_over_suite']:.2f}x (per round {[round(r, 2) for r in f['ratios']]}); as measured "
        f"{f['naive_over_suite_incl_redaction']:.2f}x; per flow (login amortised away) "
        f"{f['naive_over_suite_per_flow']:.2f}x; naive-with-launch / suite-style {launch and round(launch, 2)}x; "
        f"one-page / suite-style {f['one_page_over_suite']:.2f}x",
        f"  browser / httpx per flow (redaction excluded): suite-style vs SSO floor {f['flow_over_floor']:.1f}x "
        f"(like for like); suite-style vs login floor {f['flow_over_floor_login']:.1f}x; naive vs login floor "
        f"{f['naive_over_floor_login']:.1f}x; as measured suite-style vs SSO floor "
        f"{f['flow_over_floor_incl_redaction']:.1f}x",
    ]
    return lines


# --- interactive logins, and the final JSON line -------------------------------------------------


def logins(suite_runs: dict[int, SuiteBench], m: dict[str, Any]) -> dict[str, Any]:
    """Logins for SSO-reusable tests: measured by the probe, else estimated from the suite-style flows
    (one SSO login per worker); the total from the probe, else from the run's results.json."""
    run = suite_runs.get(2) or suite_runs.get(1)
    p = run.probe if run else None
    if p:
        return {"reusable": int(p["logins_sso_setup"] + p["logins_sso_reusable"]),
                "total": int(p["logins_sso_setup"] + p["logins_sso_reusable"] + p["logins_by_design"]),
                "workers": len(p["per_worker"]), "source": "measured in the suite run (bench_probe plugin)"}
    workers = 2 if suite_runs.get(2) else 1
    return {"reusable": workers + sum(r["logins"] for r in m["flows"]["suite"]),
            "total": run.run.result.logins if run and run.run.result else None,
            "workers": workers, "source": "estimated from the suite-style runner (one SSO login per worker)"}


def login_line(lg: dict[str, Any]) -> str:
    return (f"  interactive logins for SSO-reusable tests: {lg['reusable']} with {lg['workers']} worker(s) "
            f"({lg['source']}); total incl. tests that must log in (prompt=login, max_age=1): {lg['total']}")


def result(suite_runs: dict[int, SuiteBench], m: dict[str, Any], f: dict[str, Any], lg: dict[str, Any],
           ok: bool, code: str) -> dict[str, Any]:
    """The final JSON line (keys stay stable across versions of the bench)."""
    one, two, make_check = suite_runs.get(1), suite_runs.get(2), suite_runs.get(0)
    either = one or two

    def ms(x: float) -> float:
        return round(_ms(x), 1)

    def scrub_s(run: SuiteBench | None) -> float | None:
        return round(run.probe["scrub_s"], 1) if run and run.probe else None

    ends = _first_last_50(one) if one else None
    return {
        "tests": (one or two).tests if either else None,
        "wall_1w_s": round(one.run.wall_s, 2) if one else None,
        "wall_2w_s": round(two.run.wall_s, 2) if two else None,
        "per_test_median_ms": ms(median(either.times_s)) if either else None,
        "per_test_median_ms_1w": ms(median(one.times_s)) if one else None,
        "per_test_median_ms_2w": ms(median(two.times_s)) if two else None,
        "interactive_logins": lg["reusable"],
        "interactive_logins_total": lg["total"],
        "interactive_logins_source": lg["source"],
        "workers": lg["workers"],
        "token_calls": (two or one).token_calls if either else None,
        "token_calls_1w": one.token_calls if one else None,
        "naive_over_suite": round(f["naive_over_suite"], 2),
        "naive_over_suite_incl_redaction": round(f["naive_over_suite_incl_redaction"], 2),
        "naive_over_suite_per_flow": round(f["naive_over_suite_per_flow"], 2),
        "one_page_over_suite": round(f["one_page_over_suite"], 2),
        "naive_launch_over_suite": f["naive_launch_over_suite"] and round(f["naive_launch_over_suite"], 2),
        "wall_1w_make_check_addopts_s": round(make_check.run.wall_s, 2) if make_check else None,
        "flow_over_floor": round(f["flow_over_floor"], 2),
        "flow_over_floor_incl_redaction": round(f["flow_over_floor_incl_redaction"], 2),
        "flow_over_floor_login": round(f["flow_over_floor_login"], 2),
        "naive_over_floor_login": round(f["naive_over_floor_login"], 2),
        "per_flow_ms": {k: ms(v) for k, v in f["per_flow"].items()},
        "per_flow_ms_incl_redaction": {k: ms(v) for k, v in f["per_flow_incl"].items()},
        "redaction_s_1w": scrub_s(one),
        "redaction_s_2w": scrub_s(two),
        "per_test_median_ms_first50_1w": round(ends[0], 1) if ends else None,
        "per_test_median_ms_last50_1w": round(ends[1], 1) if ends else None,
        "outcomes_1w": one.outcomes if one else None,
        "outcomes_2w": two.outcomes if two else None,
        "load_1w": one.load if one else None,
        "load_2w": two.load if two else None,
        "load_flows": m["load"],
        "targets_met": {
            "wall_2w_lt_60s": bool(two and two.run.wall_s < TARGET_WALL_2W_S),
            "naive_over_suite_ge_5": f["naive_over_suite"] >= TARGET_NAIVE_OVER_SUITE,
            "flow_over_floor_le_3": f["flow_over_floor"] <= TARGET_FLOW_OVER_FLOOR,
            "logins_le_1_per_worker": lg["reusable"] <= lg["workers"],
            "tests_ge_200": bool(either and (two or one).tests >= 200),
        },
        "ok": ok,
        "code": code,
    }
