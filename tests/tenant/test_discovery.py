"""Discovery document and JWKS of the reference tenant (Discovery §3, §4.3; Core §10.1)."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

import jsonschema
import jwt
import pytest

from hybridcheck.paths import SCHEMA_DIR as SCHEMAS


def load_schema(name: str) -> dict[str, Any]:
    path = SCHEMAS / name
    if not path.exists():
        pytest.skip(f"{path} is not there yet")
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize(("schema", "path"), [
    ("discovery.schema.json", "/.well-known/openid-configuration"),
    ("jwks.schema.json", "/.well-known/jwks.json"),
])
def test_document_is_valid_against_its_schema(driver, schema: str, path: str) -> None:
    response = driver.http.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    jsonschema.validate(response.json(), load_schema(schema), format_checker=jsonschema.FormatChecker())


def test_issuer_and_endpoints(driver, tenant) -> None:
    document = driver.discovery()
    assert tenant.issuer == tenant.url + "/"
    assert document["issuer"] == tenant.issuer
    assert {name: document[name] for name in
            ("authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri")} == {
        "authorization_endpoint": tenant.issuer + "authorize",
        "token_endpoint": tenant.issuer + "oauth/token",
        "userinfo_endpoint": tenant.issuer + "userinfo",
        "jwks_uri": tenant.issuer + ".well-known/jwks.json",
    }


@pytest.mark.parametrize(("member", "expected"), [
    ("response_types_supported", ["code", "code id_token", "code token", "code id_token token"]),
    ("response_modes_supported", ["query", "fragment", "form_post"]),
    ("subject_types_supported", ["public"]),
    ("id_token_signing_alg_values_supported", ["RS256"]),
    ("token_endpoint_auth_methods_supported", ["client_secret_post", "client_secret_basic"]),
    ("code_challenge_methods_supported", ["S256"]),
    ("display_values_supported", ["page", "popup"]),
    ("request_parameter_supported", True),
    ("request_uri_parameter_supported", True),
    ("require_request_uri_registration", False),
    ("request_object_signing_alg_values_supported", ["none"]),
    ("claims_parameter_supported", True),
    ("authorization_response_iss_parameter_supported", False),
])
def test_advertised_capabilities(driver, member: str, expected: Any) -> None:
    assert driver.discovery()[member] == expected


def test_scopes_include_standard_and_api_scopes(driver) -> None:
    scopes = set(driver.discovery()["scopes_supported"])
    assert {"openid", "profile", "email", "address", "phone", "offline_access", "read:items", "write:items"} <= scopes
    assert {"c_hash", "at_hash", "nonce", "auth_time", "email"} <= set(driver.discovery()["claims_supported"])


def test_jwks_has_two_rs256_keys_with_rfc7638_kids(driver) -> None:
    keys = driver.jwks()["keys"]
    assert len(keys) == 2
    for key in keys:
        assert (key["kty"], key["use"], key["alg"]) == ("RSA", "sig", "RS256")
        canonical = json.dumps({"e": key["e"], "kty": "RSA", "n": key["n"]}, separators=(",", ":"))
        thumbprint = base64.urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest()).rstrip(b"=").decode()
        assert key["kid"] == thumbprint
        assert jwt.PyJWK(key).key.key_size == 2048
    assert keys[0]["kid"] != keys[1]["kid"]


def test_tokens_are_signed_with_the_first_key(driver) -> None:
    result = driver.authorize(response_type="code id_token", scope="openid", nonce="n")
    assert result.id_token_header["kid"] == driver.jwks()["keys"][0]["kid"]
