"""A response type is a set (MRT §3), and its default response mode (MRT §2.1, §5): one home, evidence.py."""

import pytest

from hybridcheck.checks.discovery import unadvertised_reason
from hybridcheck.evidence import AuthorizationRequest, default_response_mode, response_type_values


@pytest.mark.parametrize(("response_type", "mode"), [
    ("code", "query"), ("none", "query"), ("code none", "query"),
    ("code id_token", "fragment"), ("code token", "fragment"), ("id_token code token", "fragment"),
    ("token", "fragment"), (None, "fragment"), ("", "fragment"),
])
def test_default_response_mode(response_type: str | None, mode: str) -> None:
    assert default_response_mode(response_type) == mode


def test_order_and_spacing_do_not_matter() -> None:
    assert response_type_values("code  token id_token") == response_type_values("code id_token token")
    assert response_type_values(None) == frozenset()


@pytest.mark.parametrize("response_type", ["code", "none", "code id_token", "code token"])
def test_the_request_and_the_discovery_check_agree_on_the_default(response_type: str) -> None:
    """The rule evidence.py and checks/discovery.py once held in two copies that disagreed for ``none``."""
    default = default_response_mode(response_type)
    request = AuthorizationRequest(authorization_endpoint="https://op.example.test/authorize", client_id="c",
                                   redirect_uri="https://rp.example.test/cb", response_type=response_type,
                                   scope="openid", state="s", nonce="n")
    assert request.expected_mode == default
    discovery = {"response_types_supported": [response_type], "response_modes_supported": [default]}
    assert unadvertised_reason(discovery, response_type, None) is None
