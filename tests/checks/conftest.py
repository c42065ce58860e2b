"""Keys made fresh for the run: an RSA, an EC P-256 and an Ed25519 key, and their public JWKS."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from jwt.algorithms import ECAlgorithm, OKPAlgorithm, RSAAlgorithm

from .kit import Signer


@pytest.fixture(scope="session")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="session")
def signer(rsa_key: rsa.RSAPrivateKey) -> Signer:
    """Signs with kid ``rsa-1`` (RS256), ``rsa-384`` (RS384, same key), ``ec-1`` (ES256), ``ed-1`` (EdDSA)."""
    ec_key = ec.generate_private_key(ec.SECP256R1())
    ed_key = ed25519.Ed25519PrivateKey.generate()
    public: list[dict[str, Any]] = [
        {**RSAAlgorithm.to_jwk(rsa_key.public_key(), as_dict=True), "kid": "rsa-1", "use": "sig", "alg": "RS256"},
        {**RSAAlgorithm.to_jwk(rsa_key.public_key(), as_dict=True), "kid": "rsa-384", "use": "sig"},
        {**ECAlgorithm.to_jwk(ec_key.public_key(), as_dict=True), "kid": "ec-1", "use": "sig"},
        {**OKPAlgorithm.to_jwk(ed_key.public_key(), as_dict=True), "kid": "ed-1"},
    ]
    keys = {
        "rsa-1": ("RS256", rsa_key),
        "rsa-384": ("RS384", rsa_key),
        "ec-1": ("ES256", ec_key),
        "ed-1": ("EdDSA", ed_key),
    }
    return Signer(keys=keys, jwks={"keys": public})
