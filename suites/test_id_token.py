"""IDT-1..4: the front-channel ID token is signed, valid, and binds the code and token (Core §3.3.2.11-12)."""

import time

import pytest

from hybridcheck.checks.id_token import (
    check_at_hash,
    check_c_hash,
    check_id_token_claims,
    check_id_token_signature,
)
from hybridcheck.checks.wellformed import front_channel_id_token

pytestmark = pytest.mark.matrix(needs=["id_token"])


@pytest.mark.req("IDT-1")
@pytest.mark.oidf("oidcc-idtoken-signature")
def test_id_token_signature_verifies_with_the_jwks(case, authorize, provider):
    algs = provider.discovery.get("id_token_signing_alg_values_supported", [])
    check_id_token_signature(front_channel_id_token(authorize(case), "IDT-1"), provider.jwks, algs)


@pytest.mark.req("IDT-2")
@pytest.mark.oidf("oidcc-server")
def test_id_token_claims_are_valid(case, authorize, target):
    claims = front_channel_id_token(authorize(case), "IDT-2").claims
    check_id_token_claims(claims, issuer=target.issuer, client_id=target.main_client.client_id, now=time.time())


@pytest.mark.req("IDT-3")
@pytest.mark.oidf("oidcc-server")
def test_c_hash_matches_the_code(case, authorize):
    response = authorize(case)
    check_c_hash(front_channel_id_token(response, "IDT-3"), response.params.get("code", ""))


@pytest.mark.req("IDT-4")
@pytest.mark.oidf("oidcc-server")
@pytest.mark.matrix(needs=["id_token", "token"])
def test_at_hash_matches_the_access_token(case, authorize):
    response = authorize(case)
    check_at_hash(front_channel_id_token(response, "IDT-4"), response.params.get("access_token"), required=True)
