"""Auth0 mode: the reference tenant as Auth0 really behaves (New Universal Login, identifier
first; Auth0's error pages; consent for loopback callbacks; 403 for invalid_grant)."""

from __future__ import annotations

from urllib.parse import urljoin

import pytest
from tenant_kit import CALLBACK, NONCE, USER, Driver, parse_html


@pytest.fixture
def auth0(tenants, make_driver) -> Driver:
    return make_driver(tenants.get(auth0_mode=True))


def _login_page(driver: Driver, **params: str):
    first = driver.http.get("/authorize", params={"client_id": driver.client.client_id, "redirect_uri": CALLBACK,
                                                  "response_type": "code id_token", "scope": "openid", "nonce": NONCE,
                                                  **params})
    return driver.http.get(urljoin(str(first.url), first.headers["location"]))


def test_the_login_asks_the_identifier_then_the_password(auth0) -> None:
    identifier = _login_page(auth0)
    assert 'id="username"' in identifier.text and 'id="password"' not in identifier.text
    form = parse_html(identifier.text).forms[0]
    password = auth0.http.post("/u/login", data={**form.inputs, "username": USER.username})
    assert 'id="password"' in password.text and 'type="hidden" name="username"' in password.text
    form = parse_html(password.text).forms[0]
    wrong = auth0.http.post("/u/login", data={**form.inputs, "password": "nope"})
    assert wrong.status_code == 400 and 'id="error-element-password"' in wrong.text
    done = auth0.http.post("/u/login", data={**form.inputs, "password": USER.password})
    assert done.status_code == 200 and 'id="consent-title"' in done.text  # CALLBACK is loopback: consent next


def test_a_loopback_callback_gets_the_consent_page_and_prompt_none_consent_required(auth0) -> None:
    identifier = _login_page(auth0)
    form = parse_html(identifier.text).forms[0]
    password = parse_html(auth0.http.post("/u/login", data={**form.inputs, "username": USER.username}).text).forms[0]
    consent = auth0.http.post("/u/login", data={**password.inputs, "password": USER.password})
    assert 'id="consent-title"' in consent.text
    silent = auth0.authorize(response_type="code id_token", scope="openid", nonce=NONCE, prompt="none")
    assert silent.error == "consent_required"


def test_an_error_page_has_auth0s_markup(auth0) -> None:
    page = auth0.http.get("/authorize", params={"client_id": auth0.client.client_id,
                                                "redirect_uri": "http://127.0.0.1:9/not-registered",
                                                "response_type": "code", "scope": "openid"})
    assert page.status_code == 400 and 'id="error-page"' in page.text and 'data-error-code="invalid_request"' in page.text
    assert "Callback URL mismatch" in page.text


def test_invalid_grant_is_403_and_other_errors_keep_their_status(auth0, tenants, make_driver) -> None:
    plain = make_driver(tenants.get())
    code = plain.login()
    assert plain.exchange(code).status_code == 200
    assert plain.exchange(code).status_code == 400  # the correct tenant: RFC 6749 §5.2
    driver = make_driver(tenants.get(auth0_mode=True))
    reused = {"grant_type": "authorization_code", "code": "unknown-code", "redirect_uri": CALLBACK}
    assert driver.token(reused).status_code == 403
    assert driver.token({"grant_type": "password"}).status_code == 400
