"""DISC-1..3: discovery document, advertised matrix, and keys (Core Discovery §3-4, Core §10.1)."""

import pytest

from hybridcheck.checks.discovery import (
    check_discovery_valid,
    check_id_token_kid_in_jwks,
    check_jwks_valid,
)
from hybridcheck.checks.response import check_flow_succeeded
from hybridcheck.checks.wellformed import front_channel_id_token


@pytest.mark.req("DISC-1")
@pytest.mark.oidf("oidcc-server")
def test_discovery_document_is_valid_and_names_the_issuer(provider, target):
    check_discovery_valid(provider, target.issuer)


@pytest.mark.req("DISC-2")
def test_advertised_response_type_and_mode_are_served(case, shared_authorize):
    """A cell the tenant does not advertise is skipped (by ``case``); one it advertises must work."""
    check_flow_succeeded(shared_authorize(case), "DISC-2")


@pytest.mark.req("DISC-3")
@pytest.mark.oidf("oidcc-idtoken-signature")
def test_jwks_is_valid_and_every_signing_key_has_a_kid(provider):
    check_jwks_valid(provider)


@pytest.mark.req("DISC-3")
@pytest.mark.oidf("oidcc-idtoken-signature")
@pytest.mark.matrix(needs=["id_token"])
def test_id_token_kid_is_in_the_jwks(case, shared_authorize, provider):
    check_id_token_kid_in_jwks(front_channel_id_token(shared_authorize(case), "DISC-3"), provider.jwks)
