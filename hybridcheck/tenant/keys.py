"""Signing keys and the JWKS (Core §10.1; RFC 7517; RFC 7638 for the ``kid``).

Like an Auth0 tenant, the reference tenant publishes two RS256 keys and signs with the
first. Keys are generated at start and live only in memory.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from jwt.utils import base64url_encode

ALGORITHM = "RS256"


def generate_rsa_key() -> rsa.RSAPrivateKey:
    """A fresh RSA-2048 private key."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def jwk_thumbprint(public_jwk: dict[str, Any]) -> str:
    """RFC 7638 §3: base64url(SHA-256(JSON of the required members, sorted, no spaces))."""
    required = {name: public_jwk[name] for name in ("e", "kty", "n")}
    canonical = json.dumps(required, separators=(",", ":"), sort_keys=True)
    return base64url_encode(hashlib.sha256(canonical.encode("utf-8")).digest()).decode("ascii")


@dataclass(frozen=True)
class SigningKey:
    """An RSA private key and its ``kid`` (the RFC 7638 thumbprint of its public JWK)."""

    kid: str
    private_key: rsa.RSAPrivateKey

    @classmethod
    def from_private_key(cls, private_key: rsa.RSAPrivateKey) -> "SigningKey":
        public = RSAAlgorithm.to_jwk(private_key.public_key(), as_dict=True)
        return cls(kid=jwk_thumbprint(public), private_key=private_key)

    def public_jwk(self) -> dict[str, Any]:
        """The public JWK as published: kty, n, e plus kid, use and alg."""
        jwk = RSAAlgorithm.to_jwk(self.private_key.public_key(), as_dict=True)
        return {"kid": self.kid, "use": "sig", "alg": ALGORITHM, **jwk}


class KeySet:
    """The tenant's published signing keys; the first one signs."""

    def __init__(self, keys: list[SigningKey]) -> None:
        if not keys:
            raise ValueError("a key set needs at least one key")
        self.keys = keys
        self._foreign: SigningKey | None = None

    @classmethod
    def generate(cls, count: int = 2) -> "KeySet":
        """``count`` fresh RSA-2048 keys (Auth0 tenants publish two)."""
        return cls([SigningKey.from_private_key(generate_rsa_key()) for _ in range(count)])

    @property
    def signing_key(self) -> SigningKey:
        return self.keys[0]

    def jwks(self) -> dict[str, Any]:
        """The JWK Set document served at ``/.well-known/jwks.json``."""
        return {"keys": [key.public_jwk() for key in self.keys]}

    def sign(self, claims: dict[str, Any], *, kid: str | None = None) -> str:
        """A compact JWS (RS256, ``typ: JWT``) by the signing key; ``kid`` overrides the header."""
        key = self.signing_key
        headers = {"kid": kid or key.kid, "typ": "JWT"}
        return jwt.encode(claims, key.private_key, algorithm=ALGORITHM, headers=headers)

    def sign_with_foreign_key(self, claims: dict[str, Any]) -> str:
        """Signed by a key that is NOT in the JWKS while claiming the signing key's ``kid``.

        Only the ``id_token_wrong_key`` defect uses this; the foreign key is made on first use.
        """
        if self._foreign is None:
            self._foreign = SigningKey.from_private_key(generate_rsa_key())
        headers = {"kid": self.signing_key.kid, "typ": "JWT"}
        return jwt.encode(claims, self._foreign.private_key, algorithm=ALGORITHM, headers=headers)


def sign_with_secret(claims: dict[str, Any], secret: str) -> str:
    """HS256 with a client secret as the key: what Auth0 does with the HS256 signature option."""
    return jwt.encode(claims, secret, algorithm="HS256", headers={"typ": "JWT"})


def sign_unsecured(claims: dict[str, Any]) -> str:
    """An unsecured JWT, ``alg: none`` (RFC 7519 §6): only for the ``alg_none_id_token`` defect."""
    return jwt.encode(claims, None, algorithm="none", headers={"typ": "JWT"})
