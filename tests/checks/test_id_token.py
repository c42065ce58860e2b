"""IDT-1 to IDT-6: signature, claims, c_hash, at_hash, a stable subject, expected claims."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from hybridcheck.checks.id_token import (
    check_at_hash,
    check_c_hash,
    check_custom_claims,
    check_id_token_claims,
    check_id_token_signature,
    check_subject_unchanged,
)
from hybridcheck.evidence import DecodedJwt
from hybridcheck.jose import left_half_hash

from .kit import (
    ALG_HASHES,
    ACCESS_TOKEN,
    CLIENT_ID,
    CODE,
    ISSUER,
    NOW,
    Signer,
    fails,
    forge,
    hmac_with_public_key,
    id_token_claims,
    tampered,
)

ADVERTISED = ["RS256", "RS384", "ES256", "EdDSA"]


def parsed(raw: str) -> DecodedJwt:
    token = DecodedJwt.parse(raw)
    assert token is not None
    return token


def with_alg(alg: str, **claims: Any) -> DecodedJwt:
    """An unsigned stand-in whose header names ``alg``: the hash checks read only the header."""
    return DecodedJwt(raw="header.payload.signature", header={"alg": alg, "kid": "k"}, claims=id_token_claims(**claims))


def half(value: str, hash_name: str, *, whole: bool = False, padded: bool = False) -> str:
    """A left-half hash computed here independently (or a deliberately wrong variant of it)."""
    digest = hashlib.new(hash_name, value.encode("ascii")).digest()
    encoded = base64.urlsafe_b64encode(digest if whole else digest[: len(digest) // 2]).decode()
    return encoded if padded else encoded.rstrip("=")


@pytest.mark.parametrize("kid", ["rsa-1", "rsa-384", "ec-1", "ed-1"])
def test_signature_verifies(signer: Signer, kid: str) -> None:
    check_id_token_signature(signer.decoded(id_token_claims(), kid=kid), signer.jwks, ADVERTISED)


def signed_by_stranger(signer: Signer) -> str:
    """Signed under kid rsa-1 by a key that is not the one the JWKS publishes."""
    stranger = Signer({"rsa-1": ("RS256", rsa.generate_private_key(public_exponent=65537, key_size=2048))}, {})
    return stranger.token(id_token_claims())


BROKEN_SIGNATURES: list[Any] = [
    pytest.param(lambda s: forge({"alg": "none", "kid": "rsa-1"}, s), id="alg none"),
    pytest.param(
        lambda s: forge({"alg": "HS256", "kid": "rsa-1"}, s, signature=hmac_with_public_key(s)),
        id="HS256 keyed with the public key bytes",
    ),
    pytest.param(lambda s: forge({"alg": "RS256", "kid": "unknown"}, s, resign_with="rsa-1"), id="kid unknown"),
    pytest.param(lambda s: forge({"alg": "PS256", "kid": "rsa-384"}, s, resign_with="rsa-1"), id="alg not advertised"),
    pytest.param(tampered, id="payload changed after signing"),
    pytest.param(signed_by_stranger, id="signed by another key under the same kid"),
]


@pytest.mark.parametrize("make", BROKEN_SIGNATURES)
def test_bad_signature_fails(signer: Signer, make: Callable[[Signer], str]) -> None:
    with fails("IDT-1"):
        check_id_token_signature(parsed(make(signer)), signer.jwks, [*ADVERTISED, "HS256", "none"])


def test_alg_not_advertised_is_named(signer: Signer) -> None:
    with fails("IDT-1") as info:
        check_id_token_signature(signer.decoded(id_token_claims(), kid="ec-1"), signer.jwks, ["RS256"])
    assert "'ES256' is not among the allowed algs" in str(info.value)


GOOD_CLAIMS: list[Any] = [
    pytest.param(id_token_claims(), id="as made"),
    pytest.param(id_token_claims(aud=[CLIENT_ID]), id="aud list of one without azp"),
    pytest.param(id_token_claims(azp=CLIENT_ID), id="azp with a single aud"),
    pytest.param(id_token_claims(exp=NOW - 30, iat=NOW - 600), id="expired within the leeway"),
    pytest.param(id_token_claims(iat=NOW + 30), id="issued in the future within the leeway"),
    pytest.param(id_token_claims(exp=NOW + 600.5, iat=NOW - 0.5), id="fractional NumericDates"),
]


@pytest.mark.parametrize("claims", GOOD_CLAIMS)
def test_valid_claims_pass(claims: dict[str, Any]) -> None:
    check_id_token_claims(claims, issuer=ISSUER, client_id=CLIENT_ID, now=NOW)


BROKEN_CLAIMS: list[Any] = [
    pytest.param(id_token_claims(iss=ISSUER.rstrip("/")), id="iss without trailing slash"),
    pytest.param(id_token_claims(iss="https://evil.example.test/"), id="other iss"),
    pytest.param(id_token_claims(aud="other-client"), id="aud is another client"),
    pytest.param(id_token_claims(aud=[CLIENT_ID, "https://api.example.test/"]), id="aud with an untrusted audience"),
    pytest.param(id_token_claims(nbf=NOW + 120), id="nbf in the future"),
    pytest.param(id_token_claims(aud=["a", "b"], azp=CLIENT_ID), id="aud list without the client"),
    pytest.param(id_token_claims(azp="other-client"), id="azp is another client"),
    pytest.param(id_token_claims(aud=[]), id="aud empty"),
    pytest.param(id_token_claims(aud=42), id="aud a number"),
    pytest.param(id_token_claims(exp=NOW - 61), id="expired"),
    pytest.param(id_token_claims(iat=NOW + 61), id="iat in the future"),
    pytest.param(id_token_claims(exp=str(NOW + 600)), id="exp a string"),
    pytest.param(id_token_claims(sub=None), id="sub missing"),
    pytest.param(id_token_claims(sub=""), id="sub empty"),
    pytest.param(id_token_claims(iat=None), id="iat missing"),
]


@pytest.mark.parametrize("claims", BROKEN_CLAIMS)
def test_invalid_claims_fail(claims: dict[str, Any]) -> None:
    with fails("IDT-2"):
        check_id_token_claims(claims, issuer=ISSUER, client_id=CLIENT_ID, now=NOW)


TRUSTED_API = "https://api.example.test/"


def test_trusted_audience_beside_the_client_passes() -> None:
    """Core §3.1.3.7 item 3: an audience the client trusts may share ``aud`` (``azp`` optional)."""
    for claims in (id_token_claims(aud=[CLIENT_ID, TRUSTED_API], azp=CLIENT_ID), id_token_claims(aud=[TRUSTED_API, CLIENT_ID])):
        check_id_token_claims(claims, issuer=ISSUER, client_id=CLIENT_ID, now=NOW, trusted_audiences=[TRUSTED_API])


def test_untrusted_audience_is_named() -> None:
    with fails("IDT-2") as info:
        check_id_token_claims(id_token_claims(aud=[CLIENT_ID, TRUSTED_API], azp=CLIENT_ID), issuer=ISSUER,
                              client_id=CLIENT_ID, now=NOW)
    assert f"untrusted audiences [{TRUSTED_API!r}]" in str(info.value)


def test_stale_iat_fails_against_the_profile_bound() -> None:
    """A token issued long ago but still unexpired was not issued for this request (Core §3.1.3.7 item 10)."""
    claims = id_token_claims(iat=NOW - 3600, exp=NOW + 3600)
    check_id_token_claims(claims, issuer=ISSUER, client_id=CLIENT_ID, now=NOW, max_age_s=7200)
    with fails("IDT-2") as info:
        check_id_token_claims(claims, issuer=ISSUER, client_id=CLIENT_ID, now=NOW, max_age_s=600)
    assert "id_token_max_age_s 600" in str(info.value)


def test_issued_already_expired_fails() -> None:
    with fails("IDT-2") as info:
        check_id_token_claims(id_token_claims(iat=NOW - 10, exp=NOW - 20), issuer=ISSUER, client_id=CLIENT_ID, now=NOW)
    assert "exp is after iat" in str(info.value)


def test_all_claim_findings_are_reported_together() -> None:
    with fails("IDT-2") as info:
        check_id_token_claims(id_token_claims(iss="https://evil.example.test/", exp=NOW - 3600), issuer=ISSUER,
                              client_id=CLIENT_ID, now=NOW)
    rules = [found.rule for found in info.value.findings]
    assert "iss equals the issuer exactly" in rules and "exp is in the future" in rules


def test_expiry_message_shows_times() -> None:
    with fails("IDT-2") as info:
        check_id_token_claims(id_token_claims(exp=NOW - 3600), issuer=ISSUER, client_id=CLIENT_ID, now=NOW)
    assert "2023-11-14T21:13:20+00:00" in str(info.value)


@pytest.mark.parametrize(("alg", "hash_name"), ALG_HASHES)
def test_c_hash_by_the_alg_passes(alg: str, hash_name: str) -> None:
    check_c_hash(with_alg(alg, c_hash=half(CODE, hash_name)), CODE)


@pytest.mark.parametrize("kid", ["rsa-1", "rsa-384", "ec-1", "ed-1"])
def test_c_hash_of_signed_tokens_passes(signer: Signer, kid: str) -> None:
    alg = signer.keys[kid][0]
    check_c_hash(signer.decoded(id_token_claims(c_hash=left_half_hash(CODE, alg)), kid=kid), CODE)


BROKEN_C_HASHES: list[Any] = [
    pytest.param(with_alg("RS256", c_hash=half(CODE, "sha256", whole=True)), "whole SHA-256 digest", id="full digest"),
    pytest.param(with_alg("RS256", c_hash=half(CODE, "sha512")), "left half of SHA-512", id="SHA-512 for RS256"),
    pytest.param(with_alg("EdDSA", c_hash=half(CODE, "sha256")), "left half of SHA-256", id="SHA-256 for EdDSA"),
    pytest.param(with_alg("ES384", c_hash=half(CODE, "sha256")), "alg ES384 needs SHA-384", id="SHA-256 for ES384"),
    pytest.param(with_alg("RS256", c_hash=half(CODE, "sha256", padded=True)), "with padding", id="padded"),
    pytest.param(with_alg("RS256", c_hash=half("another-code", "sha256")), "computed from", id="of another code"),
    pytest.param(with_alg("RS256"), "no c_hash claim", id="missing"),
    pytest.param(with_alg("none", c_hash=half(CODE, "sha256")), "alg 'none'", id="alg none"),
]


@pytest.mark.parametrize(("token", "shown"), BROKEN_C_HASHES)
def test_wrong_c_hash_fails(token: DecodedJwt, shown: str) -> None:
    with fails("IDT-3") as info:
        check_c_hash(token, CODE)
    assert shown in str(info.value)
    assert CODE not in str(info.value)


def test_c_hash_message_follows_the_oidf_model() -> None:
    with fails("IDT-3") as info:
        check_c_hash(with_alg("RS256", c_hash="wrong"), CODE)
    lines = str(info.value).splitlines()
    assert lines[0].startswith("[IDT-3] c_hash") and "(Core §3.3.2.11)" in lines[0]
    assert lines[1] == f"  expected: {half(CODE, 'sha256')}"
    assert lines[2] == "  actual:   wrong"
    assert lines[3].startswith("  computed from: code=«redacted:") and "SHA-256 (alg RS256)" in lines[3]


GOOD_AT_HASHES: list[Any] = [
    pytest.param(with_alg("RS256", at_hash=half(ACCESS_TOKEN, "sha256")), ACCESS_TOKEN, True, id="required, correct"),
    pytest.param(with_alg("ES512", at_hash=half(ACCESS_TOKEN, "sha512")), ACCESS_TOKEN, True, id="ES512, correct"),
    pytest.param(with_alg("RS256"), ACCESS_TOKEN, False, id="optional, absent"),
    pytest.param(with_alg("RS256", at_hash=half(ACCESS_TOKEN, "sha256")), ACCESS_TOKEN, False, id="optional, correct"),
    pytest.param(with_alg("RS256", at_hash="unverifiable"), None, False, id="optional, no access token to compare"),
]


@pytest.mark.parametrize(("token", "access_token", "required"), GOOD_AT_HASHES)
def test_at_hash_passes(token: DecodedJwt, access_token: str | None, required: bool) -> None:
    check_at_hash(token, access_token, required=required)


BROKEN_AT_HASHES: list[Any] = [
    pytest.param(with_alg("RS256"), ACCESS_TOKEN, True, id="missing for code id_token token"),
    pytest.param(with_alg("RS256", at_hash=half("other", "sha256")), ACCESS_TOKEN, True, id="required, wrong"),
    pytest.param(with_alg("RS384", at_hash=half(ACCESS_TOKEN, "sha256")), ACCESS_TOKEN, True, id="SHA-256 for RS384"),
    pytest.param(
        with_alg("RS256", at_hash=half("other", "sha256")), ACCESS_TOKEN, False, id="optional, present, wrong"
    ),
    pytest.param(with_alg("RS256", at_hash=half(ACCESS_TOKEN, "sha256")), None, True, id="required, no access token"),
]


@pytest.mark.parametrize(("token", "access_token", "required"), BROKEN_AT_HASHES)
def test_wrong_at_hash_fails(token: DecodedJwt, access_token: str | None, required: bool) -> None:
    with fails("IDT-4") as info:
        check_at_hash(token, access_token, required=required)
    assert ACCESS_TOKEN not in str(info.value)


EXPECTED_CLAIMS = {"https://hybridcheck.test/roles": ["tester"], "org_id": "org_hybridcheck"}


def test_expected_custom_claims_pass() -> None:
    check_custom_claims(id_token_claims(**EXPECTED_CLAIMS), EXPECTED_CLAIMS, "ID token")


@pytest.mark.parametrize(
    "claims",
    [
        pytest.param(id_token_claims(org_id="org_hybridcheck"), id="namespaced claim missing"),
        pytest.param(id_token_claims(**{**EXPECTED_CLAIMS, "org_id": "org_other"}), id="org_id different"),
        pytest.param(
            id_token_claims(**{**EXPECTED_CLAIMS, "https://hybridcheck.test/roles": "tester"}),
            id="list claim as a string",
        ),
    ],
)
def test_missing_or_different_custom_claims_fail(claims: dict[str, Any]) -> None:
    with fails("IDT-6") as info:
        check_custom_claims(claims, EXPECTED_CLAIMS, "access token")
    assert "access token" in str(info.value)


def test_subject_unchanged_passes_for_the_same_sub() -> None:
    check_subject_unchanged(("auth0|tester", "front-channel ID token of flow 1"), "auth0|tester", "refresh ID token")


@pytest.mark.parametrize("later", ["auth0|tester.1a2b3c4d", None, ""], ids=["another sub", "no sub", "empty sub"])
def test_a_reassigned_sub_fails_naming_both_places(later: object) -> None:
    with fails("IDT-5") as info:
        check_subject_unchanged(("auth0|tester", "front-channel ID token of flow 1"), later,
                                "token-endpoint ID token of flow 2")
    assert "the token-endpoint ID token of flow 2; the first sub came in the front-channel ID token of flow 1" in str(info.value)
