"""The defect registry, and every defect visibly changing the tenant's behaviour.

One test body runs a table of (defect, scenario, observable): the observable must be
false on the correct tenant and true on a tenant with only that defect switched on.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from unittest import mock
from urllib.parse import parse_qsl, urlsplit

import jwt
import pytest
from tenant_kit import (
    API,
    CALLBACK,
    CALLBACK_ON_HOST,
    CALLBACK_WITH_QUERY,
    ID_CLAIM,
    NONCE,
    ROTATING,
    WILD,
    Driver,
    hashlib_b64,
    unsigned,
    verify,
)

import hybridcheck.tenant
from hybridcheck.requirements import catalogue
from hybridcheck.tenant import (
    DEFECTS,
    ENV_VAR,
    TenantConfig,
    UnknownDefectError,
    defects_from_env,
    parse_defects,
    token_endpoint,
)

TENANT_SOURCES = Path(hybridcheck.tenant.__file__).parent


# --- the registry -------------------------------------------------------------------
@pytest.mark.parametrize(("value", "expected"), [
    (None, frozenset()),
    ("", frozenset()),
    (" , ,", frozenset()),
    ("c_hash_full_digest", frozenset({"c_hash_full_digest"})),
    (" state_not_echoed ,c_hash_sha512,", frozenset({"state_not_echoed", "c_hash_sha512"})),
])
def test_parse_defects(value: str | None, expected: frozenset[str]) -> None:
    assert parse_defects(value) == expected


def test_unknown_defect_names_it_and_lists_the_known_ones() -> None:
    with pytest.raises(UnknownDefectError) as raised:
        parse_defects("state_not_echoed,no_such_defect")
    message = str(raised.value)
    assert isinstance(raised.value, ValueError)
    assert "no_such_defect" in message
    assert all(name in message for name in DEFECTS)


def test_defects_from_env() -> None:
    assert defects_from_env({ENV_VAR: "c_hash_sha512"}) == {"c_hash_sha512"}
    assert defects_from_env({}) == frozenset()
    with pytest.raises(UnknownDefectError):
        defects_from_env({ENV_VAR: "bogus"})


def test_tenant_config_refuses_unknown_defects() -> None:
    with pytest.raises(UnknownDefectError, match="bogus"):
        TenantConfig(clients=(), users=(), defects=frozenset({"bogus"}))


def test_has_defect_refuses_names_outside_the_registry() -> None:
    with pytest.raises(KeyError):
        TenantConfig(clients=(), users=()).has_defect("typo_in_the_code")


def test_every_defect_names_a_known_requirement() -> None:
    known = catalogue()
    assert {d.name: d.requirement for d in DEFECTS.values() if d.requirement not in known} == {}
    assert all(name == defect.name and defect.description for name, defect in DEFECTS.items())


def test_every_defect_is_checked_at_exactly_one_place() -> None:
    source = "\n".join(path.read_text() for path in sorted(TENANT_SOURCES.glob("*.py")))
    checked = re.findall(r'has_defect\("([a-z0-9_]+)"\)', source)
    counts = {name: checked.count(name) for name in DEFECTS}
    assert {name: n for name, n in counts.items() if n != 1} == {}
    assert set(checked) <= set(DEFECTS)


# --- scenarios: what a test does against a tenant -----------------------------------
Scenario = Callable[[Driver], Any]


def front(response_type: str | None = "code id_token", **params: str | None) -> Scenario:
    """One authorization request (fresh browser unless a session scenario logged in)."""
    def run(d: Driver) -> Any:
        request = {"response_type": response_type, "scope": "openid profile email", "nonce": NONCE,
                   "state": "st-1", **params}
        return d.authorize(**request)
    return run


def with_session(**params: str | None) -> Scenario:
    def run(d: Driver) -> Any:
        d.login()
        return front(**params)(d)
    return run


def exchanged(**params: str | None) -> Scenario:
    """Front channel, then the token endpoint: (authorization result, token JSON)."""
    def run(d: Driver) -> Any:
        result = front(**params)(d)
        return result, d.exchange(result).json()
    return run


def userinfo_answered(d: Driver) -> Any:
    """A code flow, then UserInfo with its access token: (token JSON, UserInfo JSON)."""
    _, tokens = exchanged(response_type="code")(d)
    return tokens, d.userinfo(tokens["access_token"]).json()


def exchanged_twice(d: Driver) -> Any:
    result = front("code")(d)
    d.exchange(result)
    return d.exchange(result)


def exchanged_with_other_redirect_uri(d: Driver) -> Any:
    return d.exchange(front("code")(d), redirect_uri=CALLBACK_WITH_QUERY)


def exchanged_with_wrong_secret(d: Driver) -> Any:
    return d.exchange(front("code")(d), secret="not-the-secret")


def rotated_token_reused(d: Driver) -> Any:
    """With rotation: refresh once, then present the rotated-out token again."""
    rotating = Driver(d.tenant, ROTATING)
    try:
        retired = rotating.offline_tokens("openid offline_access")["refresh_token"]
        assert rotating.refresh(retired).status_code == 200
        return rotating.refresh(retired)
    finally:
        rotating.close()


def exchanged_with(*, auth: str = "post", secret: str | None = None, **extra: str | None) -> Scenario:
    """A `code` flow redeemed with another redirect_uri, auth method, secret or extra parameters."""
    def run(d: Driver) -> Any:
        return d.exchange(front("code")(d), auth=auth, secret=secret, **extra)
    return run


def refreshed_with_wrong_secret(d: Driver) -> Any:
    refresh_token = d.offline_tokens()["refresh_token"]
    return d.token({"grant_type": "refresh_token", "refresh_token": refresh_token}, secret="not-the-secret")


def userinfo_of_front_channel_token(d: Driver) -> Any:
    return d.userinfo(front("code token")(d).params["access_token"])


def userinfo_of_own_token(d: Driver) -> Any:
    return d.userinfo(d.exchange(front("code")(d)).json()["access_token"])


def userinfo_after_reduced_refresh(d: Driver) -> Any:
    """UserInfo for the access token of a refresh reduced from openid profile email to openid email."""
    refresh_token = d.offline_tokens("openid profile email offline_access")["refresh_token"]
    return d.userinfo(d.refresh(refresh_token, "openid email").json()["access_token"]).json()


def names_sent(result: Any) -> list[str]:
    """The parameter names of a fragment response as sent, repeats kept (RESP-8)."""
    return [name for name, _ in parse_qsl(urlsplit(result.location or "").fragment)]


def without_redirect_uri_single(d: Driver) -> Any:
    """The client with a single registered redirect_uri, asking without one."""
    single = Driver(d.tenant, ROTATING)
    try:
        return front(redirect_uri=None)(single)
    finally:
        single.close()


def delivered_to(uri: str) -> Callable[[Any, Driver], bool]:
    """The authorization response went to ``uri`` (not the error page at the tenant)."""
    return lambda r, d: r.kind != "page" and "code" in r.params and (r.location or "").startswith(uri)


def near_miss(uri: str) -> tuple[Scenario, Callable[[Any, Driver], bool]]:
    """An unregistered ``redirect_uri``: an error page when correct, the response there when lax."""
    return front(redirect_uri=uri), delivered_to(uri)


def wildcard_near_miss(uri: str) -> tuple[Scenario, Callable[[Any, Driver], bool]]:
    """Like :func:`near_miss`, for the client whose only callback is ``http://*.localhost:9/cb``."""
    def run(d: Driver) -> Any:
        wild = Driver(d.tenant, WILD)
        try:
            return front(redirect_uri=uri)(wild)
        finally:
            wild.close()
    return run, delivered_to(uri)


