"""RFC 9207 ``iss`` in authorization responses (RESP-6), switched on by
``TenantConfig.authorization_response_iss``."""

from __future__ import annotations

import pytest
from tenant_kit import NONCE


@pytest.fixture(scope="module")
def with_iss(tenants):
    return tenants.get(authorization_response_iss=True)


@pytest.mark.parametrize(("params", "kind"), [
    ({"response_type": "code id_token"}, "fragment"),
    ({"response_type": "code id_token token", "response_mode": "form_post"}, "form_post"),
    ({"response_type": "code token"}, "fragment"),
    ({"response_type": "code"}, "query"),
    ({"response_type": "code id_token", "nonce": None}, "fragment"),  # error: no nonce
    ({"response_type": "code id_token", "nonce": None, "response_mode": "form_post"}, "form_post"),
    ({"response_type": "code", "audience": "https://unknown.example/"}, "query"),  # error in the query
    ({"response_type": "code id_token", "prompt": "none"}, "fragment"),  # login_required
])
def test_every_authorization_response_carries_the_issuer(with_iss, make_driver, params: dict, kind: str) -> None:
    request = {"scope": "openid", "nonce": NONCE, "state": "s", **params}
    result = make_driver(with_iss).authorize(**request)
    assert result.kind == kind
    assert result.params["iss"] == with_iss.issuer and result.params["state"] == "s"


def test_discovery_advertises_it(with_iss, make_driver, driver) -> None:
    assert make_driver(with_iss).discovery()["authorization_response_iss_parameter_supported"] is True
    assert driver.discovery()["authorization_response_iss_parameter_supported"] is False


def test_off_by_default(driver) -> None:
    for params in ({"response_type": "code id_token"}, {"response_type": "code id_token", "nonce": None}):
        result = driver.authorize(**{"scope": "openid", "nonce": NONCE, **params})
        assert "iss" not in result.params
