"""The authorization endpoint of the correct tenant (Core §3.3.2, MRT, Form Post)."""

from __future__ import annotations

import re
import time
from urllib.parse import parse_qsl, urlsplit

import pytest
from tenant_kit import (
    ACCESS_CLAIM,
    API,
    CALLBACK,
    CALLBACK_WITH_QUERY,
    CLIENT,
    ID_CLAIM,
    NONCE,
    ORGANIZATION,
    ROTATING,
    USER,
    element_text,
    hash_claim,
    parse_html,
    verify,
)

HYBRID = ["code id_token", "code token", "code id_token token"]
FRONT_CHANNEL_MODES = ["fragment", "form_post"]
ERROR_DESCRIPTION_CHARSET = re.compile(r"[\x20-\x21\x23-\x5b\x5d-\x7e]*")


@pytest.mark.parametrize("mode", FRONT_CHANNEL_MODES)
@pytest.mark.parametrize("response_type", HYBRID)
def test_hybrid_response_carries_exactly_the_requested_credentials(driver, tenant, response_type: str,
                                                                   mode: str) -> None:
    """RESP-1/RESP-2, IDT-1..4, NONCE-1, STATE-1 on the happy path, logging in by the form."""
    result = driver.authorize(response_type=response_type, response_mode=mode, scope="openid email",
                              nonce=NONCE, state="xyz")
    values = set(response_type.split())
    assert result.kind == mode
    assert result.login_pages == 1
    assert result.params["state"] == "xyz"
    expected = {"code", "state"}
    if "id_token" in values:
        expected.add("id_token")
    if "token" in values:
        expected |= {"access_token", "token_type", "expires_in"}
        assert result.params["token_type"] == "Bearer"
        assert int(result.params["expires_in"]) > 0
    assert set(result.params) == expected
    if mode == "form_post":
        assert result.location == CALLBACK and result.query == {}
    else:
        assert result.query == {}  # nothing in the query: all in the fragment
    if "id_token" in values:
        claims = verify(result.params["id_token"], driver.jwks(), audience=CLIENT.client_id, issuer=tenant.issuer)
        assert claims["nonce"] == NONCE
        assert claims["c_hash"] == hash_claim(result.params["code"], result.id_token_header["alg"])
        assert claims["sub"] == USER.sub and claims["auth_time"] <= claims["iat"] < claims["exp"]
        assert ("at_hash" in claims) == ("token" in values)
        if "token" in values:
            assert claims["at_hash"] == hash_claim(result.params["access_token"])


def test_form_post_page(driver) -> None:
    """FP §2: an auto-submitting POST form to the exact redirect_uri, never cached."""
    result = driver.authorize(response_type="code id_token", response_mode="form_post", scope="openid",
                              nonce=NONCE, state="a&b")
    headers = result.response.headers
    assert result.response.status_code == 200
    assert headers["content-type"].startswith("text/html")
    assert headers["cache-control"] == "no-store" and headers["pragma"] == "no-cache"
    page = parse_html(result.response.text)
    assert page.body_attrs.get("onload") == "document.forms[0].submit()"
    assert (page.forms[0].method, page.forms[0].action) == ("post", CALLBACK)
    assert result.params["state"] == "a&b"


@pytest.mark.parametrize(("response_type", "kind"), [("code", "query"), ("code id_token", "fragment"),
                                                      ("id_token code", "fragment"), ("token code", "fragment"),
                                                      ("token id_token code", "fragment")])
def test_default_mode_and_response_type_as_a_set(driver, response_type: str, kind: str) -> None:
    """MRT §3 (a set of values), §5 (default modes)."""
    result = driver.authorize(response_type=response_type, scope="openid", nonce=NONCE)
    assert result.kind == kind and "code" in result.params


@pytest.mark.parametrize("state", [
    "plain", "with space", "a&b=c", "plus+sign", "100%25 and %41", "hash#tag", "ünïcödé-✓",
    "quote\"'<>", "s" * 600,
])
@pytest.mark.parametrize("mode", FRONT_CHANNEL_MODES)
def test_state_echoed_byte_for_byte(driver, state: str, mode: str) -> None:
    result = driver.authorize(response_type="code id_token", response_mode=mode, scope="openid",
                              nonce=NONCE, state=state)
    assert result.params["state"] == state


def test_no_state_sent_none_returned(driver) -> None:
    result = driver.authorize(response_type="code id_token", scope="openid", nonce=NONCE)
    assert "code" in result.params and "state" not in result.params


