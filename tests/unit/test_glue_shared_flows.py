"""Shared flows: one flow per request shape, judged by many tests, each verdict under its own
requirement ID (in-process pytester with the plugin's shared fixtures; ``conftest.py``)."""

from __future__ import annotations

from hybridcheck.evidence import AuthorizationRequest, AuthorizationResponse
from hybridcheck.shared_flows import SharedFlows

pytest_plugins = ["pytester"]

#: The synthetic suite's flows never reach the client (as a broken tenant's would); ``shared_flows``
#: is the plugin's object over an authorizer that records each flow it is asked to run.
SHARED_SUITE = """
    import json, pathlib
    import pytest
    from hybridcheck.evidence import AuthorizationRequest, AuthorizationResponse
    from hybridcheck.shared_flows import SharedFlows

    RUNS = pathlib.Path(__file__).with_name("runs.jsonl")

    def _broken_flow(case, client="main", **overrides):
        with RUNS.open("a") as runs:
            runs.write(json.dumps(sorted(overrides)) + "\\n")
        request = AuthorizationRequest("https://op.test/authorize", "c", "https://rp.test/cb", "code id_token")
        return AuthorizationResponse(request=request, channel="none", params={}, final_url="https://op.test/oops",
                                     page_text="Something went wrong", stopped="settled")

    @pytest.fixture(scope="session")
    def shared_flows():
        return SharedFlows(lambda with_session: _broken_flow, lambda response, client: None)

    @pytest.mark.req("IDT-3")
    def test_c_hash(shared_authorize):
        from hybridcheck.checks.response import check_flow_succeeded
        check_flow_succeeded(shared_authorize(), "IDT-3")

    @pytest.mark.req("TOK-1")
    def test_exchange(shared_complete):
        shared_complete()

    @pytest.mark.req("NONCE-2")
    def test_other_shape(shared_authorize):
        assert shared_authorize(nonce=None).channel == "none"
"""


def test_one_broken_flow_fails_every_test_that_judges_it_under_its_own_id(suite) -> None:
    suite.write("test_shared.py", SHARED_SUITE)
    run = suite.run()
    outcomes = {case.nodeid.rsplit("::", 1)[1]: case for case in run.results().cases}
    assert {name: case.outcome for name, case in outcomes.items()} == {
        "test_c_hash": "failed", "test_exchange": "failed", "test_other_shape": "passed"}
    assert outcomes["test_c_hash"].requirements == ("IDT-3",) and "IDT-3" in outcomes["test_c_hash"].reason
    assert "TOK-1" in outcomes["test_exchange"].reason
    runs = (suite.dir / "runs.jsonl").read_text().splitlines()
    assert runs == ["[]", '["nonce"]']  # the default shape once for both tests, the other shape once
    assert run.output.count("hybridcheck evidence") == 2  # both failures show the shared flow


def _response(params: dict[str, str]) -> AuthorizationResponse:
    request = AuthorizationRequest("https://op.test/authorize", "c", "https://rp.test/cb", "code id_token")
    return AuthorizationResponse(request=request, channel="fragment", params=params, final_url="https://rp.test/cb")


def test_a_shape_is_the_cell_client_session_and_overrides_and_its_code_is_exchanged_with_it() -> None:
    ran: list[tuple] = []

    def authorizer(with_session: bool):
        def run(case, client="main", **overrides):
            ran.append((case, client, with_session, overrides))
            return _response({"code": f"c{len(ran)}"})
        return run

    exchanged: list[str] = []
    flows = SharedFlows(authorizer, lambda response, client: exchanged.append(response.params["code"]) or client)
    first = flows.authorization(None)
    assert flows.authorization(None) is first
    assert flows.authorization(None, scope="openid") is not first
    assert flows.authorization(None, client="other") is not first
    assert flows.authorization(None, with_session=False) is not first
    assert flows.authorization(None, prompt="none", scope="openid") is flows.authorization(None, scope="openid",
                                                                                          prompt="none")
    assert len(ran) == 5
    assert first.tokens == "main" and len(exchanged) == 5  # each flow's code exchanged with it, once
    assert exchanged[0] == "c1"


def test_what_is_derived_from_a_shared_flow_is_computed_once_per_flow() -> None:
    flows = SharedFlows(lambda with_session: lambda case, client="main", **o: _response({"code": "c"}),
                        lambda response, client: None)
    shared = flows.authorization(None)
    computed: list[int] = []

    def refresh():
        computed.append(1)
        return object()

    first = flows.derived(shared.authorization, "plain refresh", refresh)
    assert flows.derived(shared.authorization, "plain refresh", refresh) is first and computed == [1]
    assert flows.derived(_response({"code": "own"}), "plain refresh", refresh) is not first  # not shared: own
    assert computed == [1, 1]
