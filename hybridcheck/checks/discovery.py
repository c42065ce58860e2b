"""Discovery document and keys: DISC-1, DISC-2, DISC-3."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from hybridcheck.checks.base import fail, warn
from hybridcheck.checks.schemas import schema_errors
from hybridcheck.evidence import DecodedJwt, ProviderMetadata, default_response_mode, response_type_values
from hybridcheck.jose import key_for_kid, kids, signing_keys

#: Discovery §3: the default of ``response_modes_supported`` when it is absent.
DEFAULT_RESPONSE_MODES = ("query", "fragment")


def _issuer_difference(expected: str, actual: object) -> str:
    """``actual`` shown with repr, plus what tells it apart from ``expected`` when that is subtle."""
    shown = repr(actual)
    if isinstance(actual, str) and actual.rstrip("/") == expected.rstrip("/"):
        return f"{shown} (differs only by a trailing slash)"
    if isinstance(actual, str) and actual.lower() == expected.lower():
        return f"{shown} (differs only in case)"
    return shown


def check_discovery_valid(metadata: ProviderMetadata, expected_issuer: str) -> None:
    """DISC-1: the discovery document answers 200, is schema-valid, and names the issuer exactly.

    Discovery §3 (members), §4.3 (``issuer`` must be identical to the issuer the
    configuration was fetched for: no trailing-slash or case tolerance).
    """
    if metadata.discovery_status != 200:
        fail(
            "DISC-1",
            "the discovery document is served with HTTP 200",
            expected=200,
            actual=metadata.discovery_status,
            computed_from=metadata.discovery_url,
            source="Discovery §4",
        )
    errors = schema_errors("discovery", metadata.discovery)
    if errors:
        fail(
            "DISC-1",
            "the discovery document is valid against schemas/discovery.schema.json",
            expected="no schema violations",
            actual="; ".join(errors),
            computed_from=metadata.discovery_url,
            source="Discovery §3",
        )
    issuer = metadata.discovery.get("issuer")
    if issuer != expected_issuer:
        fail(
            "DISC-1",
            "issuer equals the configured issuer exactly",
            expected=repr(expected_issuer),
            actual=_issuer_difference(expected_issuer, issuer),
            computed_from=metadata.discovery_url,
            source="Discovery §4.3",
        )


def unadvertised_reason(discovery: Mapping[str, Any], response_type: str, response_mode: str | None) -> str | None:
    """DISC-2: why the tenant does not advertise this response type and mode, or ``None`` when it does.

    A response type is a set of space-separated values (MRT §3), so ``code token
    id_token`` matches an advertised ``code id_token token``. ``response_mode`` ``None``
    stands for the RT's default mode. Without ``response_modes_supported`` the tenant
    supports ``["query", "fragment"]`` (Discovery §3). The caller skips with the reason.
    """
    advertised_types = discovery.get("response_types_supported") or []
    wanted = response_type_values(response_type)
    if not any(isinstance(rt, str) and response_type_values(rt) == wanted for rt in advertised_types):
        return (
            f"tenant does not advertise response_type {response_type!r} (response_types_supported: {advertised_types})"
        )
    mode = response_mode or default_response_mode(response_type)
    advertised_modes = discovery.get("response_modes_supported", list(DEFAULT_RESPONSE_MODES))
    if mode not in advertised_modes:
        which = f"response_mode {mode!r}" + ("" if response_mode else f" (the default of {response_type!r})")
        return f"tenant does not advertise {which} (response_modes_supported: {advertised_modes})"
    return None


def check_jwks_valid(metadata: ProviderMetadata) -> None:
    """DISC-3: the JWKS answers 200, is schema-valid, and its signing keys have unique ``kid``s.

    Core §10.1: "When multiple keys are used ... the kid ... MUST be used" — with several
    signing keys (``use`` absent or ``"sig"``; encryption keys are ignored) each needs a
    ``kid``; a single one without it is a warning (RFC 7517 §4.5 makes ``kid`` OPTIONAL).
    Uniqueness is required among signing keys only: a signing and an encryption key may
    share a ``kid`` (RFC 7517 §4.5).
    """
    jwks_uri = metadata.discovery.get("jwks_uri")
    if metadata.jwks_status != 200:
        fail(
            "DISC-3",
            "the JWKS is served with HTTP 200",
            expected=200,
            actual=metadata.jwks_status,
            computed_from=jwks_uri,
        )
    errors = schema_errors("jwks", metadata.jwks)
    if errors:
        fail(
            "DISC-3",
            "the JWKS is valid against schemas/jwks.schema.json",
            expected="no schema violations",
            actual="; ".join(errors),
            computed_from=jwks_uri,
            source="RFC 7517 §4, §5",
        )
    keys = signing_keys(metadata.jwks)
    without_kid = [f"key {index} (kty {key.get('kty')!r})" for index, key in enumerate(keys) if not key.get("kid")]
    if without_kid:
        (fail if len(keys) > 1 else warn)(
            "DISC-3",
            "every signing key has a kid" if len(keys) > 1 else "the single signing key has a kid",
            expected="a kid on each signing key",
            actual=f"no kid on {', '.join(without_kid)} of {len(keys)} signing key(s)",
            computed_from=jwks_uri,
            source="Core §10.1",
        )
    repeated = sorted(kid for kid, count in Counter(kids(metadata.jwks)).items() if count > 1)
    if repeated:
        fail(
            "DISC-3",
            "signing key kids are unique",
            expected="distinct kids",
            actual=f"repeated kids {repeated}",
            computed_from=jwks_uri,
            source="Core §10.1; RFC 7517 §4.5",
        )


def check_id_token_kid_in_jwks(id_token: DecodedJwt, jwks: Mapping[str, Any]) -> None:
    """DISC-3: the ID token's header names a ``kid`` and the JWKS has a signing key with it.

    Core §10.1; OIDF IdTokenSignature (OP-IDToken-kid). Without a ``kid``: a failure when
    the JWKS holds several signing keys, a warning when it holds one (Core §10.1 demands
    the ``kid`` only "when multiple keys are used").
    """
    kid = id_token.header.get("kid")
    if kid is None:
        (fail if len(signing_keys(jwks)) != 1 else warn)(
            "DISC-3",
            "the ID token header carries a kid",
            expected="a kid naming a JWKS key",
            actual=f"header without kid: {id_token.header}",
            source="Core §10.1",
        )
    if key_for_kid(jwks, kid) is None:
        fail(
            "DISC-3",
            "the ID token's kid names a signing key of the JWKS",
            expected=f"one of {kids(jwks)}",
            actual=repr(kid),
            computed_from=f"ID token header {id_token.header}",
            source="Core §10.1",
        )
