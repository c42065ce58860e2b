"""STATE-1 to STATE-3: state echoed byte-for-byte, never invented, carried by errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from hybridcheck.checks.state import check_error_carries_state, check_no_state_returned, check_state_echoed
from hybridcheck.evidence import AuthorizationResponse

from .kit import Signer, auth_request, error_response, fails, good_response, stayed_at_tenant, with_params

Make = Callable[[Signer], AuthorizationResponse]
HARD_STATES = [
    "plain",
    "with space & ampersand = equals + plus % percent # hash",
    "a%2Bb%20c",
    "ünïcödé ✓ 状態",
    "x" * 600,
]


@pytest.mark.parametrize("mode", [None, "form_post"])
@pytest.mark.parametrize("state", HARD_STATES, ids=lambda value: value[:12])
def test_state_echoed_exactly_passes(signer: Signer, state: str, mode: str | None) -> None:
    check_state_echoed(good_response(signer, "code id_token", mode, state=state))


BROKEN_ECHO: list[Any] = [
    pytest.param(
        lambda s: with_params(good_response(s, state="a%2Bb"), state="a+b"), "decoded once more", id="double-decoded"
    ),
    pytest.param(
        lambda s: with_params(good_response(s, state="a b"), state="a%20b"), "encoded once more", id="double-encoded"
    ),
    pytest.param(
        lambda s: with_params(good_response(s, state="x" * 600), state="x" * 255), "truncated after 255", id="truncated"
    ),
    pytest.param(lambda s: with_params(good_response(s), state=None), "<absent>", id="absent"),
    pytest.param(lambda s: with_params(good_response(s), state="other"), "'other' (5 characters)", id="different"),
    pytest.param(lambda s: with_params(good_response(s, state="é"), state="Ã©"), "'Ã©' (2 characters)", id="mojibake"),
    pytest.param(lambda s: stayed_at_tenant(auth_request()), "no response reached the client", id="never delivered"),
]


@pytest.mark.parametrize(("make", "shown"), BROKEN_ECHO)
def test_state_not_echoed_fails(signer: Signer, make: Make, shown: str) -> None:
    with fails("STATE-1") as info:
        check_state_echoed(make(signer))
    assert shown in str(info.value)


def test_no_state_sent_none_returned_passes(signer: Signer) -> None:
    check_no_state_returned(good_response(signer, state=None))


@pytest.mark.parametrize("returned", ["invented", ""])
def test_state_returned_without_being_sent_fails(signer: Signer, returned: str) -> None:
    with fails("STATE-2"):
        check_no_state_returned(with_params(good_response(signer, state=None), state=returned))


GOOD_ERRORS: list[Any] = [
    pytest.param(lambda s: stayed_at_tenant(auth_request()), id="error page at the tenant"),
    pytest.param(lambda s: error_response(auth_request(state="a b&c"), "login_required"), id="fragment error"),
    pytest.param(
        lambda s: error_response(auth_request(response_mode="form_post"), "access_denied"), id="form_post error"
    ),
]


@pytest.mark.parametrize("make", GOOD_ERRORS)
def test_error_with_state_passes(signer: Signer, make: Make) -> None:
    check_error_carries_state(make(signer))


BROKEN_ERRORS: list[Any] = [
    pytest.param(lambda s: with_params(error_response(auth_request()), state=None), id="error without state"),
    pytest.param(lambda s: with_params(error_response(auth_request()), state="other"), id="error with another state"),
    pytest.param(lambda s: good_response(s), id="not an error"),
]


@pytest.mark.parametrize("make", BROKEN_ERRORS)
def test_error_without_state_fails(signer: Signer, make: Make) -> None:
    with fails("STATE-3"):
        check_error_carries_state(make(signer))