@pytest.mark.parametrize(("redirect_uri", "mode", "prefix"), [
    (CALLBACK_WITH_QUERY, "query", CALLBACK_WITH_QUERY + "&code="),
    (CALLBACK_WITH_QUERY, "fragment", CALLBACK_WITH_QUERY + "#code="),
    (CALLBACK + "#client-fragment", "fragment", CALLBACK + "#code="),
    (CALLBACK + "#client-fragment", "query", CALLBACK + "?code="),
])
def test_redirect_uri_query_kept_and_fragment_removed(driver, redirect_uri: str, mode: str, prefix: str) -> None:
    """RURI-1 (registered query comes back unchanged), FRAG-1 (fragment removed)."""
    result = driver.authorize(response_type="code", response_mode=mode, scope="openid", redirect_uri=redirect_uri)
    assert result.location.startswith(prefix), result.location
    assert "client-fragment" not in result.location


def test_fragment_removed_redirect_uri_still_redeems(driver) -> None:
    result = driver.authorize(response_type="code", scope="openid", redirect_uri=CALLBACK + "#x")
    assert driver.exchange(result, redirect_uri=CALLBACK).status_code == 200


def test_redirect_uri_is_required_even_with_a_single_one_registered(make_driver, tenant) -> None:
    """Core §3.1.2.1: redirect_uri REQUIRED (RURI-2), though OAuth §3.1.2.3 would allow the default."""
    result = make_driver(tenant, ROTATING).authorize(response_type="code", scope="openid", redirect_uri=None)
    assert result.kind == "page" and result.response.status_code == 400


def test_another_clients_redirect_uri_is_refused(driver) -> None:
    result = driver.authorize(response_type="code", scope="openid", redirect_uri=ROTATING.redirect_uris[0])
    assert result.kind == "page" and result.response.status_code == 400


@pytest.mark.parametrize(("params", "description"), [
    ({"redirect_uri": CALLBACK + "/"}, "trailing slash added"),
    ({"redirect_uri": CALLBACK[:-1]}, "path prefix"),
    ({"redirect_uri": CALLBACK + "/extra"}, "extra path segment"),
    ({"redirect_uri": CALLBACK.upper()}, "case change"),
    ({"redirect_uri": CALLBACK.replace(":9/", ":10/")}, "other port"),
    ({"redirect_uri": CALLBACK.replace("http:", "https:")}, "other scheme"),
    ({"redirect_uri": CALLBACK + "?x=1"}, "added query"),
    ({"redirect_uri": CALLBACK_WITH_QUERY.replace("x=1", "x=2")}, "changed query"),
    ({"redirect_uri": "http://user@127.0.0.1:9/cb"}, "userinfo in the authority"),
    ({"redirect_uri": "http://127.0.0.1:9/./cb"}, "dot segment"),
    ({"redirect_uri": "http://127.0.0.1:9/%63b"}, "encoded path"),
    ({"redirect_uri": "https://evil.example/cb"}, "unregistered"),
    ({"redirect_uri": None}, "missing with two registered"),
    ({"client_id": "no-such-client"}, "unknown client"),
])
def test_refused_redirect_uri_shows_an_error_page(driver, params: dict, description: str) -> None:
    """RURI-2/RURI-3: a 400 page at the tenant, never a redirect."""
    result = driver.authorize(response_type="code id_token", scope="openid", nonce=NONCE, state="s", **params)
    assert result.kind == "page" and result.login_pages == 0, description
    assert result.response.status_code == 400
    assert "location" not in result.response.headers
    text = result.response.text
    assert element_text(text, "error-code") == "invalid_request"
    assert element_text(text, "error-title") and element_text(text, "error-description")


def test_callback_mismatch_wording(driver) -> None:
    result = driver.authorize(response_type="code", redirect_uri="https://evil.example/cb")
    assert "Callback URL mismatch" in element_text(result.response.text, "error-description")


ERRORS = [
    # (params, error, mode the error comes back by)
    ({"response_type": None}, "invalid_request", "query"),
    ({"response_type": "token"}, "unsupported_response_type", "fragment"),
    ({"response_type": "id_token"}, "unsupported_response_type", "fragment"),
    ({"response_type": "code junk"}, "unsupported_response_type", "query"),
    ({"response_mode": "query"}, "invalid_request", "fragment"),
    ({"response_type": "code token", "response_mode": "query"}, "invalid_request", "fragment"),
    ({"response_mode": "web_message"}, "invalid_request", "fragment"),
    ({"nonce": None}, "invalid_request", "fragment"),
    ({"response_type": "code id_token token", "nonce": None}, "invalid_request", "fragment"),
    ({"nonce": None, "response_mode": "form_post"}, "invalid_request", "form_post"),
    ({"scope": "profile"}, "invalid_scope", "fragment"),
    ({"audience": "https://unknown.example/"}, "access_denied", "fragment"),
    ({"organization": "org_unknown"}, "invalid_request", "fragment"),
    ({"code_challenge": "x" * 43, "code_challenge_method": "plain"}, "invalid_request", "fragment"),
    ({"code_challenge": "x" * 43}, "invalid_request", "fragment"),
    ({"max_age": "soon"}, "invalid_request", "fragment"),
    ({"prompt": "none login"}, "invalid_request", "fragment"),
    ({"request": "eyJhbGciOiJSUzI1NiJ9.e30.c2ln"}, "invalid_request_object", "fragment"),
    ({"request_uri": "https://rp.example/req"}, "invalid_request_uri", "fragment"),
    ({"registration": "{}"}, "registration_not_supported", "fragment"),
    ({"claims": "{not json"}, "invalid_request", "fragment"),
]


