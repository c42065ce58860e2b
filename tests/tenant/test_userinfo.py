"""UserInfo of the correct tenant (Core §5.3, RFC 6750 §2.1-2.2, §3.1)."""

from __future__ import annotations

import pytest
from tenant_kit import USER

HOW = ["get", "post", "body"]  # GET + header, POST + header, POST + form body


@pytest.fixture
def tokens(driver) -> dict:
    front = driver.authorize(response_type="code id_token", scope="openid email", nonce="n")
    return driver.exchange(front).json()


@pytest.mark.parametrize("how", HOW)
def test_userinfo_answers_the_access_token(driver, tokens: dict, how: str) -> None:
    """TOK-6: same sub as the ID token, the claims of the scope only."""
    response = driver.userinfo(tokens["access_token"], how)
    assert response.status_code == 200
    assert response.json() == {"sub": USER.sub, "email": USER.claims["email"],
                               "email_verified": USER.claims["email_verified"]}


def test_userinfo_answers_the_front_channel_access_token(driver) -> None:
    """TOK-6, Core §3.3.2.5: the authorization endpoint's access token works like any other."""
    front = driver.authorize(response_type="code token", scope="openid email", nonce="n")
    response = driver.userinfo(front.params["access_token"])
    assert response.status_code == 200 and response.json()["sub"] == USER.sub
    assert response.headers["content-type"].startswith("application/json")


@pytest.mark.parametrize("how", HOW)
def test_unknown_token_is_invalid_token(driver, how: str) -> None:
    response = driver.userinfo("not-a-token", how)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert 'error="invalid_token"' in response.headers["www-authenticate"]


def test_no_token_is_401_with_a_bearer_challenge(driver) -> None:
    response = driver.http.get("/userinfo")
    assert response.status_code == 401 and response.headers["www-authenticate"].startswith("Bearer")


def test_token_in_header_and_body_is_refused(driver, tokens: dict) -> None:
    token = tokens["access_token"]
    response = driver.http.post("/userinfo", data={"access_token": token}, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 400


def test_token_without_openid_is_insufficient_scope(driver) -> None:
    front = driver.authorize(response_type="code token", scope="read:items", audience="https://api.example.test/")
    response = driver.userinfo(front.params["access_token"])
    assert response.status_code == 403 and 'error="insufficient_scope"' in response.headers["www-authenticate"]
