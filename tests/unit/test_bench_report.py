"""The bench's plans, its remote profile and its report: suite runs keyed by plan name, figures
from results.json, the targets and their verdicts (no browser, no suite run)."""

from __future__ import annotations

import json
import sys
import tomllib
from pathlib import Path

from hybridcheck.embedded import tenant_config_from_profile
from hybridcheck.paths import ROOT, TENANTS_DIR
from hybridcheck.profile import load_profile
from hybridcheck.results import FILENAME, CaseResult, RunResult
from hybridcheck.runner import SuiteRun

sys.path.insert(0, str(ROOT / "bench"))
import report  # noqa: E402
import scenarios  # noqa: E402


# --- the remote profile -------------------------------------------------------------------------


def test_the_remote_profile_is_local_with_every_response_delayed(tmp_path):
    path = scenarios.remote_profile(tmp_path)
    remote, local = load_profile(str(path), env={}), load_profile("local", env={})
    assert path.parent == tmp_path and remote.path == path
    assert remote.embedded_settings.latency_s == scenarios.REMOTE_LATENCY_S == 0.1
    assert tenant_config_from_profile(remote, "http://127.0.0.1:9", frozenset()).latency_s == 0.1
    assert remote.name == local.name and remote.callback == local.callback
    assert {role: c.bound("http://localhost:5").redirect_uris for role, c in remote.clients.items()} == {
        role: c.bound("http://localhost:5").redirect_uris for role, c in local.clients.items()}
    assert remote.main_client.bound("http://localhost:5").redirect_uris[0] == "http://localhost:5/callback"


def test_an_existing_embedded_table_keeps_its_keys_and_gets_one_latency():
    text = ('name = "x"\n[embedded]\nauth0_mode = true   # a comment\nlatency_s = 2\n\n'
            '[[deviations]]\nrequirement = "TOK-1"\n[callback]\nport = 0\n')
    data = tomllib.loads(scenarios.with_embedded_latency(text, 0.1))
    assert data["embedded"] == {"auth0_mode": True, "latency_s": 0.1}
    assert data["deviations"] == [{"requirement": "TOK-1"}] and data["callback"] == {"port": 0}


def test_a_profile_with_an_embedded_table_loads_with_the_latency(tmp_path):
    path = tmp_path / "auth0.toml"
    original = (TENANTS_DIR / "local-auth0.toml").read_text(encoding="utf-8")
    path.write_text(scenarios.with_embedded_latency(original, 0.1), encoding="utf-8")
    remote, plain = load_profile(str(path), env={}), load_profile("local-auth0", env={})
    assert remote.embedded_settings.latency_s == 0.1 and remote.embedded_settings.auth0_mode
    assert remote.deviations == plain.deviations and remote.name == plain.name


# --- the plans ----------------------------------------------------------------------------------


def test_the_plans_are_the_runs_the_targets_name():
    plans = {p.name: p for p in scenarios.PLANS}
    assert {(n, p.workers, p.remote) for n, p in plans.items()} == {
        ("wall_2w", 2, False), ("wall_2w_not_slow", 2, False), ("remote_1w", 1, True), ("remote_4w", 4, True)}
    assert plans["wall_2w"].pytest_args() == ["-q"]
    assert plans["wall_2w_not_slow"].pytest_args() == ["-q", "-m", "(not slow)"]
    assert plans["wall_2w_not_slow"].pytest_args("smoke") == ["-q", "-m", "(not slow) and (smoke)"]
    assert plans["remote_1w"].pytest_args("smoke or slow") == ["-q", "-m", "(smoke or slow)"]


# --- figures of a suite run ---------------------------------------------------------------------


def _suite(tmp_path: Path, name: str, wall_s: float, *, flows: int = 3, tenant_requests: int | None = None,
           workers: int = 2) -> scenarios.SuiteBench:
    reports = tmp_path / name
    reports.mkdir()
    result = RunResult(cases=tuple(CaseResult(f"suites/t.py::t{i}", "passed", duration_s=0.1) for i in range(4)),
                       exit_status=0, wall_s=wall_s, flows=flows)
    data = result.to_json()
    data.pop("tenant_requests", None)
    if tenant_requests is not None:
        data["tenant_requests"] = tenant_requests
    (reports / FILENAME).write_text(json.dumps(data))
    run = SuiteRun(command=(), returncode=0, stdout="", stderr="", wall_s=wall_s, reports_dir=reports, result=result)
    return scenarios.SuiteBench(tag=name, workers=workers, run=run, load={}, probe=None)


