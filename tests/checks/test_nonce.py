"""NONCE-1 to NONCE-3: nonce bound into ID tokens and required where the front channel returns one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from hybridcheck.checks.nonce import (
    check_front_channel_nonce,
    check_nonce_optional_without_id_token,
    check_nonce_required,
    check_token_endpoint_nonce,
)
from hybridcheck.evidence import AuthorizationRequest, AuthorizationResponse

from .kit import (
    NONCE,
    Signer,
    auth_request,
    delivered,
    error_response,
    fails,
    good_response,
    id_token_claims,
    stayed_at_tenant,
    with_params,
)

Make = Callable[[Signer], AuthorizationResponse]


@pytest.mark.parametrize("rt", ["code id_token", "code id_token token"])
def test_front_channel_nonce_passes(signer: Signer, rt: str) -> None:
    check_front_channel_nonce(good_response(signer, rt))


BROKEN_FRONT_CHANNEL: list[Any] = [
    pytest.param(
        lambda s: with_params(good_response(s), id_token=s.token(id_token_claims(nonce="other"))), id="other nonce"
    ),
    pytest.param(
        lambda s: with_params(good_response(s), id_token=s.token(id_token_claims(nonce=None))), id="nonce missing"
    ),
    pytest.param(lambda s: with_params(good_response(s), id_token=None), id="no ID token"),
]


@pytest.mark.parametrize("make", BROKEN_FRONT_CHANNEL)
def test_front_channel_nonce_broken_fails(signer: Signer, make: Make) -> None:
    with fails("NONCE-1"):
        check_front_channel_nonce(make(signer))


def without_nonce(rt: str, mode: str | None = None) -> AuthorizationRequest:
    return auth_request(rt, mode, nonce=None)


REFUSED_WITHOUT_NONCE: list[Any] = [
    pytest.param(lambda s: stayed_at_tenant(without_nonce("code id_token")), id="error page"),
    pytest.param(
        lambda s: error_response(without_nonce("code id_token token"), "invalid_request"), id="error by fragment"
    ),
    pytest.param(
        lambda s: error_response(without_nonce("code id_token", "form_post"), "invalid_request"),
        id="error by form_post",
    ),
]


@pytest.mark.parametrize("make", REFUSED_WITHOUT_NONCE)
def test_request_without_nonce_refused_passes(signer: Signer, make: Make) -> None:
    check_nonce_required(make(signer))


ANSWERED_WITHOUT_NONCE: list[Any] = [
    pytest.param(lambda s: good_response(s, "code id_token", nonce=None), id="ID token issued"),
    pytest.param(
        lambda s: good_response(s, "code id_token token", "form_post", nonce=None), id="ID token by form_post"
    ),
    pytest.param(lambda s: delivered(without_nonce("code id_token"), {"code": "c0de-value"}), id="code only"),
    pytest.param(
        lambda s: error_response(without_nonce("code id_token"), id_token=s.token(id_token_claims())),
        id="error carrying an ID token",
    ),
]


@pytest.mark.parametrize("make", ANSWERED_WITHOUT_NONCE)
def test_request_without_nonce_answered_fails(signer: Signer, make: Make) -> None:
    with fails("NONCE-2"):
        check_nonce_required(make(signer))


def test_code_token_without_nonce_succeeds(signer: Signer) -> None:
    check_nonce_optional_without_id_token(good_response(signer, "code token", nonce=None))


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda s: stayed_at_tenant(without_nonce("code token")), id="error page"),
        pytest.param(lambda s: error_response(without_nonce("code token"), "invalid_request"), id="error"),
    ],
)
def test_code_token_without_nonce_refused_fails(signer: Signer, make: Make) -> None:
    with fails("NONCE-2"):
        check_nonce_optional_without_id_token(make(signer))


@pytest.mark.parametrize(
    ("check", "rt", "nonce"),
    [
        (check_nonce_required, "code id_token", NONCE),
        (check_nonce_required, "code token", None),
        (check_nonce_optional_without_id_token, "code id_token", None),
        (check_nonce_optional_without_id_token, "code token", NONCE),
    ],
)
def test_nonce_checks_refuse_requests_they_do_not_judge(
    signer: Signer, check: Callable[[AuthorizationResponse], None], rt: str, nonce: str | None
) -> None:
    with pytest.raises(ValueError):
        check(good_response(signer, rt, nonce=nonce))


def test_token_endpoint_nonce_passes() -> None:
    check_token_endpoint_nonce(id_token_claims(), NONCE)


@pytest.mark.parametrize(
    "claims",
    [id_token_claims(nonce=None), id_token_claims(nonce="other"), id_token_claims(nonce=NONCE.upper())],
    ids=["missing", "other", "case"],
)
def test_token_endpoint_nonce_broken_fails(claims: dict[str, Any]) -> None:
    with fails("NONCE-3"):
        check_token_endpoint_nonce(claims, NONCE)
