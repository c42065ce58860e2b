"""Refresh tokens of the correct tenant (OAuth §6, Core §12, Security BCP §4.14)."""

from __future__ import annotations

import time

import jwt
import pytest
from tenant_kit import API, API_NO_OFFLINE, CLIENT, ROTATING, verify

OFFLINE = "openid profile email offline_access"


def claims(raw: str) -> dict:
    return jwt.decode(raw, options={"verify_signature": False})


def test_refresh_without_scope_grants_the_original_scope(driver, tenant) -> None:
    """REF-1, REF-3: same scope; new ID token with the same iss/sub/aud/auth_time, no nonce."""
    tokens = driver.offline_tokens(OFFLINE)
    assert tokens["scope"] == OFFLINE
    original = claims(tokens["id_token"])
    time.sleep(1.05)  # iat has a resolution of one second
    response = driver.refresh(tokens["refresh_token"])
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["scope"] == OFFLINE and body["token_type"] == "Bearer"
    assert "refresh_token" not in body  # no rotation for this client
    renewed = verify(body["id_token"], driver.jwks(), audience=CLIENT.client_id, issuer=tenant.issuer)
    assert {k: renewed[k] for k in ("iss", "sub", "aud", "auth_time")} == {
        k: original[k] for k in ("iss", "sub", "aud", "auth_time")}
    assert renewed["iat"] > original["iat"]
    assert not {"nonce", "c_hash", "at_hash"} & set(renewed)
    assert driver.userinfo(body["access_token"]).json()["email"]


def test_reduced_scope_then_the_original_again(driver) -> None:
    """REF-4: exactly the reduced set; the refresh token keeps the original scope."""
    tokens = driver.offline_tokens(OFFLINE)
    reduced = driver.refresh(tokens["refresh_token"], "email openid").json()
    assert reduced["scope"] == "email openid"
    assert "name" not in claims(reduced["id_token"]) and "email" in claims(reduced["id_token"])
    again = driver.refresh(tokens["refresh_token"]).json()
    assert again["scope"] == OFFLINE


def test_reduced_scope_is_what_the_access_token_can_do(driver) -> None:
    """REF-4: UserInfo answers the reduced token with the reduced scope's claims only."""
    tokens = driver.offline_tokens(OFFLINE)
    reduced = driver.refresh(tokens["refresh_token"], "openid email").json()
    claims_seen = driver.userinfo(reduced["access_token"]).json()
    assert "email" in claims_seen and "name" not in claims_seen


def test_reduced_scope_in_the_api_access_token(driver, tenant) -> None:
    tokens = driver.offline_tokens("openid offline_access read:items write:items", audience=API.identifier)
    body = driver.refresh(tokens["refresh_token"], "read:items").json()
    access = verify(body["access_token"], driver.jwks(), audience=API.identifier, issuer=tenant.issuer)
    assert access["scope"] == body["scope"] == "read:items"
    assert access["aud"] == API.identifier  # no openid: no userinfo audience
    assert "id_token" not in body  # REF-3: an ID token only with openid


@pytest.mark.parametrize("scope", ["openid profile email offline_access phone", "read:items", "openid admin"])
def test_escalated_scope_is_invalid_scope(driver, scope: str) -> None:
    """REF-5: any scope not originally granted → 400 invalid_scope and no token."""
    tokens = driver.offline_tokens(OFFLINE)
    response = driver.refresh(tokens["refresh_token"], scope)
    assert (response.status_code, response.json()["error"]) == (400, "invalid_scope")
    assert "access_token" not in response.json()
    assert driver.refresh(tokens["refresh_token"]).status_code == 200  # the token survives


def test_without_rotation_the_token_keeps_working(driver) -> None:
    """REF-6 (not declared)."""
    refresh_token = driver.offline_tokens(OFFLINE)["refresh_token"]
    for _ in range(3):
        body = driver.refresh(refresh_token).json()
        assert "access_token" in body and body.get("refresh_token", refresh_token) == refresh_token


def test_rotation_and_reuse_detection(make_driver, tenant) -> None:
    """REF-6 (declared): a new token each time; reusing a retired one revokes the family."""
    rotating = make_driver(tenant, ROTATING)
    first = rotating.offline_tokens(OFFLINE)["refresh_token"]
    second = rotating.refresh(first).json()["refresh_token"]
    assert second != first
    third = rotating.refresh(second).json()
    assert third["refresh_token"] not in (first, second)
    reuse = rotating.refresh(first)
    assert (reuse.status_code, reuse.json()["error"]) == (400, "invalid_grant")
    family = rotating.refresh(third["refresh_token"])
    assert (family.status_code, family.json()["error"]) == (400, "invalid_grant")
    assert rotating.userinfo(third["access_token"]).status_code == 401


@pytest.mark.parametrize(("scope", "params"), [
    ("openid profile", {}),
    ("openid offline_access read:items", {"audience": API_NO_OFFLINE.identifier}),
])
def test_no_refresh_token_without_offline_access(driver, scope: str, params: dict) -> None:
    """REF-2 (and an API that does not allow offline access)."""
    assert "refresh_token" not in driver.offline_tokens(scope, **params)


def test_refresh_token_of_another_client(driver) -> None:
    """REF-7."""
    tokens = driver.offline_tokens(OFFLINE)
    response = driver.refresh(tokens["refresh_token"], client=ROTATING)
    assert (response.status_code, response.json()["error"]) == (400, "invalid_grant")
    wrong_secret = driver.token({"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
                                secret="wrong")
    assert wrong_secret.status_code == 401
