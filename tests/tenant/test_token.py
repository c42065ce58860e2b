"""The token endpoint of the correct tenant: code exchange, client auth, replay, PKCE."""

from __future__ import annotations

import jwt
import pytest
import time

from tenant_kit import API, CALLBACK, CALLBACK_WITH_QUERY, CLIENT, NONCE, ODD, ROTATING, pkce_pair, verify

from hybridcheck.tenant import store, token_endpoint


def claims(raw: str) -> dict:
    return jwt.decode(raw, options={"verify_signature": False})


@pytest.mark.parametrize("auth", ["post", "basic"])
def test_code_exchange(driver, tenant, auth: str) -> None:
    """TOK-1, IDT-5, NONCE-3: JSON, Bearer, no-store; same iss/sub; nonce kept; no hashes."""
    front = driver.authorize(response_type="code id_token", scope="openid profile", nonce=NONCE)
    response = driver.exchange(front, auth=auth)
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store" and response.headers["pragma"] == "no-cache"
    body = response.json()
    assert (body["token_type"], body["expires_in"], body["scope"]) == ("Bearer", 86400, "openid profile")
    assert "refresh_token" not in body  # REF-2: no offline_access
    id_token = verify(body["id_token"], driver.jwks(), audience=CLIENT.client_id, issuer=tenant.issuer)
    assert (id_token["iss"], id_token["sub"], id_token["auth_time"]) == (
        front.id_token["iss"], front.id_token["sub"], front.id_token["auth_time"])
    assert id_token["nonce"] == NONCE
    assert not {"c_hash", "at_hash"} & set(id_token)


def test_basic_credentials_are_form_encoded(make_driver, tenant) -> None:
    """RFC 6749 §2.3.1: id and secret with ':', '&', '+', '%' and spaces."""
    odd = make_driver(tenant, ODD)
    front = odd.authorize(response_type="code", scope="openid")
    assert odd.exchange(front, auth="basic").status_code == 200


@pytest.mark.parametrize(("auth", "secret", "challenge"), [
    ("post", "wrong", False), ("basic", "wrong", True), ("post", "", False), ("none", None, False),
])
def test_client_authentication_failure(driver, auth: str, secret: str | None, challenge: bool) -> None:
    """TOK-4: 401 invalid_client; WWW-Authenticate when Basic was used."""
    front = driver.authorize(response_type="code", scope="openid")
    response = driver.token({"grant_type": "authorization_code", "code": front.params["code"],
                             "redirect_uri": CALLBACK}, auth=auth, secret=secret)
    assert response.status_code == 401 and response.json()["error"] == "invalid_client"
    assert response.headers["cache-control"] == "no-store"
    assert ("www-authenticate" in response.headers) == challenge
    assert driver.exchange(front).status_code == 200  # a failed attempt does not burn the code


def test_unknown_client_is_invalid_client(driver) -> None:
    response = driver.http.post("/oauth/token", data={"grant_type": "authorization_code", "code": "x",
                                                      "client_id": "nobody", "client_secret": "x"})
    assert (response.status_code, response.json()["error"]) == (401, "invalid_client")


def test_code_of_another_client_is_refused(driver) -> None:
    front = driver.authorize(response_type="code", scope="openid")
    response = driver.token({"grant_type": "authorization_code", "code": front.params["code"],
                             "redirect_uri": CALLBACK}, client=ROTATING)
    assert (response.status_code, response.json()["error"]) == (400, "invalid_grant")


def test_code_reuse_is_refused_and_revokes_the_first_tokens(driver) -> None:
    """TOK-3: second exchange invalid_grant; the first exchange's tokens stop working."""
    front = driver.authorize(response_type="code id_token token", scope="openid offline_access", nonce=NONCE)
    first = driver.exchange(front).json()
    assert driver.userinfo(first["access_token"]).status_code == 200
    second = driver.exchange(front)
    assert (second.status_code, second.json()["error"]) == (400, "invalid_grant")
    for token in (first["access_token"], front.params["access_token"]):
        revoked = driver.userinfo(token)
        assert revoked.status_code == 401
        assert 'error="invalid_token"' in revoked.headers["www-authenticate"]
    assert driver.refresh(first["refresh_token"]).json()["error"] == "invalid_grant"


def assert_replay_refused_and_revoked(driver, front, first: dict) -> None:
    second = driver.exchange(front)
    assert (second.status_code, second.json()["error"]) == (400, "invalid_grant")
    assert "already used" in second.json()["error_description"]
    assert driver.userinfo(first["access_token"]).status_code == 401


def test_late_code_replay_is_refused_and_revokes(driver, monkeypatch) -> None:
    """SESS-9 without the 30 s wait: "late" shortened to 50 ms."""
    monkeypatch.setattr(token_endpoint, "LATE_REPLAY_S", 0.05)
    front = driver.authorize(response_type="code id_token", scope="openid", nonce=NONCE)
    first = driver.exchange(front).json()
    time.sleep(0.1)
    assert_replay_refused_and_revoked(driver, front, first)


def test_replay_after_the_code_expired_still_revokes(driver, monkeypatch) -> None:
    """Used codes are remembered beyond their lifetime (here shortened to 0.4 s)."""
    monkeypatch.setattr(store, "CODE_LIFETIME_S", 0.4)
    front = driver.authorize(response_type="code", scope="openid")
    first = driver.exchange(front).json()
    unused = driver.authorize(response_type="code", scope="openid")
    time.sleep(0.45)
    assert_replay_refused_and_revoked(driver, front, first)
    assert driver.exchange(unused).json()["error_description"] == "Invalid authorization code."  # expired