@pytest.mark.parametrize(("params", "error", "mode"), ERRORS,
                         ids=[f"{e}-{'-'.join(f'{k}={v}' for k, v in p.items())}"[:60] for p, e, _ in ERRORS])
def test_errors_go_back_to_the_client_with_state(driver, params: dict, error: str, mode: str) -> None:
    """RESP-4, RESP-5, RESP-7, NONCE-2, STATE-3: error by the mode, with state, no credentials."""
    request = {"response_type": "code id_token", "scope": "openid", "nonce": NONCE, "state": "st&1", **params}
    result = driver.authorize(**request)
    assert result.kind == mode
    assert result.error == error
    assert result.params["state"] == "st&1"
    assert set(result.params) <= {"error", "error_description", "state"}
    assert ERROR_DESCRIPTION_CHARSET.fullmatch(result.params["error_description"])
    if mode == "fragment":
        assert result.query == {}


def test_unknown_audience_wording(driver) -> None:
    result = driver.authorize(response_type="code", scope="openid", audience="https://nope.example/")
    assert result.params["error_description"] == "Service not found: https://nope.example/"


def test_error_description_is_escaped_to_the_rfc6749_charset(driver) -> None:
    result = driver.authorize(response_type="code", scope="openid", audience='https://x/"\\ü')
    assert ERROR_DESCRIPTION_CHARSET.fullmatch(result.params["error_description"])


@pytest.mark.parametrize("params", [
    {"display": "page"}, {"display": "popup"}, {"display": "popup", "response_mode": "form_post"},
    {"display": "page", "response_type": "code id_token token"}, {"ui_locales": "de fr"}, {"claims_locales": "en"},
    {"acr_values": "urn:mace:incommon:iap:silver"}, {"login_hint": USER.username}, {"foo": "bar"},
    {"scope": "email openid profile"},
])
def test_optional_and_unknown_parameters_do_not_break_the_flow(driver, params: dict) -> None:
    """SESS-5."""
    request = {"response_type": "code id_token", "scope": "openid", "nonce": NONCE, **params}
    assert "id_token" in driver.authorize(**request).params


@pytest.mark.parametrize(("scope", "claims", "absent"), [
    ("openid", set(), {"name", "email", "address", "phone_number"}),
    ("openid profile", {"name", "nickname", "given_name", "family_name"}, {"email"}),
    ("openid email", {"email", "email_verified"}, {"name"}),
    ("openid address", {"address"}, {"email"}),
    ("openid phone", {"phone_number", "phone_number_verified"}, {"email"}),
    ("phone address email profile openid", {"name", "email", "address", "phone_number"}, set()),
])
def test_scope_claims_in_the_id_token(driver, scope: str, claims: set, absent: set) -> None:
    """SESS-6: Core §5.4 claims by scope, whatever the order."""
    id_token = driver.authorize(response_type="code id_token", scope=scope, nonce=NONCE).id_token
    assert {claim: id_token[claim] for claim in claims} == {claim: USER.claims[claim] for claim in claims}
    assert not absent & set(id_token)


def test_audience_organization_and_custom_claims(driver, tenant) -> None:
    """IDT-6, TOK-5 (front channel): org_id and Action claims; a JWT access token for the API."""
    result = driver.authorize(response_type="code id_token token", scope="openid read:items bogus", nonce=NONCE,
                              audience=API.identifier, organization=ORGANIZATION)
    assert result.id_token["org_id"] == ORGANIZATION
    assert result.id_token[ID_CLAIM[0]] == ID_CLAIM[1]
    access = verify(result.params["access_token"], driver.jwks(), audience=API.identifier, issuer=tenant.issuer)
    assert access["aud"] == [API.identifier, tenant.issuer + "userinfo"]
    assert (access["azp"], access["scope"], access["org_id"]) == (CLIENT.client_id, "openid read:items", ORGANIZATION)
    assert access[ACCESS_CLAIM[0]] == ACCESS_CLAIM[1]
    assert ID_CLAIM[0] not in access


