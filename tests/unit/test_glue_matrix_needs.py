"""The matrix (``matrix.cases``, ``as_params``, ``FlowCase``) and the profile needs (``needs.usage_problems``,
``needs.unmet``): what the plugin parametrises and skips by, without a run."""

from __future__ import annotations

import dataclasses

import pytest

from hybridcheck.matrix import FlowCase, as_params, cases
from hybridcheck.needs import CAPABILITIES, unmet, usage_problems
from hybridcheck.profile import load_profile

ALL = [("code id_token", "fragment"), ("code id_token", "form_post"), ("code token", "fragment"),
       ("code token", "form_post"), ("code id_token token", "fragment"), ("code id_token token", "form_post")]


def cells(selected: list[FlowCase]) -> list[tuple[str, str]]:
    return [(c.response_type, c.response_mode) for c in selected]


# --- matrix -----------------------------------------------------------------------------------


def test_every_cell_by_default_in_a_stable_order() -> None:
    assert cells(cases()) == ALL


@pytest.mark.parametrize("kwargs, expected", [
    ({"needs": ["token"]}, [c for c in ALL if c[0] != "code id_token"]),
    ({"needs": ["id_token", "token"]}, [c for c in ALL if c[0] == "code id_token token"]),
    ({"lacks": ["token"]}, [c for c in ALL if c[0] == "code id_token"]),
    ({"lacks": ["id_token"]}, [c for c in ALL if c[0] == "code token"]),
    ({"needs": ["id_token"], "lacks": ["token"]}, [c for c in ALL if c[0] == "code id_token"]),
    ({"modes": ["fragment"]}, [c for c in ALL if c[1] == "fragment"]),
    ({"needs": ["code"], "modes": ["form_post"]}, [c for c in ALL if c[1] == "form_post"]),
    ({"needs": ["token"], "lacks": ["token"]}, []),
    ({"modes": []}, []),
], ids=["needs-token", "needs-both", "lacks-token", "lacks-id_token", "needs-and-lacks", "one-mode",
        "code-is-in-every-rt", "contradiction", "no-mode"])
def test_cases_narrow_by_needs_lacks_and_modes(kwargs, expected) -> None:
    assert cells(cases(**kwargs)) == expected


def test_needs_and_lacks_accept_any_iterable() -> None:
    assert cells(cases(needs=("token",), lacks={"id_token"}, modes=iter(["form_post"]))) == [("code token", "form_post")]


def test_a_flow_case_knows_its_id_and_values() -> None:
    case = FlowCase("code id_token token", "form_post")
    assert case.id == "code id_token token-form_post"
    assert case.values == frozenset({"code", "id_token", "token"})
    assert case.has_id_token and case.has_token
    assert not FlowCase("code token", "fragment").has_id_token
    assert not FlowCase("code id_token", "fragment").has_token
    assert FlowCase("token code", "fragment").has_token  # a set, not a string (MRT §3)


def test_as_params_carries_the_id_and_the_rt_and_rm_markers() -> None:
    params = as_params(cases(modes=["form_post"]))
    assert [p.id for p in params] == ["code id_token-form_post", "code token-form_post", "code id_token token-form_post"]
    assert [p.values[0] for p in params] == cases(modes=["form_post"])
    assert [sorted(m.name for m in p.marks) for p in params] == [
        ["code_id_token", "form_post"], ["code_token", "form_post"], ["code_id_token_token", "form_post"]]


# --- needs: marker usage ----------------------------------------------------------------------


def mark(name: str, *args, **kwargs) -> pytest.Mark:
    return getattr(pytest.mark, name)(*args, **kwargs).mark


def test_capabilities_are_the_boolean_fields_only() -> None:
    assert set(CAPABILITIES) == {"refresh_tokens", "pkce", "prompt_none", "max_age", "userinfo_post_body",
                                 "authorization_response_iss", "offline_access_without_consent"}


@pytest.mark.parametrize("marker", [
    mark("needs_capability", "prompt_none"),
    mark("needs_capability", "pkce", "max_age"),
    mark("needs_client", "other"),
    mark("needs_client", "main", redirect_uris=2),
    mark("needs_clients", 2),
    mark("req", "NOPE-1"),  # not a need: not judged here
], ids=["capability", "capabilities", "client", "client-uris", "clients", "other-marker"])
def test_well_formed_needs_have_no_problem(marker) -> None:
    assert usage_problems([marker]) == []


