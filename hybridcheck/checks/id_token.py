"""The ID token: signature, claims, c_hash, at_hash, stable subject, expected claims (IDT-1 to IDT-6)."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from jwt.utils import base64url_encode

from hybridcheck.checks.base import Finding, Findings, fail, finding
from hybridcheck.checks.schemas import schema_errors
from hybridcheck.checks.views import claim_mismatches
from hybridcheck.evidence import CompletedFlow, DecodedJwt
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


def _audiences(aud: Any) -> frozenset[str]:
    """``aud`` as a set: a string is one audience (Core §2), an array several."""
    return frozenset([aud] if isinstance(aud, str) else aud)


def _audience_findings(claims: Mapping[str, Any], client_id: str, trusted: Collection[str]) -> Iterator[Finding]:
    """Core §3.1.3.7 item 3: ``aud`` lists the client and no audience the client does not trust."""
    shown = f"ID token claims {dict(claims)}"
    audiences = _audiences(claims["aud"])
    if client_id not in audiences:
        yield finding("IDT-2", "aud contains the client_id", expected=f"{client_id!r} in aud",
                      actual=repr(claims["aud"]), computed_from=shown, source="Core §3.1.3.7 item 3")
    untrusted = sorted(audiences - {client_id} - set(trusted))
    if untrusted and client_id in audiences:
        yield finding("IDT-2", "aud holds no audience the client does not trust",
                      expected=f"aud within {sorted({client_id, *trusted})} (the client and the profile's "
                      "trusted_audiences)", actual=f"untrusted audiences {untrusted}", computed_from=shown,
                      source="Core §3.1.3.7 item 3")
    if "azp" in claims and claims["azp"] != client_id:
        yield finding("IDT-2", "azp equals the client_id", expected=repr(client_id), actual=repr(claims["azp"]),
                      computed_from=shown, source="Core §3.1.3.7 item 5 (errata set 2)")


def _time_findings(claims: Mapping[str, Any], now: float, leeway: int, max_age_s: int) -> Iterator[Finding]:
    """Core §3.1.3.7 items 9-10, RFC 7519 §4.1.5: the token is valid now and was issued just now."""
    shown = f"ID token claims {dict(claims)}"
    exp, iat = claims["exp"], claims["iat"]
    if exp <= now - leeway:
        yield finding("IDT-2", "exp is in the future", expected=f"exp after {_when(now)} (leeway {leeway} s)",
                      actual=_when(exp), computed_from=shown, source="Core §3.1.3.7 item 9")
    if exp <= iat:
        yield finding("IDT-2", "exp is after iat (the token was not issued already expired)",
                      expected=f"exp after iat {_when(iat)}", actual=_when(exp), computed_from=shown,
                      source="Core §2 (exp, iat)")
    if iat > now + leeway:
        yield finding("IDT-2", "iat is not in the future", expected=f"iat at or before {_when(now)} (leeway {leeway} s)",
                      actual=_when(iat), computed_from=shown, source="Core §3.1.3.7 item 10")
    if iat < now - max_age_s - leeway:
        yield finding("IDT-2", "iat is fresh: a token issued just now is not older than the profile's bound",
                      expected=f"iat after {_when(now - max_age_s)} (id_token_max_age_s {max_age_s}, leeway {leeway} s)",
                      actual=_when(iat), computed_from=shown, source="Core §3.1.3.7 item 10")
    nbf = claims.get("nbf")
    if nbf is not None and (isinstance(nbf, bool) or not isinstance(nbf, int | float)):
        yield finding("IDT-2", "nbf is a NumericDate", expected="a JSON number", actual=repr(nbf),
                      computed_from=shown, source="RFC 7519 §4.1.5")
    elif nbf is not None and nbf > now + leeway:
        yield finding("IDT-2", "nbf is not in the future", expected=f"nbf at or before {_when(now)} (leeway {leeway} s)",
                      actual=_when(nbf), computed_from=shown, source="RFC 7519 §4.1.5")


def check_id_token_claims(
    claims: Mapping[str, Any],
    *,
    issuer: str,
    client_id: str,
    now: float,
    trusted_audiences: Collection[str] = (),
    max_age_s: int = 600,
    leeway: int = 60,
) -> None:
    """IDT-2: the claims of any ID token (front channel, token endpoint, refresh) are valid for this client.

    Core §3.1.3.7 (items 2-3, 5, 9-10), §3.3.2.12, §3.3.3.7: schema ``id-token-claims``
    (Core §2, ``sub`` non-empty); ``iss`` equals the issuer exactly; ``aud`` (compared as
    a set) contains ``client_id`` and no audience outside ``trusted_audiences``; ``azp``
    equals ``client_id`` when present (errata set 2 dropped "required with several
    audiences"); ``exp`` in the future and after ``iat``; ``iat`` neither in the future
    nor older than ``max_age_s`` (the token was issued just now); ``nbf``, when present,
    not in the future (RFC 7519 §4.1.5). Every finding is reported together.
    """
    shown = f"ID token claims {dict(claims)}"
    errors = schema_errors("id-token-claims", dict(claims))
    if errors:
        fail("IDT-2", "the ID token claims are valid against schemas/id-token-claims.schema.json",
             expected="no schema violations", actual="; ".join(errors), computed_from=shown, source="Core §2")
    with Findings() as findings:
        if claims["iss"] != issuer:
            findings.fail("IDT-2", "iss equals the issuer exactly", expected=repr(issuer), actual=repr(claims["iss"]),
                          computed_from=shown, source="Core §3.1.3.7 item 2")
        findings.failures.extend(_audience_findings(claims, client_id, trusted_audiences))
        findings.failures.extend(_time_findings(claims, now, leeway, max_age_s))


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


#: Where an ID token of a completed flow came from, as failure messages name it.
FRONT_CHANNEL = "front-channel ID token"
TOKEN_ENDPOINT = "token-endpoint ID token"
REFRESH = "refresh ID token"


def flow_id_tokens(flow: CompletedFlow) -> dict[str, DecodedJwt]:
    """The ID tokens a completed flow yielded, by source: the front channel's (RTs with
    ``id_token``) and the token endpoint's; a source that returned none is left out."""
    found = {FRONT_CHANNEL: flow.authorization.id_token, TOKEN_ENDPOINT: flow.tokens.id_token}
    return {where: token for where, token in found.items() if token is not None}


def check_subject_unchanged(first: tuple[str, str], sub: object, where: str) -> None:
    """IDT-5: the user gets the ``sub`` of its first flow in every later one too (Core §2: a
    ``sub`` is "never reassigned"; §3.3.3.6). ``first`` is (sub, where it was seen); ``where``
    names the ID token judged now."""
    first_sub, first_where = first
    if sub != first_sub:
        fail("IDT-5", "the same user gets the same sub in every flow of the run", expected=repr(first_sub),
             actual=repr(sub), computed_from=f"the {where}; the first sub came in the {first_where}",
             source="Core §2 (sub), §3.3.3.6")
