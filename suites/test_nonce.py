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
def test_front_channel_id_token_carries_the_nonce(case, authorize):
    check_front_channel_nonce(authorize(case))


@pytest.mark.negative
@pytest.mark.req("NONCE-2")
@pytest.mark.oidf("oidcc-ensure-request-without-nonce-fails")
@pytest.mark.matrix(needs=["id_token"])
def test_request_without_nonce_is_refused(case, authorize):
    check_nonce_required(authorize(case, nonce=None))


@pytest.mark.req("NONCE-2")
@pytest.mark.oidf("oidcc-ensure-request-without-nonce-fails")
@pytest.mark.matrix(lacks=["id_token"])
def test_code_token_without_nonce_succeeds(case, authorize):
    check_nonce_optional_without_id_token(authorize(case, nonce=None))
