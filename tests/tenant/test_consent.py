"""The consent page of the correct tenant: ``prompt=consent`` (Core §3.1.2.1, §11)."""

from __future__ import annotations

from urllib.parse import urljoin

import pytest
from tenant_kit import NONCE, AuthResult, Driver, parse_html


def consent_shown(driver: Driver, *, logged_in: bool) -> AuthResult:
    """An offline_access request with prompt=consent, stopped on the consent page."""
    if logged_in:
        driver.login()
    result = driver.authorize(response_type="code id_token", scope="openid offline_access", nonce=NONCE,
                              prompt="consent")
    assert 'id="consent-title"' in result.response.text, result  # the driver's kind: its form posts to the tenant
    return result


def answer(driver: Driver, shown: AuthResult, action: str) -> AuthResult:
    """Press Accept or Decline as a browser would, and follow to the client."""
    form = parse_html(shown.response.text).forms[0]
    response = driver.http.post(urljoin(str(shown.response.url), form.action), data={**form.inputs, "action": action})
    return driver._follow(response, login=False, password=None)


@pytest.mark.parametrize("logged_in", [True, False], ids=["with a session", "after the login page"])
def test_accepted_consent_answers_the_request(driver, logged_in: bool) -> None:
    shown = consent_shown(driver, logged_in=logged_in)
    result = answer(driver, shown, "accept")
    assert result.kind == "fragment" and "code" in result.params, result
    tokens = driver.exchange(result).json()
    assert "refresh_token" in tokens  # Core §11: offline_access honoured with prompt=consent


def test_declined_consent_is_access_denied(driver) -> None:
    result = answer(driver, consent_shown(driver, logged_in=True), "deny")
    assert (result.kind, result.error) == ("fragment", "access_denied")
    assert "code" not in result.params


def test_without_prompt_consent_no_consent_page(driver) -> None:
    driver.login()
    assert driver.authorize(response_type="code", scope="openid offline_access").kind == "query"
