"""hybridcheck.jose: left-half hashes against independent digests, JWS verification and refusals."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from typing import Any

import pytest

from hybridcheck.jose import JwsRejected, left_half_hash, verify_jws

from .kit import ALG_HASHES, Signer, forge, hmac_with_public_key, id_token_claims, tampered


def independent_left_half(value: str, hash_name: str) -> str:
    digest = hashlib.new(hash_name, value.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest[: len(digest) // 2]).decode("ascii").rstrip("=")


@pytest.mark.parametrize(
    ("value", "alg", "expected"),
    [
        # OIDC Core Appendix A.4 / A.6 examples.
        ("jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y", "RS256", "77QmUPtjPfzWtF2AnpK9RQ"),
        ("Qcb0Orv1zh30vL1MPRsbm-diHiMwcLyZvn1arpZv-Jxf_11jnpEX3Tgfvk", "RS256", "LDktKdoQak3Pk0cnXxCltA"),
    ],
)
def test_left_half_hash_matches_core_examples(value: str, alg: str, expected: str) -> None:
    assert left_half_hash(value, alg) == expected


@pytest.mark.parametrize(("alg", "hash_name"), ALG_HASHES)
def test_left_half_hash_uses_the_hash_of_the_alg(alg: str, hash_name: str) -> None:
    code = "SplxlOBeZQQYbYS6WxSbIA"
    assert left_half_hash(code, alg) == independent_left_half(code, hash_name)


@pytest.mark.parametrize("alg", ["none", "", "XS256", "RSA-OAEP"])
def test_left_half_hash_refuses_algs_without_a_hash(alg: str) -> None:
    with pytest.raises(ValueError):
        left_half_hash("code", alg)


def test_left_half_hash_refuses_non_ascii() -> None:
    with pytest.raises(ValueError):
        left_half_hash("cödé", "RS256")


@pytest.mark.parametrize(
    ("kid", "alg"), [("rsa-1", "RS256"), ("rsa-384", "RS384"), ("ec-1", "ES256"), ("ed-1", "EdDSA")]
)
def test_verify_jws_returns_the_claims(signer: Signer, kid: str, alg: str) -> None:
    raw = signer.token(id_token_claims(), kid=kid)
    assert verify_jws(raw, signer.jwks, allowed_algs=[alg]) == id_token_claims()


def test_verify_jws_without_kid_uses_the_only_signing_key(signer: Signer) -> None:
    jwks = {"keys": [signer.jwks["keys"][0], {"kty": "RSA", "use": "enc", "n": "AQAB", "e": "AQAB"}]}
    raw = forge({"alg": "RS256"}, signer, resign_with="rsa-1")
    assert verify_jws(raw, jwks, ["RS256"])["sub"] == id_token_claims()["sub"]


REFUSED: list[Any] = [
    pytest.param(lambda s: forge({"alg": "none", "kid": "rsa-1"}, s), "unsigned", id="alg none"),
    pytest.param(lambda s: forge({"alg": "None", "kid": "rsa-1"}, s), "unsigned", id="alg None"),
    pytest.param(
        lambda s: forge({"alg": "HS256", "kid": "rsa-1"}, s, signature=hmac_with_public_key(s)),
        "HMAC",
        id="HS256 keyed with the public key",
    ),
    pytest.param(
        lambda s: forge({"alg": "RS256", "kid": "unknown"}, s, resign_with="rsa-1"), "no signing key", id="kid unknown"
    ),
    pytest.param(lambda s: forge({"alg": "RS256"}, s, resign_with="rsa-1"), "no kid", id="no kid, several keys"),
    pytest.param(
        lambda s: forge({"alg": "RS384", "kid": "rsa-1"}, s, resign_with="rsa-384"),
        "declared for alg",
        id="alg differs from the key's alg",
    ),
    pytest.param(
        lambda s: forge({"alg": "ES256", "kid": "rsa-384"}, s, resign_with="ec-1"),
        "cannot verify",
        id="EC alg with an RSA key",
    ),
    pytest.param(lambda s: s.token(id_token_claims(), kid="ed-1"), "not among the allowed", id="alg not allowed"),
    pytest.param(tampered, "does not verify", id="payload changed"),
    pytest.param(lambda s: "not-a-jwt", "not a JWS", id="not a JWS"),
]


@pytest.mark.parametrize(("make", "reason"), REFUSED)
def test_verify_jws_refuses(signer: Signer, make: Callable[[Signer], str], reason: str) -> None:
    with pytest.raises(JwsRejected, match=reason):
        verify_jws(make(signer), signer.jwks, allowed_algs=["RS256", "RS384", "ES256", "HS256", "none"])
