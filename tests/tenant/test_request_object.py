"""Unsigned request objects by value (``request``) and by reference (``request_uri``):
Core §6; SESS-8."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from tenant_kit import CALLBACK, CALLBACK_WITH_QUERY, CLIENT, NONCE, USER, ObjectServer, element_text, unsigned

from hybridcheck.tenant.request_object import decode_unsigned


@pytest.fixture(scope="module")
def objects() -> Iterator[ObjectServer]:
    server = ObjectServer()
    yield server
    server.close()


def outer(**params: str | None) -> dict[str, str | None]:
    """The query parameters beside the object: client_id (the driver adds it) and response_type."""
    return {"response_type": "code id_token", "redirect_uri": None, **params}


INNER = {"client_id": CLIENT.client_id, "response_type": "code id_token", "redirect_uri": CALLBACK_WITH_QUERY,
         "scope": "openid", "nonce": "inner-nonce", "state": "inner-state", "response_mode": "form_post",
         "claims": {"id_token": {"email": {"essential": True}}}, "max_age": 3600}


def test_discovery_advertises_unsigned_objects(driver) -> None:
    document = driver.discovery()
    assert document["request_parameter_supported"] is True
    assert document["request_uri_parameter_supported"] is True
    assert document["require_request_uri_registration"] is False
    assert document["request_object_signing_alg_values_supported"] == ["none"]


def by_value(objects: ObjectServer, claims: dict) -> dict[str, str]:
    return {"request": unsigned(claims)}


def by_reference(objects: ObjectServer, claims: dict) -> dict[str, str]:
    return {"request_uri": objects.serve(f"/req/{time.monotonic_ns()}", unsigned(claims)) + "#sha256-ignored"}


@pytest.mark.parametrize("how", [by_value, by_reference], ids=["request", "request_uri"])
def test_the_object_is_used_including_its_redirect_uri(driver, objects, how) -> None:
    """Inner parameters only: redirect_uri, response_mode, state, nonce, claims (an object), max_age (a number)."""
    result = driver.authorize(**outer(scope="openid"), **how(objects, INNER))
    assert (result.kind, result.location) == ("form_post", CALLBACK_WITH_QUERY)
    assert result.params["state"] == "inner-state"
    assert (result.id_token["nonce"], result.id_token["email"]) == ("inner-nonce", USER.claims["email"])
    assert driver.exchange(result, redirect_uri=CALLBACK_WITH_QUERY).status_code == 200


@pytest.mark.parametrize("how", [by_value, by_reference], ids=["request", "request_uri"])
def test_inner_parameters_take_precedence(driver, objects, how) -> None:
    inner = {"state": "inner", "nonce": "inner-nonce", "scope": "openid email"}
    result = driver.authorize(**outer(redirect_uri=CALLBACK, state="outer", nonce="outer-nonce", scope="openid"),
                              **how(objects, inner))
    assert result.kind == "fragment" and result.params["state"] == "inner"
    assert result.id_token["nonce"] == "inner-nonce" and "email" in result.id_token


def test_an_unregistered_redirect_uri_inside_gets_the_error_page(driver) -> None:
    result = driver.authorize(**outer(nonce=NONCE, scope="openid"),
                              request=unsigned({"redirect_uri": "https://evil.example/cb"}))
    assert result.kind == "page" and result.response.status_code == 400
    assert "Callback URL mismatch" in element_text(result.response.text, "error-description")


def test_a_request_uri_on_the_tenant_itself_does_not_block_it(driver, tenant) -> None:
    result = driver.authorize(**outer(redirect_uri=CALLBACK, nonce=NONCE, scope="openid", state="s"),
                              request_uri=tenant.issuer + ".well-known/jwks.json")
    assert result.error == "invalid_request_object"  # fetched (JSON, not a JWT), not deadlocked


def signed() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return jwt.encode({"state": "x"}, key, algorithm="RS256")


ERRORS = [
    ({"request": "not-a-jwt"}, "invalid_request_object"),
    ({"request": unsigned({"state": "x"}) + "c2ln"}, "invalid_request_object"),  # alg none with a signature
    ({"request": "<signed>"}, "invalid_request_object"),
    ({"request": unsigned({"exp": int(time.time()) - 60})}, "invalid_request_object"),
    ({"request": unsigned({"client_id": "client-rot"})}, "invalid_request_object"),
    ({"request": unsigned({"response_type": "code token"})}, "invalid_request_object"),
    ({"request": unsigned({"request_uri": "http://127.0.0.1:9/x"})}, "invalid_request_object"),
    ({"request": "e30.e30.", "request_uri": "http://127.0.0.1:9/x"}, "invalid_request"),
    ({"request_uri": "https://rp.example/req"}, "invalid_request_uri"),
    ({"request_uri": "file:///etc/passwd"}, "invalid_request_uri"),
    ({"request_uri": "http://127.0.0.1:9/closed-port"}, "invalid_request_uri"),
    ({"request_uri": "<404>"}, "invalid_request_uri"),
    ({"request_uri": "<not a jwt>"}, "invalid_request_object"),
]


@pytest.mark.parametrize(("params", "error"), ERRORS, ids=[f"{e}-{i}" for i, (_, e) in enumerate(ERRORS)])
def test_unusable_objects_are_errors_to_the_client(driver, objects, params: dict, error: str) -> None:
    params = dict(params)
    if params.get("request") == "<signed>":
        params["request"] = signed()
    if params.get("request_uri") == "<404>":
        params["request_uri"] = objects.url("/missing")
    if params.get("request_uri") == "<not a jwt>":
        params["request_uri"] = objects.serve("/garbage", json.dumps({"state": "x"}))
    result = driver.authorize(**outer(redirect_uri=CALLBACK, nonce=NONCE, scope="openid", state="outer"), **params)
    assert (result.kind, result.error, result.params["state"]) == ("fragment", error, "outer")


def test_client_id_and_response_type_must_also_be_outside(driver) -> None:
    request = unsigned({"response_type": "code id_token", "nonce": NONCE, "scope": "openid"})
    result = driver.authorize(redirect_uri=CALLBACK, state="s", request=request)
    assert (result.kind, result.error) == ("query", "invalid_request")


@pytest.mark.parametrize("token", ["a.b", "e30.e30.e30", "eyJhbGciOiJIUzI1NiJ9.e30."])
def test_decode_unsigned_refuses(token: str) -> None:
    assert decode_unsigned(token).error == "invalid_request_object"