@pytest.mark.parametrize("marker, problem", [
    (mark("needs_capability", "promt_none"), "unknown capabilities ['promt_none'] (known: refresh_tokens, pkce"),
    (mark("needs_capability", "pkce", "response_types"), "unknown capabilities ['response_types']"),
    (mark("needs_capability"), "(known: refresh_tokens"),
    (mark("needs_capability", "pkce", strict=True), "needs_capability('pkce',)"),
    (mark("needs_client"), "takes one role and redirect_uris=N (N >= 1)"),
    (mark("needs_client", "main", "other"), "takes one role"),
    (mark("needs_client", 2), "takes one role"),
    (mark("needs_client", "main", uris=2), "takes one role"),
    (mark("needs_client", "main", redirect_uris=0), "takes one role"),
    (mark("needs_client", "main", redirect_uris="2"), "takes one role"),
    (mark("needs_clients"), "needs_clients(): takes one count (>= 1)"),
    (mark("needs_clients", 0), "takes one count (>= 1)"),
    (mark("needs_clients", "2"), "takes one count (>= 1)"),
    (mark("needs_clients", 2, 3), "takes one count (>= 1)"),
    (mark("needs_clients", 2, at_least=True), "takes one count (>= 1)"),
])
def test_bad_needs_are_named(marker, problem) -> None:
    (found,) = usage_problems([marker])
    assert problem in found and found.startswith(marker.name)


def test_every_bad_need_is_reported_not_only_the_first() -> None:
    found = usage_problems([mark("needs_clients", 0), mark("needs_capability", "pkce"), mark("needs_client")])
    assert len(found) == 2 and found[0].startswith("needs_clients") and found[1].startswith("needs_client(")


# --- needs: judged against a profile ----------------------------------------------------------


LOCAL = load_profile("local", env={})


def with_capabilities(**changes) -> object:
    return dataclasses.replace(LOCAL, capabilities=dataclasses.replace(LOCAL.capabilities, **changes))


def with_clients(*roles: str) -> object:
    return dataclasses.replace(LOCAL, clients={role: LOCAL.clients[role] for role in roles})


def test_the_local_profile_meets_what_the_suites_need() -> None:
    needs = [mark("needs_capability", "prompt_none", "max_age", "refresh_tokens"), mark("needs_client", "other"),
             mark("needs_client", "main", redirect_uris=2), mark("needs_clients", 3)]
    assert unmet(LOCAL, needs) is None
    assert unmet(LOCAL, []) is None


@pytest.mark.parametrize("profile, marker, reason", [
    (with_capabilities(prompt_none=False), mark("needs_capability", "prompt_none"),
     "profile local: capabilities.prompt_none is false"),
    (with_capabilities(max_age=False), mark("needs_capability", "prompt_none", "max_age"),
     "profile local: capabilities.max_age is false"),
    (LOCAL, mark("needs_client", "nobody"), "profile local: no [clients.nobody]"),
    (LOCAL, mark("needs_client", "other", redirect_uris=2), "profile local: clients.other has 1 redirect_uri, the test needs 2"),
    (LOCAL, mark("needs_client", "main", redirect_uris=3), "profile local: clients.main has 2 redirect_uris, the test needs 3"),
    (LOCAL, mark("needs_clients", 4), "profile local: 3 clients (main, other, wild), the test needs 4"),
    (with_clients("main"), mark("needs_clients", 2), "profile local: 1 client (main), the test needs 2"),
    (with_clients("main"), mark("needs_client", "other"), "profile local: no [clients.other]"),
], ids=["capability-false", "second-capability-false", "no-client", "one-uri", "two-uris", "three-clients",
        "one-client", "client-gone"])
def test_an_unmet_need_is_the_skip_reason(profile, marker, reason) -> None:
    assert unmet(profile, [marker]) == reason


def test_the_first_unmet_need_is_the_reason() -> None:
    profile = with_capabilities(pkce=False)
    needs = [mark("needs_clients", 1), mark("needs_client", "ghost"), mark("needs_capability", "pkce")]
    assert unmet(profile, needs) == "profile local: no [clients.ghost]"
    assert unmet(profile, needs[2:] + needs[:2]) == "profile local: capabilities.pkce is false"