def exchanged_twice_late(d: Driver) -> Any:
    """A replay after "30 s" — shortened to 50 ms for the test."""
    result = front("code")(d)
    d.exchange(result)
    with mock.patch.object(token_endpoint, "LATE_REPLAY_S", 0.05):
        time.sleep(0.1)
        return d.exchange(result)


def is_jwt(token: str) -> bool:
    try:
        jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        return False
    return True


def refreshed(scope: str) -> Scenario:
    def run(d: Driver) -> Any:
        tokens = d.offline_tokens("openid profile offline_access")
        return d.refresh(tokens["refresh_token"], scope)
    return run


def refreshed_with_id_tokens(d: Driver) -> Any:
    """(the original ID token, the refreshed one)."""
    tokens = d.offline_tokens("openid profile offline_access")
    return tokens["id_token"], d.refresh(tokens["refresh_token"], None).json()["id_token"]


def discovery(d: Driver) -> Any:
    return d.discovery()


def token_claims(raw: str) -> dict[str, Any]:
    return jwt.decode(raw, options={"verify_signature": False})


def signature_verifies(d: Driver, raw: str) -> bool:
    try:
        verify(raw, d.jwks())
    except (jwt.PyJWTError, KeyError):
        return False
    return True


def jwks_kids(d: Driver) -> set[str]:
    return {key["kid"] for key in d.jwks()["keys"]}


