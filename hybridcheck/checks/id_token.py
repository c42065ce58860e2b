"""The ID token: signature, claims, c_hash, at_hash, expected claims (IDT-1 to IDT-4, IDT-6)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from jwt.utils import base64url_encode

from hybridcheck.checks.base import fail
from hybridcheck.checks.schemas import schema_errors
from hybridcheck.checks.views import claim_mismatches
from hybridcheck.evidence import DecodedJwt
from hybridcheck.jose import JwsRejected, digest_name, hash_digest, left_half_hash, verify_jws
from hybridcheck.redact import fingerprint

#: Algs whose digests are tried when a hash does not match, to name the mistake.
_OTHER_HASH_ALGS = ("RS256", "RS384", "RS512")


def check_id_token_signature(id_token: DecodedJwt, jwks: Mapping[str, Any], advertised_algs: Sequence[str]) -> None:
    """IDT-1: the signature verifies with the JWKS key its ``kid`` names, with an advertised alg.

    Core §3.1.3.7 items 6-8; OIDF IdTokenSignature. ``alg: none`` and HMAC algs are
    refused whatever the tenant advertises (see :func:`hybridcheck.jose.verify_jws`).
    """
    try:
        verify_jws(id_token.raw, jwks, allowed_algs=advertised_algs)
    except JwsRejected as error:
        fail(
            "IDT-1",
            "the ID token signature verifies with the JWKS key named by kid",
            expected=f"a signature by the JWKS key its kid names, alg advertised ({list(advertised_algs)}), "
            "never none or HMAC",
            actual=str(error),
            computed_from=f"ID token header {id_token.header}",
        )


def _when(timestamp: float) -> str:
    """A NumericDate shown with its UTC time (when it has one)."""
    try:
        return f"{timestamp} ({datetime.fromtimestamp(timestamp, UTC).isoformat()})"
    except (OverflowError, OSError, ValueError):
        return repr(timestamp)


def check_id_token_claims(
    claims: Mapping[str, Any], *, issuer: str, client_id: str, now: float, leeway: int = 60
) -> None:
    """IDT-2: the ID token's claims are valid for this client at ``now`` (Core §3.1.3.7, §3.3.2.12).

    Schema ``id-token-claims`` (Core §2, ``sub`` non-empty); ``iss`` equals the issuer
    exactly; ``aud`` contains ``client_id``; ``azp`` equals ``client_id`` when present,
    and is required when ``aud`` has several values; ``exp`` after ``now - leeway``;
    ``iat`` not after ``now + leeway``.
    """
    shown = f"ID token claims {dict(claims)}"
    errors = schema_errors("id-token-claims", dict(claims))
    if errors:
        fail(
            "IDT-2",
            "the ID token claims are valid against schemas/id-token-claims.schema.json",
            expected="no schema violations",
            actual="; ".join(errors),
            computed_from=shown,
            source="Core §2",
        )
    if claims["iss"] != issuer:
        fail(
            "IDT-2",
            "iss equals the issuer exactly",
            expected=repr(issuer),
            actual=repr(claims["iss"]),
            computed_from=shown,
            source="Core §3.1.3.7 item 2",
        )
    audiences = [claims["aud"]] if isinstance(claims["aud"], str) else list(claims["aud"])
    if client_id not in audiences:
        fail(
            "IDT-2",
            "aud contains the client_id",
            expected=f"{client_id!r} in aud",
            actual=repr(claims["aud"]),
            computed_from=shown,
            source="Core §3.1.3.7 item 3",
        )
    if "azp" in claims and claims["azp"] != client_id:
        fail(
            "IDT-2",
            "azp equals the client_id",
            expected=repr(client_id),
            actual=repr(claims["azp"]),
            computed_from=shown,
            source="Core §3.1.3.7 item 5",
        )
    if len(audiences) > 1 and "azp" not in claims:
        fail(
            "IDT-2",
            "azp is present when aud has several values",
            expected=f"azp = {client_id!r}",
            actual=f"no azp with aud {claims['aud']!r}",
            computed_from=shown,
            source="Core 1.0 §3.1.3.7 item 4 (the text before errata set 2)",
        )
    if claims["exp"] <= now - leeway:
        fail(
            "IDT-2",
            "exp is in the future",
            expected=f"exp after {_when(now)} (leeway {leeway} s)",
            actual=_when(claims["exp"]),
            computed_from=shown,
            source="Core §3.1.3.7 item 9",
        )
    if claims["iat"] > now + leeway:
        fail(
            "IDT-2",
            "iat is not in the future",
            expected=f"iat at or before {_when(now)} (leeway {leeway} s)",
            actual=_when(claims["iat"]),
            computed_from=shown,
            source="Core §3.1.3.7 item 10",
        )


def _hash_diagnosis(claimed: str, value: str, alg: str) -> str:
    """A hint at how ``claimed`` was computed, when it is a known mistake."""
    full = base64url_encode(hash_digest(value, alg)).decode("ascii")
    if claimed == full:
        return f" (the whole {digest_name(alg)} digest, not its left half)"
    if claimed.rstrip("=") == left_half_hash(value, alg):
        return " (base64url with padding)"
    for other in _OTHER_HASH_ALGS:
        if digest_name(other) != digest_name(alg) and claimed == left_half_hash(value, other):
            return f" (the left half of {digest_name(other)}, but alg {alg} needs {digest_name(alg)})"
    return ""


def _check_left_half_hash(req_id: str, claim: str, id_token: DecodedJwt, value: str, input_name: str) -> None:
    """``claim`` of ``id_token`` equals the left-half hash of ``value`` (Core §3.3.2.11)."""
    alg = str(id_token.header.get("alg"))
    rule = f"{claim} equals base64url(left half of H({input_name})), H from the ID token's alg"
    source = "Core §3.3.2.11" if claim == "c_hash" else "Core §3.3.2.11, §3.2.2.9"
    try:
        expected = left_half_hash(value, alg)
    except ValueError as error:
        fail(
            req_id,
            rule,
            expected="an alg that defines H",
            actual=f"alg {alg!r}: {error}",
            computed_from=f"ID token header {id_token.header}",
            source=source,
        )
    computed_from = f"{input_name}={fingerprint(value)} with {digest_name(alg)} (alg {alg})"
    claimed = id_token.claims.get(claim)
    if claimed is None:
        fail(req_id, rule, expected=expected, actual=f"no {claim} claim", computed_from=computed_from, source=source)
    if claimed != expected:
        actual = repr(claimed) if not isinstance(claimed, str) else claimed + _hash_diagnosis(claimed, value, alg)
        fail(req_id, rule, expected=expected, actual=actual, computed_from=computed_from, source=source)


def check_c_hash(id_token: DecodedJwt, code: str) -> None:
    """IDT-3: ``c_hash`` is present and equals base64url(left half of H(code)) (Core §3.3.2.11).

    H is SHA-256/384/512 by the suffix of the header ``alg``, SHA-512 for EdDSA. The
    code in the message is its redaction fingerprint; the OIDF model is ValidateCHash.
    """
    _check_left_half_hash("IDT-3", "c_hash", id_token, code, "code")


def check_at_hash(id_token: DecodedJwt, access_token: str | None, *, required: bool) -> None:
    """IDT-4: ``at_hash`` present and correct when ``required``; correct wherever present.

    Required in a front-channel ID token issued with an access token (``code id_token
    token``, Core §3.3.2.11); elsewhere optional (§3.2.2.9, §3.1.3.6) but, when present
    beside an access token, it must match it.
    """
    if access_token is None:
        if required:
            fail(
                "IDT-4",
                "at_hash is checked against the access token issued with the ID token",
                expected="an access token beside the ID token",
                actual="no access token",
                computed_from=f"ID token claims {id_token.claims}",
                source="Core §3.3.2.11",
            )
        return
    if required or "at_hash" in id_token.claims:
        _check_left_half_hash("IDT-4", "at_hash", id_token, access_token, "access_token")


def check_custom_claims(claims: Mapping[str, Any], expected: Mapping[str, Any], token_name: str) -> None:
    """IDT-6: the claims the tenant profile expects are in ``token_name`` with the expected values.

    Auth0 Actions' namespaced custom claims and ``org_id``; values compare exactly.
    """
    mismatches = claim_mismatches(claims, expected)
    if mismatches:
        fail(
            "IDT-6",
            f"the {token_name} carries the claims the profile expects",
            expected={name: expected[name] for name in mismatches},
            actual=mismatches,
            computed_from=f"{token_name} claims {sorted(claims)}",
        )
