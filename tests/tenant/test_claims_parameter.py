"""The ``claims`` request parameter (Core §5.5; SESS-7)."""

from __future__ import annotations

import json

import jwt
import pytest
from tenant_kit import NONCE, USER


def claims(**members: dict) -> str:
    return json.dumps(members)


def test_discovery_advertises_it(driver) -> None:
    assert driver.discovery()["claims_parameter_supported"] is True


@pytest.mark.parametrize("mode", ["fragment", "form_post"])
def test_id_token_member_releases_claims_whatever_the_scope(driver, mode: str) -> None:
    request = claims(id_token={"email": {"essential": True}, "name": None, "picture": {"essential": True}})
    front = driver.authorize(response_type="code id_token", response_mode=mode, scope="openid", nonce=NONCE,
                             claims=request)
    assert (front.id_token["email"], front.id_token["name"]) == (USER.claims["email"], USER.claims["name"])
    assert not {"picture", "given_name", "email_verified"} & set(front.id_token)  # the user has no picture
    body = driver.exchange(front).json()
    back = jwt.decode(body["id_token"], options={"verify_signature": False})
    assert (back["email"], back["name"]) == (USER.claims["email"], USER.claims["name"])
    assert driver.userinfo(body["access_token"]).json() == {"sub": USER.sub}  # not asked for UserInfo


def test_userinfo_member_releases_claims_there_only(driver) -> None:
    front = driver.authorize(response_type="code id_token token", scope="openid", nonce=NONCE,
                             claims=claims(userinfo={"email": {"essential": True}, "address": None}))
    assert "email" not in front.id_token
    info = driver.userinfo(front.params["access_token"]).json()
    assert info == {"sub": USER.sub, "email": USER.claims["email"], "address": USER.claims["address"]}


def test_scope_claims_still_come(driver) -> None:
    front = driver.authorize(response_type="code id_token", scope="openid profile", nonce=NONCE,
                             claims=claims(id_token={"phone_number": None}))
    assert front.id_token["phone_number"] == USER.claims["phone_number"]
    assert front.id_token["nickname"] == USER.claims["nickname"]


@pytest.mark.parametrize("value", [
    "not json", "[]", '"id_token"', claims(id_token=5), claims(userinfo=["email"]),
    claims(id_token={"email": True}),
])
def test_malformed_claims_is_invalid_request(driver, value: str) -> None:
    result = driver.authorize(response_type="code id_token", scope="openid", nonce=NONCE, state="s", claims=value)
    assert (result.kind, result.error, result.params["state"]) == ("fragment", "invalid_request", "s")


def test_unknown_members_are_ignored(driver) -> None:
    result = driver.authorize(response_type="code id_token", scope="openid", nonce=NONCE,
                              claims=json.dumps({"access_token": {"x": None}, "id_token": None}))
    assert "code" in result.params