def test_tenant_requests_is_the_results_key_or_none_and_flows_are_per_test(tmp_path):
    counted, uncounted = _suite(tmp_path, "a", 1.0, tenant_requests=17), _suite(tmp_path, "b", 1.0)
    assert (counted.tenant_requests, uncounted.tenant_requests) == (17, None)
    assert counted.flows_per_test == 0.75


# --- the flows and the final line ---------------------------------------------------------------


def _flows(totals: list[float], exchange: float = 0.0) -> list[dict]:
    return [{"total": t, "ok": True, "logins": 0, "exchange": exchange} for t in totals]


def _micro() -> dict:
    flows = {"naive": _flows([0.4, 0.5, 0.6]), "suite": _flows([0.12, 0.14, 0.2], exchange=0.02),
             "suite_own_context": _flows([0.2, 0.28, 0.3]), "browser_floor": _flows([0.1, 0.08, 0.3]),
             "floor_login": _flows([0.01]), "floor_sso": _flows([0.005])}
    totals = {"naive": [3.0, 3.2], "suite": [1.5, 1.6]}
    return {"flows": flows, "totals": totals, "totals_ex_redact": totals, "load": {}}


def test_the_browser_floor_ratio_leaves_the_token_exchange_out_of_the_suites_flow():
    f = report.flow_figures(_micro())
    assert abs(f["suite_authorize"] - 0.12) < 1e-9  # median of 0.10, 0.12, 0.18
    assert abs(f["flow_over_browser_floor"] - 0.12 / 0.1) < 1e-9
    assert abs(f["own_context_over_suite"] - 0.28 / 0.14) < 1e-9


def test_the_final_line_has_every_run_by_name_and_the_targets_verdicts(tmp_path):
    runs = {"wall_2w": _suite(tmp_path, "wall_2w", 30.0, flows=3, tenant_requests=40),
            "wall_2w_not_slow": _suite(tmp_path, "wall_2w_not_slow", 21.0),
            "remote_1w": _suite(tmp_path, "remote_1w", 100.0, tenant_requests=41, workers=1),
            "remote_4w": _suite(tmp_path, "remote_4w", 29.0, tenant_requests=42, workers=4)}
    m = _micro()
    logins = report.logins(runs, m)
    line = report.result(runs, m, report.flow_figures(m), logins, ok=True, code="test")
    json.dumps(line)
    assert (line["wall_2w_s"], line["wall_2w_not_slow_s"], line["remote_1w_s"], line["remote_4w_s"]) == (
        30.0, 21.0, 100.0, 29.0)
    assert line["flows_per_test"] == 0.75 and line["flow_over_browser_floor"] == 1.2
    assert line["tenant_requests"] == {"wall_2w": 40, "wall_2w_not_slow": None, "remote_1w": 41, "remote_4w": 42}
    assert line["tests"]["remote_4w"] == 4 and "make_check_1w_s" not in line
    assert line["targets_met"] == {"wall_2w_s": True, "wall_2w_not_slow_s": False, "flows_per_test": True,
                                   "remote_4w_s": True, "flow_over_browser_floor": True}
    assert line["naive_over_suite"] == 2.0 and line["ok"] is True
    words = [text.rsplit(": ", 1)[1] for text in report.target_lines(line)[1:]]
    assert words == ["pass", "FAIL", "pass", "pass", "pass"]


def test_the_remote_target_is_a_share_of_one_worker_and_at_most_35_s():
    (remote,) = [t for t in report.TARGETS if t.key == "remote_4w_s"]
    assert remote.met({"remote_1w_s": 100.0, "remote_4w_s": 29.0}) is True
    assert remote.met({"remote_1w_s": 100.0, "remote_4w_s": 31.0}) is False
    assert remote.met({"remote_1w_s": 200.0, "remote_4w_s": 40.0}) is False  # 0.3 x 200 = 60, but over 35 s
    assert remote.met({"remote_1w_s": None, "remote_4w_s": 10.0}) is None


def test_a_run_that_measured_nothing_says_not_measured():
    lines = report.target_lines({t.key: None for t in report.TARGETS})
    assert all(text.endswith(": not measured") for text in lines[1:]) and len(lines) == 1 + len(report.TARGETS)
