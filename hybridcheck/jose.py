"""JOSE on PyJWT: the left-half hashes of OIDC Core and JWS verification against a JWKS.

Nothing cryptographic is written here. Digests come from PyJWT's algorithm objects
(``compute_hash_digest``), base64url from ``jwt.utils``, signatures from ``jwt.PyJWS``
with a ``jwt.PyJWK``. The one digest PyJWT cannot name is EdDSA's: Core §3.3.2.11 (as
amended by errata set 2) hashes with SHA-512 for Ed25519, taken from ``hashlib``.

Two entry points:

- :func:`left_half_hash` computes ``c_hash`` / ``at_hash`` (Core §3.3.2.11, §3.2.2.9).
- :func:`verify_jws` verifies a signature with the JWKS key its ``kid`` names and returns
  the payload. It judges the signature only, never the claims (``exp``, ``aud`` ...):
  the checks judge claims separately so that each requirement fails on its own.
  It refuses ``alg: none`` and every HMAC alg outright: a JWKS publishes public keys,
  and an HMAC "verified" with public key bytes is the classic key-confusion forgery.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

import jwt
from jwt.algorithms import ECAlgorithm, OKPAlgorithm, RSAAlgorithm, RSAPSSAlgorithm
from jwt.utils import base64url_encode

#: Header algs whose c_hash/at_hash digest is SHA-512 although PyJWT names no hash for
#: them: EdDSA (taken as Ed25519, the curve OIDC deployments use; Ed448 would need
#: SHAKE256) and the fully specified Ed25519 of RFC 9864.
_SHA512_ALGS = frozenset({"EdDSA", "Ed25519"})
_ASYMMETRIC = (RSAAlgorithm, RSAPSSAlgorithm, ECAlgorithm, OKPAlgorithm)
_DIGEST_NAMES = {32: "SHA-256", 48: "SHA-384", 64: "SHA-512"}


class JwsRejected(ValueError):
    """A JWS :func:`verify_jws` refuses; the message says why (alg, kid, key or signature)."""


def hash_digest(value: str, alg: str) -> bytes:
    """H(ASCII ``value``) with the hash of the JWS ``alg`` (SHA-256 for RS256, ES256, PS256 ...).

    Raises ``ValueError`` for ``none``, an unknown alg, or a value that is not ASCII.
    """
    try:
        octets = value.encode("ascii")
    except UnicodeEncodeError as error:
        raise ValueError(f"value is not ASCII (Core §3.3.2.11 hashes its ASCII octets): {error}") from None
    if alg in _SHA512_ALGS:
        return hashlib.sha512(octets).digest()
    try:
        return jwt.get_algorithm_by_name(alg).compute_hash_digest(octets)
    except NotImplementedError:
        raise ValueError(f"no hash function is defined for alg {alg!r}") from None


def digest_name(alg: str) -> str:
    """The name of the hash :func:`hash_digest` uses for ``alg`` (``"SHA-256"``), for messages."""
    size = len(hash_digest("", alg))
    return _DIGEST_NAMES.get(size, f"{size * 8}-bit hash")


def left_half_hash(value: str, alg: str) -> str:
    """base64url (unpadded) of the left half of H(ASCII ``value``): ``c_hash``, ``at_hash``.

    OIDC Core §3.3.2.11 (``c_hash``) and §3.2.2.9 (``at_hash``); H is chosen by the ID
    token's header ``alg``. Raises ``ValueError`` when ``alg`` names no hash.
    """
    digest = hash_digest(value, alg)
    return base64url_encode(digest[: len(digest) // 2]).decode("ascii")


def signing_keys(jwks: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The keys of ``jwks`` usable for signatures: ``use`` absent or ``"sig"`` (RFC 7517 §4.2)."""
    keys = jwks.get("keys")
    if not isinstance(keys, list):
        return []
    return [key for key in keys if isinstance(key, dict) and key.get("use", "sig") == "sig"]


def key_for_kid(jwks: Mapping[str, Any], kid: str) -> dict[str, Any] | None:
    """The signing key of ``jwks`` whose ``kid`` is ``kid``, or ``None``."""
    return next((key for key in signing_keys(jwks) if key.get("kid") == kid), None)


