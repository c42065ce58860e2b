"""DISC-1 to DISC-3: discovery document, advertised response type and mode, JWKS and the ID token's kid."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from hybridcheck.checks.base import RequirementWarning
from hybridcheck.checks.discovery import (
    check_discovery_valid,
    check_id_token_kid_in_jwks,
    check_jwks_valid,
    unadvertised_reason,
)
from hybridcheck.evidence import DecodedJwt, ProviderMetadata

from .kit import ISSUER, Signer, fails, id_token_claims

DISCOVERY: dict[str, Any] = {
    "issuer": ISSUER,
    "authorization_endpoint": f"{ISSUER}authorize",
    "token_endpoint": f"{ISSUER}oauth/token",
    "userinfo_endpoint": f"{ISSUER}userinfo",
    "jwks_uri": f"{ISSUER}.well-known/jwks.json",
    "response_types_supported": ["code", "code id_token", "code token", "code id_token token"],
    "response_modes_supported": ["query", "fragment", "form_post"],
    "subject_types_supported": ["public"],
    "id_token_signing_alg_values_supported": ["RS256", "HS256"],
    "scopes_supported": ["openid", "profile", "email"],
    "claims_parameter_supported": False,
}


def metadata(signer: Signer, change: Callable[[ProviderMetadata], Any] | None = None) -> ProviderMetadata:
    """Good metadata, changed by ``change``: it edits the copied dicts in place or returns new metadata."""
    meta = ProviderMetadata(
        f"{ISSUER}.well-known/openid-configuration", copy.deepcopy(DISCOVERY), copy.deepcopy(signer.jwks)
    )
    result = change(meta) if change else None
    return result if isinstance(result, ProviderMetadata) else meta


def test_good_discovery_passes(signer: Signer) -> None:
    check_discovery_valid(metadata(signer), ISSUER)


BROKEN_DISCOVERY: list[Any] = [
    pytest.param(lambda m: ProviderMetadata(m.discovery_url, {}, m.jwks, discovery_status=404), id="HTTP 404"),
    pytest.param(lambda m: m.discovery.pop("jwks_uri"), id="jwks_uri missing"),
    pytest.param(lambda m: m.discovery.pop("token_endpoint"), id="token_endpoint missing"),
    pytest.param(lambda m: m.discovery.update(response_types_supported="code id_token"), id="RTs not an array"),
    pytest.param(lambda m: m.discovery.update(subject_types_supported=[]), id="subject types empty"),
    pytest.param(lambda m: m.discovery.update(id_token_signing_alg_values_supported=["ES256"]), id="RS256 missing"),
    pytest.param(lambda m: m.discovery.update(claims_parameter_supported="yes"), id="boolean as string"),
    pytest.param(lambda m: m.discovery.update(userinfo_endpoint="/userinfo"), id="relative URL"),
    pytest.param(lambda m: m.discovery.update(issuer=ISSUER.rstrip("/")), id="issuer without trailing slash"),
    pytest.param(lambda m: m.discovery.update(issuer=ISSUER.upper()), id="issuer in other case"),
    pytest.param(lambda m: m.discovery.update(issuer="https://other.example.test/"), id="other issuer"),
]


@pytest.mark.parametrize("change", BROKEN_DISCOVERY)
def test_broken_discovery_fails(signer: Signer, change: Callable[[ProviderMetadata], Any]) -> None:
    with fails("DISC-1"):
        check_discovery_valid(metadata(signer, change), ISSUER)


def test_issuer_message_shows_both_and_the_trailing_slash(signer: Signer) -> None:
    with fails("DISC-1") as info:
        check_discovery_valid(metadata(signer, lambda m: m.discovery.update(issuer=ISSUER.rstrip("/"))), ISSUER)
    assert repr(ISSUER) in str(info.value) and repr(ISSUER.rstrip("/")) in str(info.value)
    assert "trailing slash" in str(info.value)


@pytest.mark.parametrize(
    ("discovery", "response_type", "response_mode", "reason"),
    [
        ({"response_types_supported": ["code id_token token"]}, "code id_token token", None, None),
        ({"response_types_supported": ["code token id_token"]}, "code id_token token", None, None),
        ({"response_types_supported": ["id_token token code"]}, "token code id_token", "fragment", None),
        (
            {"response_types_supported": ["code id_token"], "response_modes_supported": ["form_post"]},
            "code id_token",
            "form_post",
            None,
        ),
        ({"response_types_supported": ["code id_token"]}, "code token", None, "response_type 'code token'"),
        ({"response_types_supported": ["code id_token"]}, "code id_token", "form_post", "response_mode 'form_post'"),
        (
            {"response_types_supported": ["code id_token"], "response_modes_supported": ["query", "form_post"]},
            "code id_token",
            None,
            "the default of 'code id_token'",
        ),
        ({}, "code id_token", None, "response_types_supported: []"),
    ],
)
def test_unadvertised_reason(
    discovery: dict[str, Any], response_type: str, response_mode: str | None, reason: str | None
) -> None:
    found = unadvertised_reason(discovery, response_type, response_mode)
    if reason is None:
        assert found is None
    else:
        assert found is not None and found.startswith("tenant does not advertise") and reason in found


def jwks_change(change: Callable[[list[dict[str, Any]]], Any]) -> Callable[[ProviderMetadata], None]:
    """A metadata change that edits the JWKS key list in place."""
    return lambda m: change(m.jwks["keys"])


GOOD_JWKS: list[Any] = [
    pytest.param(None, id="as made"),
    pytest.param(
        jwks_change(lambda keys: keys.append({"kty": "RSA", "use": "enc", "n": "AQAB", "e": "AQAB"})),
        id="encryption key without kid",
    ),
    pytest.param(jwks_change(lambda keys: keys.append({**keys[0], "use": "enc"})), id="enc key sharing a kid"),
]


@pytest.mark.parametrize("change", GOOD_JWKS)
def test_good_jwks_passes(signer: Signer, change: Callable[[ProviderMetadata], Any] | None) -> None:
    check_jwks_valid(metadata(signer, change))


BROKEN_JWKS: list[Any] = [
    pytest.param(lambda m: ProviderMetadata(m.discovery_url, m.discovery, {}, jwks_status=500), id="HTTP 500"),
    pytest.param(lambda m: m.jwks.pop("keys"), id="keys missing"),
    pytest.param(jwks_change(lambda keys: keys[0].update(d="private")), id="RSA private exponent published"),
    pytest.param(
        jwks_change(lambda keys: keys.append({"kty": "oct", "k": "c2VjcmV0", "kid": "h"})),
        id="symmetric secret published",
    ),
    pytest.param(jwks_change(lambda keys: keys[0].pop("n")), id="RSA without n"),
    pytest.param(jwks_change(lambda keys: keys[2].pop("y")), id="EC without y"),
    pytest.param(jwks_change(lambda keys: keys[3].pop("x")), id="OKP without x"),
    pytest.param(jwks_change(lambda keys: keys[0].pop("kty")), id="kty missing"),
    pytest.param(jwks_change(lambda keys: keys[1].pop("kid")), id="signing key without kid"),
    pytest.param(jwks_change(lambda keys: keys[3].update(kid="rsa-1")), id="duplicate kid"),
]


@pytest.mark.parametrize("change", BROKEN_JWKS)
def test_broken_jwks_fails(signer: Signer, change: Callable[[ProviderMetadata], Any]) -> None:
    with fails("DISC-3"):
        check_jwks_valid(metadata(signer, change))


def test_id_token_kid_in_jwks_passes(signer: Signer) -> None:
    check_id_token_kid_in_jwks(signer.decoded(id_token_claims()), signer.jwks)


def with_header(signer: Signer, header: dict[str, Any]) -> DecodedJwt:
    token = signer.decoded(id_token_claims())
    return DecodedJwt(token.raw, header, token.claims)


@pytest.mark.parametrize(
    ("header", "jwks"),
    [
        pytest.param({"alg": "RS256"}, None, id="no kid"),
        pytest.param({"alg": "RS256", "kid": "gone"}, None, id="kid unknown"),
        pytest.param(
            {"alg": "RS256", "kid": "enc-1"},
            {"keys": [{"kty": "RSA", "use": "enc", "kid": "enc-1", "n": "AQAB", "e": "AQAB"}]},
            id="kid of an encryption key",
        ),
    ],
)
def test_id_token_kid_not_in_jwks_fails(signer: Signer, header: dict[str, Any], jwks: dict[str, Any] | None) -> None:
    with fails("DISC-3"):
        check_id_token_kid_in_jwks(with_header(signer, header), jwks or signer.jwks)


def only_one_signing_key_without_kid(keys: list[dict[str, Any]]) -> None:
    """One RSA signing key without kid, beside an encryption key (which does not count)."""
    single = {name: value for name, value in keys[0].items() if name != "kid"}
    keys[:] = [single, {"kty": "RSA", "use": "enc", "kid": "enc-1", "n": "AQAB", "e": "AQAB"}]


def test_a_single_signing_key_without_kid_is_a_warning(signer: Signer) -> None:
    """Core §10.1 demands the kid "when multiple keys are used"; RFC 7517 §4.5 makes it OPTIONAL."""
    single = metadata(signer, jwks_change(only_one_signing_key_without_kid))
    with pytest.warns(RequirementWarning, match=r"\[DISC-3\] the single signing key has a kid"):
        check_jwks_valid(single)
    with pytest.warns(RequirementWarning, match=r"\[DISC-3\] the ID token header carries a kid"):
        check_id_token_kid_in_jwks(with_header(signer, {"alg": "RS256"}), single.jwks)