def test_late_replay_defect_keeps_early_replays_refused(tenants, make_driver) -> None:
    """code_replay_allowed_after_30s must not show in TOK-3's immediate replay."""
    driver = make_driver(tenants.get(frozenset({"code_replay_allowed_after_30s"})))
    front = driver.authorize(response_type="code", scope="openid")
    assert_replay_refused_and_revoked(driver, front, driver.exchange(front).json())


@pytest.mark.parametrize("redirect_uri", [None, CALLBACK + "/", CALLBACK_WITH_QUERY, "https://evil.example/cb"])
def test_redirect_uri_must_match_the_authorization_request(driver, redirect_uri: str | None) -> None:
    """TOK-2."""
    front = driver.authorize(response_type="code", scope="openid")
    response = driver.exchange(front, redirect_uri=redirect_uri)
    assert (response.status_code, response.json()["error"]) == (400, "invalid_grant")


def test_redirect_uri_with_a_registered_query(driver) -> None:
    front = driver.authorize(response_type="code", scope="openid", redirect_uri=CALLBACK_WITH_QUERY)
    assert driver.exchange(front, redirect_uri=CALLBACK).status_code == 400
    assert driver.exchange(front, redirect_uri=CALLBACK_WITH_QUERY).status_code == 200


VERIFIER, CHALLENGE = pkce_pair()


@pytest.mark.parametrize(("challenge", "verifier", "status"), [
    (CHALLENGE, VERIFIER, 200),
    (CHALLENGE, VERIFIER[:-1] + "X", 400),
    (CHALLENGE, None, 400),
    (None, VERIFIER, 400),
])
def test_pkce(driver, challenge: str | None, verifier: str | None, status: int) -> None:
    """TOK-7: RFC 7636 S256."""
    params = {"code_challenge": challenge, "code_challenge_method": "S256"} if challenge else {}
    front = driver.authorize(response_type="code id_token", scope="openid", nonce=NONCE, **params)
    extra = {"code_verifier": verifier} if verifier else {}
    response = driver.exchange(front, **extra)
    assert response.status_code == status, response.text
    if status == 400:
        assert response.json()["error"] == "invalid_grant"


@pytest.mark.parametrize(("data", "error"), [
    ({"grant_type": "password"}, "unsupported_grant_type"),
    ({}, "invalid_request"),
    ({"grant_type": "authorization_code"}, "invalid_request"),
    ({"grant_type": "authorization_code", "code": "unknown"}, "invalid_grant"),
    ({"grant_type": "refresh_token"}, "invalid_request"),
    ({"grant_type": "refresh_token", "refresh_token": "unknown"}, "invalid_grant"),
])
def test_token_request_errors(driver, data: dict, error: str) -> None:
    response = driver.token(data)
    assert (response.status_code, response.json()["error"]) == (400, error)
    assert response.json()["error_description"]


@pytest.mark.parametrize("redirect_uri", [CALLBACK.upper(), CALLBACK + "?x=1", CALLBACK.replace("/cb", "/%63b")])
def test_redirect_uri_is_compared_as_a_string(driver, redirect_uri: str) -> None:
    """TOK-2, OAuth §4.1.3 "identical": no case folding, no query dropped, no percent-decoding."""
    response = driver.exchange(driver.authorize(response_type="code", scope="openid"), redirect_uri=redirect_uri)
    assert (response.status_code, response.json()["error"]) == (400, "invalid_grant")


def test_every_error_is_json_and_no_store(driver) -> None:
    """TOK-1, OAuth §5.2: application/json; never cached."""
    response = driver.token({"grant_type": "authorization_code", "code": "unknown"})
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["cache-control"] == "no-store"


def test_refresh_response_is_not_cacheable_and_expires_in_is_a_number(driver) -> None:
    """TOK-1, OAuth §5.1 for the refresh grant too (§6)."""
    response = driver.refresh(driver.offline_tokens()["refresh_token"])
    assert response.headers["cache-control"] == "no-store" and response.headers["pragma"] == "no-cache"
    assert isinstance(response.json()["expires_in"], int)


@pytest.mark.parametrize("auth", ["post", "basic"])
def test_wrong_secret_is_refused_at_the_refresh_too(driver, auth: str) -> None:
    """TOK-4: client authentication at every grant."""
    refresh_token = driver.offline_tokens()["refresh_token"]
    response = driver.token({"grant_type": "refresh_token", "refresh_token": refresh_token}, auth=auth,
                            secret="not-the-secret")
    assert (response.status_code, response.json()["error"]) == (401, "invalid_client")
    assert ("www-authenticate" in response.headers) == (auth == "basic")


def test_access_token_for_an_api_is_a_jwt(driver, tenant) -> None:
    """TOK-5: aud has the API, verifiable with the JWKS, scope holds the granted API scopes."""
    front = driver.authorize(response_type="code", scope="openid read:items write:items unknown:scope",
                             audience=API.identifier)
    body = driver.exchange(front).json()
    access = verify(body["access_token"], driver.jwks(), audience=API.identifier, issuer=tenant.issuer)
    assert access["scope"] == body["scope"] == "openid read:items write:items"
    assert access["azp"] == CLIENT.client_id


def test_without_audience_the_access_token_is_opaque(driver) -> None:
    body = driver.exchange(driver.authorize(response_type="code", scope="openid")).json()
    assert body["access_token"].count(".") != 2
    with pytest.raises(jwt.DecodeError):
        claims(body["access_token"])
