"""NONCE-1..2: the front-channel ID token carries the request's nonce; nonce is required (Core §3.3.2.11)."""

import pytest

from hybridcheck.checks.nonce import (
    check_front_channel_nonce,
    check_nonce_optional_without_id_token,
    check_nonce_required,
)


@pytest.mark.req("NONCE-1")
@pytest.mark.oidf("oidcc-server")
@pytest.mark.matrix(needs=["id_token"])
def test_front_channel_id_token_carries_the_nonce(case, shared_authorize):
    check_front_channel_nonce(shared_authorize(case))


#: Nonces of the shapes a client may send (Core §3.1.2.1: "a string value"), each echoed byte for byte.
NONCE_SHAPES = [
    pytest.param("n", id="one-character"),
    pytest.param("n" * 300, id="300-characters"),
    pytest.param("AZaz09-._~" * 3, id="unreserved-characters"),
    pytest.param("a b+c/d=e&f#g%h?i:j;k,l@m!n$o'p(q)r*s", id="characters-percent-encoded-in-the-url"),
    pytest.param("nonce-éß中✓", id="non-ascii"),
]


@pytest.mark.req("NONCE-1")
@pytest.mark.parametrize("nonce", NONCE_SHAPES)
@pytest.mark.matrix(needs=["id_token"], lacks=["token"], modes=["fragment"])
def test_nonce_of_any_shape_comes_back_byte_for_byte(case, authorize, nonce):
    """One cell: how a nonce is carried and copied does not depend on the response type."""
    check_front_channel_nonce(authorize(case, nonce=nonce))


@pytest.mark.negative
@pytest.mark.req("NONCE-2")
@pytest.mark.oidf("oidcc-ensure-request-without-nonce-fails")
@pytest.mark.matrix(needs=["id_token"])
def test_request_without_nonce_is_refused(case, shared_authorize):
    check_nonce_required(shared_authorize(case, nonce=None))


@pytest.mark.req("NONCE-2")
@pytest.mark.oidf("oidcc-ensure-request-without-nonce-fails")
@pytest.mark.matrix(lacks=["id_token"])
def test_code_token_without_nonce_succeeds(case, authorize):
    check_nonce_optional_without_id_token(authorize(case, nonce=None))
