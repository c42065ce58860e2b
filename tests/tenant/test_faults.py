"""The fault registry, and every fault visibly making one answer malformed (and only with it on)."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from tenant_kit import NONCE, Driver, element_text

from hybridcheck.tenant import TenantConfig
from hybridcheck.tenant.faults import (
    ENV_VAR,
    FAULTS,
    HUGE_RESPONSE_BYTES,
    UnknownFaultError,
    faults_from_env,
    parse_faults,
)


def _token_answer(driver: Driver) -> httpx.Response:
    return driver.exchange(driver.authorize(response_type="code id_token", scope="openid", nonce=NONCE))


def _not_json(response: httpx.Response) -> bool:
    try:
        response.json()
    except ValueError:
        return True
    return False


def _discovery_not_json(driver: Driver) -> bool:
    response = driver.http.get("/.well-known/openid-configuration")
    return response.status_code == 200 and _not_json(response)


def _jwks_malformed(driver: Driver) -> bool:
    return not isinstance(driver.http.get("/.well-known/jwks.json").json().get("keys"), list)


def _token_response_not_json(driver: Driver) -> bool:
    response = _token_answer(driver)
    return response.status_code == 200 and _not_json(response)


def _id_tokens_not_jwt(driver: Driver) -> bool:
    front = driver.authorize(response_type="code id_token", scope="openid", nonce=NONCE)
    back = driver.exchange(front).json()["id_token"]
    return all(token.count(".") != 2 for token in (front.params["id_token"], back))


def _huge_token_response(driver: Driver) -> bool:
    response = _token_answer(driver)
    return response.status_code == 200 and len(response.content) > HUGE_RESPONSE_BYTES and "access_token" in response.json()


def _error_page_unmarked(driver: Driver) -> bool:
    """A refused request (unregistered redirect_uri) shows its error, but without the contract's ids."""
    page = driver.http.get("/authorize", params={"client_id": driver.client.client_id, "response_type": "code id_token",
                                                 "redirect_uri": "http://127.0.0.1:9/not-registered", "scope": "openid",
                                                 "nonce": NONCE})
    return page.status_code == 400 and "invalid_request" in page.text and element_text(page.text, "error-code") is None


OBSERVABLES: dict[str, Callable[[Driver], bool]] = {
    "discovery_not_json": _discovery_not_json,
    "jwks_malformed": _jwks_malformed,
    "token_response_not_json": _token_response_not_json,
    "id_token_not_jwt": _id_tokens_not_jwt,
    "huge_response": _huge_token_response,
    "error_page_unmarked": _error_page_unmarked,
}


def test_every_fault_has_an_observable_and_a_description():
    assert set(OBSERVABLES) == set(FAULTS)
    assert all(fault.description.strip() for fault in FAULTS.values())


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_fault_shows_only_when_switched_on(fault, tenant, tenants, make_driver):
    observable = OBSERVABLES[fault]
    assert not observable(make_driver(tenant)), f"{fault} observable on the correct tenant"
    assert observable(make_driver(tenants.get(faults=frozenset({fault}))))


def test_unknown_fault_in_the_config_lists_the_known_ones():
    with pytest.raises(UnknownFaultError, match="no_such_fault.*Known faults: .*discovery_not_json"):
        TenantConfig(clients=(), users=(), faults=frozenset({"no_such_fault"}))


def test_has_fault_refuses_a_name_outside_the_registry():
    with pytest.raises(KeyError, match="no such fault"):
        TenantConfig(clients=(), users=()).has_fault("typo")


@pytest.mark.parametrize(
    "value, expected",
    [(None, frozenset()), ("", frozenset()), (" huge_response , jwks_malformed", frozenset({"huge_response", "jwks_malformed"}))],
    ids=["unset", "blank", "two-with-spaces"],
)
def test_faults_from_env(value, expected):
    assert faults_from_env({} if value is None else {ENV_VAR: value}) == expected


def test_unknown_fault_in_the_env_names_the_variable():
    with pytest.raises(UnknownFaultError, match=f"in {ENV_VAR}: nope"):
        faults_from_env({ENV_VAR: "nope,huge_response"})
    assert parse_faults("huge_response") == {"huge_response"}
