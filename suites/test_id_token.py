"""IDT-1..5: every ID token of a flow is signed and valid, binds the code and token, and keeps its subject.

The front channel's ID token (Core §3.3.2.11-12) is judged from the authorization response
alone; the token endpoint's (Core §3.3.3.7, for every response type, ``code token`` too)
from the completed flow; the refresh ID token in test_refresh.py.
"""

import time

import pytest

from hybridcheck.checks.id_token import (
    check_at_hash,
    check_c_hash,
    check_id_token_claims,
    check_id_token_signature,
    check_subject_unchanged,
    flow_id_tokens,
)
from hybridcheck.checks.wellformed import front_channel_id_token


def _token_endpoint_id_token(flow):
    """The token endpoint's ID token; its absence is TOK-1's finding, not this requirement's."""
    if flow.tokens.id_token is None:
        pytest.skip("the token response holds no ID token (judged by TOK-1)")
    return flow.tokens.id_token


def _check_claims(claims, target, profile):
    expect = profile.expectations
    check_id_token_claims(claims, issuer=target.issuer, client_id=target.main_client.client_id, now=time.time(),
                          trusted_audiences=expect.trusted_audiences, max_age_s=expect.id_token_max_age_s)


@pytest.mark.req("IDT-1")
@pytest.mark.oidf("oidcc-idtoken-signature")
@pytest.mark.matrix(needs=["id_token"])
def test_front_channel_id_token_signature_verifies_with_the_jwks(case, shared_authorize, provider):
    algs = provider.discovery.get("id_token_signing_alg_values_supported", [])
    check_id_token_signature(front_channel_id_token(shared_authorize(case), "IDT-1"), provider.jwks, algs)


@pytest.mark.req("IDT-1")
@pytest.mark.oidf("oidcc-idtoken-signature")
@pytest.mark.matrix(modes=["fragment"])
def test_token_endpoint_id_token_signature_verifies_with_the_jwks(case, shared_complete, provider):
    """Core §3.3.3.7: the token endpoint's ID token is validated as in §3.1.3.7, signature first."""
    algs = provider.discovery.get("id_token_signing_alg_values_supported", [])
    check_id_token_signature(_token_endpoint_id_token(shared_complete(case)), provider.jwks, algs)


@pytest.mark.req("IDT-2")
@pytest.mark.oidf("oidcc-server")
@pytest.mark.matrix(needs=["id_token"])
def test_front_channel_id_token_claims_are_valid(case, shared_authorize, target, profile):
    _check_claims(front_channel_id_token(shared_authorize(case), "IDT-2").claims, target, profile)


@pytest.mark.req("IDT-2")
@pytest.mark.oidf("oidcc-server")
@pytest.mark.matrix(modes=["fragment"])
def test_token_endpoint_id_token_claims_are_valid(case, shared_complete, target, profile):
    """Core §3.3.3.7 → §3.1.3.7 items 2-3, 5, 9-10: iss, aud, azp, exp, iat of the token endpoint's ID token."""
    _check_claims(_token_endpoint_id_token(shared_complete(case)).claims, target, profile)


@pytest.mark.req("IDT-3")
@pytest.mark.oidf("oidcc-server")
@pytest.mark.matrix(needs=["id_token"])
def test_c_hash_matches_the_code(case, shared_authorize):
    response = shared_authorize(case)
    check_c_hash(front_channel_id_token(response, "IDT-3"), response.params.get("code", ""))


@pytest.mark.req("IDT-4")
@pytest.mark.oidf("oidcc-server")
@pytest.mark.matrix(needs=["id_token", "token"])
def test_front_channel_at_hash_matches_the_access_token(case, shared_authorize):
    response = shared_authorize(case)
    check_at_hash(front_channel_id_token(response, "IDT-4"), response.params.get("access_token"), required=True)


@pytest.mark.req("IDT-4")
@pytest.mark.matrix(modes=["fragment"])
def test_token_endpoint_at_hash_matches_its_access_token_where_present(case, shared_complete):
    """Core §3.3.3.9 (§3.2.2.9): an ``at_hash`` in the token endpoint's ID token is optional,
    and when present it is the hash of the access token returned beside it."""
    flow = shared_complete(case)
    check_at_hash(_token_endpoint_id_token(flow), flow.tokens.access_token, required=False)


@pytest.fixture(scope="session")
def first_subject() -> dict[str, tuple[str, str]]:
    """IDT-5's run record (per worker): the first ``sub`` seen for the test user, and where."""
    return {}


@pytest.mark.req("IDT-5")
@pytest.mark.matrix(modes=["fragment"])
def test_the_user_keeps_its_sub_across_flows(request, case, shared_complete, complete, first_subject):
    """Core §2: a ``sub`` is "never reassigned" — two flows of the same user here, and the
    cells of this test before it in the run, yield one ``sub`` in every ID token (within one
    flow, front channel against token endpoint: IDT-5 in test_token.py)."""
    flows = [shared_complete(case), complete(case)]
    seen = [(f"{where} of flow {number} of {request.node.name}", token.claims.get("sub"))
            for number, flow in enumerate(flows, 1)
            for where, token in flow_id_tokens(flow).items()]
    if not seen:
        pytest.skip("the flows yielded no ID token (judged by RESP-1 and TOK-1)")
    where, sub = seen[0]
    first = first_subject.setdefault("user", (sub, where))
    for later_where, later_sub in seen:
        check_subject_unchanged(first, later_sub, later_where)
