"""The JSON Schemas in schemas/: each is a valid draft 2020-12 schema and judges instances as the specs do."""

from __future__ import annotations

import json
from typing import Any

import pytest

from hybridcheck.checks.schemas import SCHEMA_DIR, schema_errors, validator

SCHEMAS = ["discovery", "jwks", "token-response", "error-response", "id-token-claims"]


@pytest.mark.parametrize("name", SCHEMAS)
def test_schema_is_valid_and_cites_its_spec(name: str) -> None:
    schema = json.loads((SCHEMA_DIR / f"{name}.schema.json").read_text(encoding="utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"].endswith(f"/{name}.schema.json")
    assert "§" in schema["description"]
    validator(name)  # check_schema raises on an invalid schema


TOKEN = {"access_token": "at", "token_type": "Bearer", "expires_in": 86400, "id_token": "a.b.c", "scope": "openid"}

INSTANCES: list[Any] = [
    ("token-response", TOKEN, True),
    ("token-response", {**TOKEN, "refresh_token": "rt"}, True),
    ("token-response", {"access_token": "at", "token_type": "bearer"}, True),
    ("token-response", {"token_type": "Bearer"}, False),
    ("token-response", {"access_token": "at"}, False),
    ("token-response", {**TOKEN, "expires_in": "86400"}, False),
    ("token-response", {**TOKEN, "expires_in": -1}, False),
    ("token-response", {**TOKEN, "expires_in": 1.5}, False),
    ("token-response", {**TOKEN, "id_token": 7}, False),
    ("error-response", {"error": "invalid_grant"}, True),
    ("error-response", {"error": "custom_error", "error_description": "Wrong code!", "error_uri": "https://x/e"}, True),
    ("error-response", {"error_description": "no error code"}, False),
    ("error-response", {"error": ""}, False),
    ("error-response", {"error": "invalid_grant", "error_description": 'a "quoted" word'}, False),
    ("error-response", {"error": "invalid_grant", "error_description": "naïve"}, False),
    ("error-response", {"error": "invalid_grant", "error_uri": 5}, False),
    ("id-token-claims", {"iss": "https://i/", "sub": "s", "aud": ["a", "b"], "exp": 2, "iat": 1}, True),
    ("id-token-claims", {"iss": "https://i/", "sub": "s", "aud": "a", "exp": 2, "iat": 1, "c_hash": 5}, False),
    ("id-token-claims", {"iss": "https://i/", "sub": "s" * 256, "aud": "a", "exp": 2, "iat": 1}, False),
    ("id-token-claims", {"iss": "https://i/", "sub": "s", "aud": ["a", 1], "exp": 2, "iat": 1}, False),
    ("id-token-claims", {"iss": "https://i/", "sub": "s", "aud": "a", "exp": True, "iat": 1}, False),
    ("jwks", {"keys": []}, True),
    ("jwks", {"keys": [{"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}, True),
    ("jwks", {"keys": [{"kty": "EC", "crv": "P-256", "x": "x", "y": "y", "d": "d"}]}, False),
    ("jwks", {"keys": [{"kty": "RSA", "n": "n", "e": "AQAB", "p": "p", "q": "q"}]}, False),
    ("jwks", {"keys": "none"}, False),
    ("discovery", {"issuer": "https://i/"}, False),
]


@pytest.mark.parametrize(("name", "instance", "valid"), INSTANCES)
def test_schema_judges_instances(name: str, instance: dict[str, Any], valid: bool) -> None:
    assert (schema_errors(name, instance) == []) is valid, schema_errors(name, instance)