def two_flows(d: Driver) -> Any:
    """Two authorizations of the same user (SSO after the first): their two front-channel ID tokens."""
    first = front()(d)
    return first.id_token, front()(d).id_token


def long_nonce(d: Driver) -> Any:
    return front(nonce="n" * 300)(d)


# (defect, scenario, observable(outcome, driver)): false when correct, true with the defect.
TABLE: list[tuple[str, Scenario, Callable[[Any, Driver], bool]]] = [
    ("c_hash_full_digest", front(),
     lambda r, d: r.id_token["c_hash"] == hashlib_b64(r.params["code"], "sha256", half=False)),
    ("c_hash_sha512", front(),
     lambda r, d: r.id_token["c_hash"] == hashlib_b64(r.params["code"], "sha512", half=True)),
    ("at_hash_missing_code_id_token_token", front("code id_token token"),
     lambda r, d: "at_hash" not in r.id_token),
    ("state_not_echoed", front(), lambda r, d: "code" in r.params and "state" not in r.params),
    ("state_double_decoded", front(state="%41b"), lambda r, d: r.params.get("state") == "Ab"),
    ("state_truncated_255", front(state="s" * 600), lambda r, d: len(r.params.get("state", "")) == 255),
    ("error_without_state", front(nonce=None),
     lambda r, d: r.error == "invalid_request" and "state" not in r.params),
    ("state_invented", front(state=None), lambda r, d: "state" in r.params),
    ("nonce_not_echoed", front(), lambda r, d: "nonce" not in r.id_token),
    ("nonce_only_token_endpoint", exchanged(),
     lambda r, d: "nonce" not in r[0].id_token and token_claims(r[1]["id_token"]).get("nonce") == NONCE),
    ("nonce_not_required", front(nonce=None), lambda r, d: "code" in r.params),
    ("token_endpoint_nonce_dropped", exchanged(), lambda r, d: "nonce" not in token_claims(r[1]["id_token"])),
    ("redirect_uri_prefix_match", front(redirect_uri=CALLBACK + "/evil"), lambda r, d: r.kind != "page"),
    ("redirect_uri_trailing_slash_insensitive", *near_miss(CALLBACK + "/")),
    ("redirect_uri_path_case_insensitive", *near_miss(CALLBACK.replace("/cb", "/CB"))),
    ("redirect_uri_query_ignored", *near_miss(CALLBACK + "?evil=1")),
    ("redirect_uri_port_ignored", *near_miss(CALLBACK.replace(":9/", ":10/"))),
    ("redirect_uri_scheme_ignored", *near_miss(CALLBACK.replace("http://", "https://"))),
    ("redirect_uri_subdomain_wildcard", *near_miss(CALLBACK_ON_HOST.replace("//app.", "//attacker.app."))),
    ("redirect_uri_userinfo_accepted", *near_miss(CALLBACK.replace("//", "//attacker@"))),
    ("redirect_uri_dot_segments_normalised", *near_miss(CALLBACK.replace("/cb", "/extra/../cb"))),
    ("redirect_uri_mismatch_redirects_error", *near_miss("https://attacker.hybridcheck.test/cb")),
    ("wildcard_matches_any_depth", *wildcard_near_miss("http://a.b.localhost:9/cb")),
    ("wildcard_matches_bare_domain", *wildcard_near_miss("http://localhost:9/cb")),
    ("client_secret_unchecked", exchanged_with_wrong_secret, lambda r, d: r.status_code == 200),
    ("token_endpoint_other_sub", exchanged(),
     lambda r, d: token_claims(r[1]["id_token"])["sub"] != r[0].id_token["sub"]),
    ("audience_ignored", exchanged(response_type="code", audience=API.identifier), lambda r, d: not is_jwt(r[1]["access_token"])),
    ("rotation_reuse_undetected", rotated_token_reused, lambda r, d: r.status_code == 200),
    ("refresh_scope_escalation", refreshed("openid profile email offline_access"),
     lambda r, d: r.status_code == 200 and "email" in r.json()["scope"].split()),
    ("iss_without_trailing_slash", front(), lambda r, d: r.id_token["iss"] == d.tenant.url),
    ("aud_list_without_azp", front(), lambda r, d: isinstance(r.id_token["aud"], list) and "azp" not in r.id_token),
    ("id_token_expired", front(), lambda r, d: r.id_token["exp"] < time.time()),
    ("kid_not_in_jwks", front(), lambda r, d: r.id_token_header["kid"] not in jwks_kids(d)),
    ("alg_none_id_token", front(), lambda r, d: r.id_token_header["alg"] == "none"),
    ("id_token_wrong_key", front(),
     lambda r, d: r.id_token_header["kid"] in jwks_kids(d) and not signature_verifies(d, r.params["id_token"])),
    ("discovery_issuer_mismatch", discovery, lambda doc, d: doc["issuer"] != d.tenant.issuer),
    ("refresh_token_in_front_channel", front(scope="openid offline_access"),
     lambda r, d: "refresh_token" in r.params),
    ("access_token_in_code_id_token", front(), lambda r, d: "access_token" in r.params),
    ("expires_in_not_seconds", front("code token"), lambda r, d: not r.params["expires_in"].isdigit()),
    ("token_type_garbage", front("code token"), lambda r, d: r.params.get("token_type") == "bearerish"),
    ("form_post_as_query", front(response_mode="form_post"), lambda r, d: r.kind == "query"),
    ("form_post_cacheable", front(response_mode="form_post"),
     lambda r, d: r.kind == "form_post" and "no-store" not in r.response.headers.get("cache-control", "")),
    ("hybrid_default_query", front(), lambda r, d: r.kind == "query" and "id_token" in r.query),
    ("query_mode_tokens_allowed", front(response_mode="query"), lambda r, d: "id_token" in r.query),
    ("missing_response_type_accepted", front(None), lambda r, d: "code" in r.params),
    ("authorization_response_iss_wrong", front(), lambda r, d: r.params.get("iss", d.tenant.issuer) != d.tenant.issuer),
    ("prompt_none_shows_login", front(prompt="none"), lambda r, d: r.login_pages > 0),
    ("prompt_none_ignores_session", with_session(prompt="none"), lambda r, d: r.error == "login_required"),
    ("prompt_login_ignored", with_session(prompt="login"), lambda r, d: r.login_pages == 0),
    ("max_age_ignored", with_session(max_age="0"), lambda r, d: r.login_pages == 0),
    ("auth_time_missing", front(), lambda r, d: "auth_time" not in r.id_token),
    ("unknown_param_rejected", front(foo="bar"), lambda r, d: r.error == "invalid_request"),
    ("claims_parameter_ignored", front(scope="openid", claims='{"id_token": {"email": {"essential": true}}}'),
     lambda r, d: "email" not in r.id_token),
    ("request_object_ignored", front(request=unsigned({"state": "from-the-object"})),
     lambda r, d: r.params["state"] == "st-1"),
    ("scope_claims_missing", front(scope="openid email"), lambda r, d: "email" not in r.id_token),
    ("userinfo_sub_mismatch", userinfo_answered, lambda r, d: r[1]["sub"] != token_claims(r[0]["id_token"])["sub"]),
    ("code_reuse_allowed", exchanged_twice, lambda r, d: r.status_code == 200),
    ("code_replay_allowed_after_30s", exchanged_twice_late, lambda r, d: r.status_code == 200),
    ("token_redirect_uri_unchecked", exchanged_with_other_redirect_uri, lambda r, d: r.status_code == 200),
    # issue 15: token responses and errors, UserInfo, refresh
    ("token_errors_403", exchanged_twice, lambda r, d: r.status_code == 403),
    ("token_error_not_json", exchanged_twice,
     lambda r, d: r.status_code == 400 and not r.headers["content-type"].startswith("application/json")),
    ("refresh_response_cacheable", refreshed("openid"), lambda r, d: "cache-control" not in r.headers),
    ("expires_in_string", exchanged(response_type="code"), lambda r, d: isinstance(r[1]["expires_in"], str)),
    ("token_endpoint_redirect_uri_case_insensitive", exchanged_with(redirect_uri=CALLBACK.upper()),
     lambda r, d: r.status_code == 200),
    ("token_endpoint_redirect_uri_query_ignored", exchanged_with(redirect_uri=CALLBACK + "?x=1"),
     lambda r, d: r.status_code == 200),
    ("token_endpoint_redirect_uri_percent_decoded", exchanged_with(redirect_uri=CALLBACK.replace("/cb", "/%63b")),
     lambda r, d: r.status_code == 200),
    ("basic_auth_401_without_www_authenticate", exchanged_with(auth="basic", secret="not-the-secret"),
     lambda r, d: r.status_code == 401 and "www-authenticate" not in r.headers),
    ("wrong_secret_accepted_on_refresh", refreshed_with_wrong_secret, lambda r, d: r.status_code == 200),
    ("userinfo_front_channel_token_refused", userinfo_of_front_channel_token, lambda r, d: r.status_code == 401),
    ("userinfo_invalid_token_200", lambda d: d.userinfo("never-issued"), lambda r, d: r.status_code == 200),
    ("userinfo_invalid_token_without_www_authenticate", lambda d: d.userinfo("never-issued"),
     lambda r, d: r.status_code == 401 and "www-authenticate" not in r.headers),
    ("userinfo_not_json", userinfo_of_own_token,
     lambda r, d: r.status_code == 200 and not r.headers["content-type"].startswith("application/json")),
    ("pkce_downgrade_accepted", exchanged_with(code_verifier="v" * 43), lambda r, d: r.status_code == 200),
    ("refresh_reduced_scope_ignored_by_userinfo", userinfo_after_reduced_refresh, lambda r, d: "name" in r),
    ("refresh_escalation_200_silent_drop", refreshed("openid profile offline_access phone"),
     lambda r, d: r.status_code == 200 and "phone" not in r.json()["scope"]),
    ("refresh_without_scope_reduction", refreshed("openid"),
     lambda r, d: r.status_code == 200 and r.json()["scope"] != "openid"),
    ("refresh_token_without_offline_access", exchanged(response_type="code", scope="openid"),
     lambda r, d: "refresh_token" in r[1]),
    ("error_response_with_code", front(nonce=None), lambda r, d: r.error == "invalid_request" and "code" in r.params),
    ("error_description_unescaped", front(nonce=None),
     lambda r, d: r.error == "invalid_request" and '"' in r.params.get("error_description", "")),
    ("refresh_id_token_new_auth_time", refreshed_with_id_tokens,
     lambda r, d: token_claims(r[0])["auth_time"] != token_claims(r[1])["auth_time"]),
    ("registered_query_dropped", front(redirect_uri=CALLBACK_WITH_QUERY),
     lambda r, d: "code" in r.params and "tenant=q" not in (r.location or "")),
    ("missing_redirect_uri_uses_first", front(redirect_uri=None), lambda r, d: r.kind != "page"),
    ("fragment_kept_in_redirect_uri", front(redirect_uri=CALLBACK + "#keep"),
     lambda r, d: "keep" in (r.location or "").split("#", 1)[-1]),
    ("custom_claim_missing", front(), lambda r, d: ID_CLAIM[0] not in r.id_token),
    ("duplicate_state_parameter", front(), lambda r, d: names_sent(r).count("state") == 2),
    ("duplicate_code_parameter", front(), lambda r, d: names_sent(r).count("code") == 2),
    ("code_in_tenant_hop_query", front(),
     lambda r, d: urlsplit(str(r.response.request.url)).path == "/u/continue" and "code" in r.params),
    ("error_without_state_unsupported_response_type", front("code id_token junk"),
     lambda r, d: r.error == "unsupported_response_type" and "state" not in r.params),
    ("error_by_fragment_for_form_post", front(nonce=None, response_mode="form_post"),
     lambda r, d: r.error == "invalid_request" and r.kind == "fragment"),
    ("error_response_iss_wrong", front(nonce=None), lambda r, d: r.params["iss"] != d.tenant.issuer),
    ("missing_redirect_uri_accepted_single", without_redirect_uri_single, lambda r, d: r.kind != "page"),
    ("other_client_redirect_uri_accepted", front(redirect_uri=ROTATING.redirect_uris[0]),
     lambda r, d: r.kind != "page"),
    # issue 15: every ID token (IDT-1, -2, -4, -5, REF-3), auth_time, claim sources, nonce shapes, keys
    ("token_endpoint_id_token_bad_signature", exchanged(),
     lambda r, d: signature_verifies(d, r[0].params["id_token"]) and not signature_verifies(d, r[1]["id_token"])),
    ("token_endpoint_id_token_wrong_aud", exchanged(),
     lambda r, d: isinstance(token_claims(r[1]["id_token"])["aud"], list) and isinstance(r[0].id_token["aud"], str)),
    ("id_token_exp_before_iat", front(), lambda r, d: r.id_token["exp"] <= r.id_token["iat"]),
    ("id_token_iat_stale", front(), lambda r, d: r.id_token["iat"] < time.time() - 1800),
    ("id_token_nbf_future", front(), lambda r, d: r.id_token.get("nbf", 0) > time.time()),
    ("token_endpoint_at_hash_wrong", exchanged(response_type="code"),
     lambda r, d: token_claims(r[1]["id_token"]).get("at_hash") not in (None, hashlib_b64(r[1]["access_token"], "sha256", half=True))),
    ("sub_changes_between_flows", two_flows, lambda r, d: r[0]["sub"] != r[1]["sub"]),
    ("refresh_id_token_replayed", refreshed_with_id_tokens, lambda r, d: r[0] == r[1]),
    ("refresh_id_token_wrong_sub", refreshed_with_id_tokens,
     lambda r, d: token_claims(r[0])["sub"] != token_claims(r[1])["sub"]),
    ("auth_time_missing_token_endpoint", exchanged(),
     lambda r, d: "auth_time" in r[0].id_token and "auth_time" not in token_claims(r[1]["id_token"])),
    ("front_channel_claim_wrong", exchanged(),
     lambda r, d: r[0].id_token["email"] != token_claims(r[1]["id_token"])["email"]),
    ("token_endpoint_claim_wrong", exchanged(),
     lambda r, d: r[0].id_token["email"] != token_claims(r[1]["id_token"])["email"]),
    ("nonce_mangled_long", long_nonce, lambda r, d: r.id_token["nonce"] != "n" * 300),
    ("jwks_two_keys_one_without_kid", lambda d: d.jwks(), lambda r, d: any("kid" not in key for key in r["keys"])),
]


# Defects only visible with a setting on: both the correct and the broken tenant get it.
SETTINGS: dict[str, dict[str, Any]] = {
    "authorization_response_iss_wrong": {"authorization_response_iss": True},
    "error_response_iss_wrong": {"authorization_response_iss": True},
}


def test_the_table_covers_every_defect_once() -> None:
    names = [row[0] for row in TABLE]
    assert sorted(names) == sorted(DEFECTS)
    assert set(SETTINGS) <= set(DEFECTS)


@pytest.mark.parametrize(("defect", "scenario", "observable"), TABLE, ids=[row[0] for row in TABLE])
def test_defect_changes_behaviour(defect: str, scenario: Scenario, observable: Callable[[Any, Driver], bool],
                                  tenants, make_driver) -> None:
    settings = SETTINGS.get(defect, {})
    correct = make_driver(tenants.get(**settings))
    assert not observable(scenario(correct), correct), f"the correct tenant already shows {defect}"
    broken = make_driver(tenants.get(frozenset({defect}), **settings))
    assert observable(scenario(broken), broken), f"{defect} ({DEFECTS[defect].description}) is not visible"