# --- login page and session ----------------------------------------------------------
def test_login_page_elements_and_login_hint(driver) -> None:
    result = driver.authorize(login=False, response_type="code", scope="openid", login_hint="someone@example.com")
    assert result.kind == "login"
    page = parse_html(result.response.text)
    assert page.ids["username"]["value"] == "someone@example.com"
    assert page.ids["password"]["type"] == "password"
    form = page.forms[0]
    assert (form.method, form.inputs["action"]) == ("post", "default")
    assert form.inputs["txn"] and result.response.headers["cache-control"] == "no-store"


def test_wrong_password_shows_the_form_again(driver) -> None:
    result = driver.authorize(password="wrong", response_type="code", scope="openid")
    assert result.kind == "page" and result.response.status_code == 400
    assert "location" not in result.response.headers
    page = parse_html(result.response.text)
    assert page.ids["username"]["value"] == USER.username and "login-error" in page.ids


def test_unknown_login_transaction_is_an_error_page(driver) -> None:
    response = driver.http.get("/u/login", params={"txn": "nope"})
    assert response.status_code == 400 and element_text(response.text, "error-code") == "invalid_request"


@pytest.mark.parametrize("mode", FRONT_CHANNEL_MODES)
def test_prompt_none_without_session_is_login_required(driver, mode: str) -> None:
    """SESS-1."""
    result = driver.authorize(response_type="code id_token", response_mode=mode, scope="openid", nonce=NONCE,
                              state="s1", prompt="none")
    assert (result.kind, result.error, result.params["state"]) == (mode, "login_required", "s1")
    assert result.login_pages == 0


def test_prompt_none_with_session_succeeds_without_ui(driver) -> None:
    """SESS-2."""
    driver.login()
    result = driver.authorize(response_type="code id_token", scope="openid", nonce=NONCE, prompt="none",
                              id_token_hint="ignored")
    assert "id_token" in result.params and result.login_pages == 0


def test_sso_session_cookie(driver) -> None:
    driver.login()
    cookie = next(c for c in driver.http.cookies.jar if c.name == "hc_session")
    assert cookie.path == "/" and cookie.has_nonstandard_attr("HttpOnly")


def test_prompt_login_forces_login_and_auth_time_moves(driver) -> None:
    """SESS-3."""
    first = driver.authorize(response_type="code id_token", scope="openid", nonce=NONCE)
    time.sleep(1.05)  # auth_time has a resolution of one second
    again = driver.authorize(response_type="code id_token", scope="openid", nonce=NONCE, prompt="login")
    assert again.login_pages == 1
    assert again.id_token["auth_time"] > first.id_token["auth_time"]


@pytest.mark.parametrize(("max_age", "login_pages"), [("0", 1), ("10000", 0)])
def test_max_age(driver, max_age: str, login_pages: int) -> None:
    """SESS-4: an older session than max_age forces a login; auth_time is always present."""
    driver.login()
    result = driver.authorize(response_type="code id_token", scope="openid", nonce=NONCE, max_age=max_age)
    assert result.login_pages == login_pages
    assert "auth_time" in result.id_token


def test_max_age_with_prompt_none_is_login_required(driver) -> None:
    driver.login()
    result = driver.authorize(response_type="code id_token", scope="openid", nonce=NONCE, max_age="0", prompt="none")
    assert result.error == "login_required"


def test_post_to_the_authorization_endpoint(driver) -> None:
    """Core §3.1.2.1: POST with form serialisation works like GET."""
    driver.login()
    response = driver.http.post("/authorize", data={"client_id": CLIENT.client_id, "redirect_uri": CALLBACK,
                                                    "response_type": "code id_token", "scope": "openid",
                                                    "nonce": NONCE})
    assert response.status_code == 302 and "#code=" in response.headers["location"]


@pytest.mark.parametrize(("to", "status"), [
    (CALLBACK + "#code=x", 302),
    ("https://evil.example/cb#code=x", 400),
    (None, 400),
])
def test_continue_hop_only_goes_to_registered_callbacks(driver, to: str | None, status: int) -> None:
    """The hop the ``code_in_tenant_hop_query`` defect uses is never an open redirect."""
    response = driver.http.get("/u/continue", params={"to": to} if to else {})
    assert response.status_code == status
    assert response.headers.get("location") == (to if status == 302 else None)


def test_every_parameter_is_sent_once(driver) -> None:
    """OAuth §3.1 (RESP-8): the raw fragment names each parameter once."""
    result = driver.authorize(response_type="code id_token token", scope="openid", nonce=NONCE, state="s")
    names = [name for name, _ in parse_qsl(urlsplit(result.location).fragment)]
    assert len(names) == len(set(names)) and {"code", "state", "id_token", "access_token"} <= set(names)
