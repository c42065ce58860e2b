"""The bench's instruments: the timed page and locators pass every call through and time only
their phases; the timed flow and recipe are the suite's own; suite figures come from results.json."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from hybridcheck.evidence import AuthorizationRequest
from hybridcheck.flows.callback import CALLBACK_MARKER_ID, CallbackServer
from hybridcheck.flows.login import RECIPES
from hybridcheck.paths import ROOT
from hybridcheck.profile import load_profile
from hybridcheck.results import CaseResult, RunResult
from hybridcheck.runner import SuiteRun
from hybridcheck.session import authorize_flow

sys.path.insert(0, str(ROOT / "bench"))
import bench_probe  # noqa: E402
import instrument  # noqa: E402
import scenarios  # noqa: E402


class FakeLocator:
    """What AuthorizeFlow and the local recipe call on a locator, against a two-state page."""

    def __init__(self, page: FakePage, selectors: tuple[str, ...]) -> None:
        self.page, self.selectors = page, selectors

    def or_(self, other: object) -> FakeLocator:
        assert isinstance(other, FakeLocator), "a wrapped locator reached Playwright"
        return FakeLocator(self.page, self.selectors + other.selectors)

    @property
    def first(self) -> FakeLocator:
        return self

    def _present(self) -> bool:
        marker = f"#{CALLBACK_MARKER_ID}"
        absent = ("#error-code", RECIPES["local"].consent, RECIPES["local"].login_error)  # no error, no consent
        return any((s == marker) == self.page.at_client and s not in absent for s in self.selectors)

    def wait_for(self, state: str, timeout: float) -> None:
        self.page.calls.append("wait_for")

    def count(self) -> int:
        return int(self._present())

    def is_visible(self) -> bool:
        return self._present()

    def is_editable(self) -> bool:
        return True

    def fill(self, value: str) -> None:
        self.page.calls.append("fill")

    def click(self) -> None:
        self.page.at_client = True

    def inner_text(self, timeout: float) -> str:
        return "back at the client"


class FakePage:
    def __init__(self) -> None:
        self.at_client = False
        self.calls: list[str] = []
        self.url = "http://127.0.0.1:9/u/login"

    def on(self, event: str, handler: object) -> None:
        self.calls.append(f"on {event}")

    def remove_listener(self, event: str, handler: object) -> None:
        self.calls.append(f"off {event}")

    def goto(self, url: str, **kwargs: object) -> None:
        self.calls.append("goto")

    def locator(self, selector: str) -> FakeLocator:
        return FakeLocator(self, (selector,))


def test_a_flow_through_a_timed_page_times_each_phase_and_passes_every_call_through():
    profile = load_profile("local", env={})
    with CallbackServer() as callback:
        flow = instrument.timed_flow(profile, callback)
        request = AuthorizationRequest("http://127.0.0.1:9/authorize", "client", "http://127.0.0.1:9/cb", "code")
        page = FakePage()
        instrument.clear_phases()
        response = flow.run(instrument.TimedPage(page), request)
    assert response.login_pages_shown == 1
    assert response.page_text == "back at the client"
    listened = [f"on {e}" for e in ("request", "response", "request", "requestfinished", "requestfailed",
                                    "framenavigated")]
    assert page.calls[:len(listened)] == listened and page.calls[len(listened):].count("goto") == 1
    assert [c for c in page.calls if c in ("goto", "wait_for", "fill")] == ["goto", "wait_for", "fill", "fill",
                                                                          "wait_for"]
    assert sorted(c for c in page.calls if c.startswith("off")) == sorted(c.replace("on", "off", 1)
                                                                          for c in listened)
    assert set(instrument.phases()) == {"flow_run", "goto", "wait_marker", "login_step", "page_text"}
    record = instrument.phases()
    instrument.split_flow(record)
    assert record["flow_other"] >= 0


def test_the_timed_flow_is_the_suites_flow_with_its_recipe():
    profile = load_profile("local", env={})
    with CallbackServer() as callback:
        timed, plain = instrument.timed_flow(profile, callback), authorize_flow(profile, callback)
    assert isinstance(timed, instrument.TimedFlow) and isinstance(timed.recipe, instrument.TimedRecipe)
    assert (timed.callback, timed.user, timed.timeout_ms) == (plain.callback, plain.user, plain.timeout_ms)
    assert timed.recipe.markers() == plain.recipe.markers() and timed.recipe.name == plain.recipe.name


def _suite(probe: dict | None) -> scenarios.SuiteBench:
    result = RunResult(cases=(CaseResult("suites/a.py::t", "passed", duration_s=0.1),
                              CaseResult("suites/b.py::t", "failed", duration_s=0.2),
                              CaseResult("suites/c.py::t", "passed", duration_s=0.3)),
                       exit_status=1, wall_s=1.0, back_channel={"/oauth/token": 7, "/userinfo": 2})
    run = SuiteRun(command=(), returncode=1, stdout="", stderr="", wall_s=1.5, reports_dir=Path("."), result=result)
    return scenarios.SuiteBench(tag="1w", workers=1, run=run, load={}, probe=probe)


def test_suite_figures_come_from_results_json_in_the_order_the_probe_saw():
    plain = _suite(None)
    assert (plain.tests, plain.outcomes, plain.token_calls, plain.ok) == (3, {"passed": 2, "failed": 1}, 7, False)
    assert not plain.in_run_order and plain.times_s == [0.1, 0.2, 0.3]
    ordered = _suite({"order": ["suites/c.py::t", "suites/a.py::t"]})
    assert ordered.in_run_order and ordered.times_s == [0.3, 0.1, 0.2]


def test_the_probe_merges_finishing_order_across_workers(tmp_path):
    base = {"fixture_s": {}, "tenant_s": {}, "tenant_n": {}, "login_tests_sso_reusable": []}
    for worker, finished in (("gw0", [[1.0, "a"], [3.0, "c"]]), ("gw1", [[2.0, "b"]])):
        data = {**base, "worker": worker, "finished": finished, "flows": 1}
        (tmp_path / f"probe-{worker}-1.json").write_text(json.dumps(data))
    merged = bench_probe.merge(tmp_path)
    assert merged["order"] == ["a", "b", "c"] and merged["flows"] == 2
