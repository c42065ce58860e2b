"""The misconfiguration registry, and every misconfiguration answering as Auth0 does (and only when on)."""

from __future__ import annotations

import html
from collections.abc import Callable

import pytest
from tenant_kit import API, NONCE, Driver, element_text

from hybridcheck.tenant.misconfigurations import (
    BLOCKED,
    BOT_CHALLENGE,
    IMPLICIT_NOT_ALLOWED,
    MFA_TITLE,
    MISCONFIGURATIONS,
    WRONG_CREDENTIALS,
    UnknownMisconfigurationError,
)
from hybridcheck.tenant import TenantConfig


def _hybrid(driver: Driver, **params: str):
    return driver.authorize(response_type="code id_token", scope="openid", nonce=NONCE, **params)


def _implicit_refused(driver: Driver) -> bool:
    page = _hybrid(driver).response
    code_only = driver.authorize(response_type="code", scope="openid")
    return (page.status_code == 403 and element_text(page.text, "error-code") == "unauthorized_client"
            and IMPLICIT_NOT_ALLOWED in html.unescape(page.text) and "code" in code_only.params)


def _callback_mismatch(driver: Driver) -> bool:
    result = driver.authorize(response_type="code", scope="openid")
    return result.kind == "page" and "Callback URL mismatch" in result.response.text


def _service_not_found(driver: Driver) -> bool:
    result = _hybrid(driver, audience=API.identifier)
    return result.error == "access_denied" and result.params["error_description"] == f"Service not found: {API.identifier}"


def _hs256(driver: Driver) -> bool:
    return _hybrid(driver).id_token_header["alg"] == "HS256"


def _consent_for_loopback(driver: Driver) -> bool:
    first = _hybrid(driver)  # interactive: the consent page after the login
    silent = _hybrid(driver, prompt="none")
    return 'id="consent-title"' in first.response.text and silent.error == "consent_required"


def _login_page_says(text: str) -> Callable[[Driver], bool]:
    def observed(driver: Driver) -> bool:
        result = driver.authorize(response_type="code", scope="openid")
        shown = html.unescape(result.response.text)
        return result.kind == "page" and f'id="login-error" role="alert">{text}<' in shown
    return observed


def _mfa_challenge(driver: Driver) -> bool:
    result = driver.authorize(response_type="code", scope="openid")
    return not result.params.get("code") and MFA_TITLE in result.response.text and 'id="code"' in result.response.text


OBSERVABLES: dict[str, Callable[[Driver], bool]] = {
    "implicit_grant_off": _implicit_refused,
    "callback_not_allowed": _callback_mismatch,
    "api_missing": _service_not_found,
    "id_token_hs256": _hs256,
    "consent_for_loopback": _consent_for_loopback,
    "mfa_for_test_user": _mfa_challenge,
    "bot_detection": _login_page_says(BOT_CHALLENGE),
    "test_user_password_changed": _login_page_says(WRONG_CREDENTIALS),
    "test_user_blocked": _login_page_says(BLOCKED),
}


def test_every_misconfiguration_has_an_observable_and_a_description():
    assert set(OBSERVABLES) == set(MISCONFIGURATIONS)
    assert all(entry.description.strip() for entry in MISCONFIGURATIONS.values())


@pytest.mark.parametrize("name", sorted(MISCONFIGURATIONS))
def test_a_misconfiguration_shows_only_when_switched_on(name, tenant, tenants, make_driver):
    observable = OBSERVABLES[name]
    assert not observable(make_driver(tenant)), f"{name} observable on the correct tenant"
    assert observable(make_driver(tenants.get(misconfigurations=frozenset({name}))))


def test_an_unknown_misconfiguration_lists_the_known_ones():
    with pytest.raises(UnknownMisconfigurationError, match="nope.*Known misconfigurations: .*api_missing"):
        TenantConfig(clients=(), users=(), misconfigurations=frozenset({"nope"}))