def kids(jwks: Mapping[str, Any]) -> list[Any]:
    """The ``kid`` of every signing key, in order (``None`` for a key without one)."""
    return [key.get("kid") for key in signing_keys(jwks)]


def refused_alg(alg: object, allowed_algs: Sequence[str]) -> str | None:
    """Why a JWS with header ``alg`` is not verified against a JWKS, or ``None`` if it may be.

    ``none`` and HMAC algs are refused whatever ``allowed_algs`` says (Core §3.1.3.7,
    key confusion); so is an alg outside ``allowed_algs`` or unknown to PyJWT.
    """
    if not isinstance(alg, str) or not alg:
        return f"the header names no alg ({alg!r})"
    if alg.lower() == "none":
        return f"alg {alg!r} is an unsigned token: never accepted"
    try:
        algorithm = jwt.get_algorithm_by_name(alg)
    except NotImplementedError:
        return f"alg {alg!r} is not a JWS algorithm PyJWT can verify"
    if not isinstance(algorithm, _ASYMMETRIC):
        return f"alg {alg!r} is symmetric (HMAC): never accepted against a JWKS of public keys (key confusion)"
    if alg not in allowed_algs:
        return f"alg {alg!r} is not among the allowed algs {list(allowed_algs)}"
    return None


def verification_key(jwks: Mapping[str, Any], header: Mapping[str, Any]) -> jwt.PyJWK:
    """The JWKS key that must verify a JWS with this header, bound to the header's alg.

    The key is the signing key named by ``kid``; without a ``kid`` only a JWKS with a
    single signing key names one (Core §10.1). A key whose own ``alg`` differs from the
    header's, or whose type cannot do that alg, is refused (RFC 7517 §4.4).
    """
    alg = header.get("alg")
    kid = header.get("kid")
    if kid is None:
        candidates = signing_keys(jwks)
        if len(candidates) != 1:
            raise JwsRejected(
                f"the header has no kid and the JWKS has {len(candidates)} signing keys "
                "(Core §10.1: kid is required when there are several)"
            )
        jwk = candidates[0]
    else:
        found = key_for_kid(jwks, kid)
        if found is None:
            raise JwsRejected(f"no signing key with kid {kid!r} in the JWKS (kids: {kids(jwks)})")
        jwk = found
    if "alg" in jwk and jwk["alg"] != alg:
        raise JwsRejected(f"key {kid!r} is declared for alg {jwk['alg']!r}, the token says {alg!r}")
    try:
        return jwt.PyJWK(jwk, algorithm=alg)
    except jwt.PyJWTError as error:
        raise JwsRejected(f"key {kid!r} (kty {jwk.get('kty')!r}) cannot verify alg {alg!r}: {error}") from None


def verify_jws(raw: str, jwks: Mapping[str, Any], allowed_algs: Sequence[str]) -> dict[str, Any]:
    """Verify the signature of the JWS compact token ``raw``; return its payload as claims.

    The key is the one :func:`verification_key` picks; the alg must pass
    :func:`refused_alg`. Claims are returned unjudged (no ``exp``/``aud``/``iss``
    validation). Raises :class:`JwsRejected` with the reason on any refusal.
    """
    try:
        header = jwt.get_unverified_header(raw)
    except jwt.PyJWTError as error:
        raise JwsRejected(f"not a JWS compact token: {error}") from None
    alg = header.get("alg")
    reason = refused_alg(alg, allowed_algs)
    if reason:
        raise JwsRejected(reason)
    key = verification_key(jwks, header)
    try:
        payload = jwt.PyJWS().decode(raw, key=key, algorithms=[str(alg)])
    except jwt.InvalidSignatureError:
        raise JwsRejected(f"signature does not verify with key {header.get('kid')!r} ({alg})") from None
    except jwt.PyJWTError as error:
        raise JwsRejected(f"JWS refused by PyJWT: {error}") from None
    try:
        claims = json.loads(payload)
    except ValueError as error:
        raise JwsRejected(f"the payload is not JSON: {error}") from None
    if not isinstance(claims, dict):
        raise JwsRejected(f"the payload is JSON but not an object: {type(claims).__name__}")
    return claims
