"""REF-1..7: refresh tokens, scope reduction and escalation, rotation, client binding (OAuth §6; Core §12)."""

import time

import pytest

from hybridcheck.checks.base import Findings
from hybridcheck.checks.id_token import check_at_hash, check_id_token_claims, check_id_token_signature
from hybridcheck.checks.refresh import (
    check_escalation_refused,
    check_no_front_channel_refresh_token,
    check_no_refresh_token,
    check_refresh_grants,
    check_refresh_token_issued,
    check_refreshed_id_token,
    check_rotated,
    check_userinfo_within_scope,
)
from hybridcheck.checks.token_endpoint import (
    check_client_authentication_refused,
    check_grant_refused,
    check_token_response_valid,
)
from hybridcheck.clock import wait_until_epoch
from hybridcheck.evidence import DecodedJwt
from hybridcheck.flows.token import one_client_per_auth_method, with_wrong_secret

# Every test here gets a refresh token (REF-2 judges a tenant that issues them only with offline_access).
pytestmark = [pytest.mark.matrix(modes=["fragment"]), pytest.mark.needs_capability("refresh_tokens")]

#: Each client in turn: ``main``, and ``other`` where the profile registers it.
ROLES = ["main", pytest.param("other", marks=pytest.mark.needs_client("other"))]


def _offline_flow(profile, complete, case, client="main"):
    """A completed flow asking ``openid profile email offline_access`` plus the API's scopes
    (with its audience); with ``prompt=consent`` unless the profile says the tenant grants
    ``offline_access`` without it (Core §11: "MUST ensure that the prompt parameter contains
    consent")."""
    api_scopes = list(profile.api.scopes) if profile.api else []
    scope = " ".join(["openid", "profile", "email", "offline_access", *api_scopes])
    extra = {"audience": profile.api.audience} if profile.api else {}
    if not profile.capabilities.offline_access_without_consent:
        extra["prompt"] = "consent"
    flow = complete(case, client=client, scope=scope, **extra)
    return flow, frozenset(scope.split()), check_refresh_token_issued(flow.tokens)


@pytest.fixture
def offline(profile, complete, case):
    """An offline flow of the test's own: for tests that refresh in a way of their own (a refresh
    token may rotate, so a second refresh of a shared one could be refused)."""
    return _offline_flow(profile, complete, case)


@pytest.fixture
def shared_offline(profile, shared_complete, shared_flows, tokens, case):
    """The worker's offline flow of the cell and its plain refresh, for tests that only read them.

    The refresh (without scope) is made with the flow, once, in the second after the token
    endpoint's ID token's ``iat``: RS256 signatures are deterministic, so a token newly issued in
    the same second with the same claims is byte for byte the first one (oidc-provider does that);
    a second later its ``iat`` differs, and only a replayed token stays the same (REF-3)."""
    flow, scope, refresh_token = _offline_flow(profile, shared_complete, case)

    def refresh():
        issued_at = flow.token_endpoint_claims.get("iat")
        wait_until_epoch(issued_at + 1 if isinstance(issued_at, int) else time.time() + 1)
        return tokens.refresh(refresh_token)

    return flow, scope, shared_flows.derived(flow.authorization, "plain refresh", refresh)


@pytest.fixture
def plain_refresh(shared_offline):
    """``shared_offline``'s refresh without scope."""
    return shared_offline[2]


def _access_claims(response):
    decoded = DecodedJwt.parse(response.access_token or "")
    return decoded.claims if decoded else None


@pytest.mark.req("TOK-1")
@pytest.mark.parametrize("role", ROLES)
def test_refresh_returns_a_valid_token_response(any_case, complete, tokens, profile, role):
    """OAuth §6: "the authorization server issues an access token as described in Section 5.1" —
    every rule of a token response holds for a refresh response too, for each client."""
    _, _, refresh_token = _offline_flow(profile, complete, any_case, client=role)
    check_token_response_valid(tokens.refresh(refresh_token, client=role))


@pytest.mark.negative
@pytest.mark.req("TOK-4")
def test_wrong_client_secret_is_invalid_client_at_the_refresh(any_case, complete, tokens, profile, target):
    """Each auth method the profile's clients use, with a refresh token of that client (OAuth §6:
    the client MUST authenticate); the code exchange is judged in test_token.py."""
    with Findings() as findings:
        for method, role in one_client_per_auth_method(target.clients).items():
            _, _, refresh_token = _offline_flow(profile, complete, any_case, client=role)
            refused = tokens.refresh(refresh_token, client=with_wrong_secret(target.clients[role]))
            findings.check(check_client_authentication_refused, refused, method, "refresh_token")


@pytest.mark.req("REF-1")
@pytest.mark.oidf("oidcc-refresh-token")
def test_offline_access_yields_a_refresh_token_only_from_the_token_endpoint(shared_offline):
    """The token endpoint's refresh token is checked by ``shared_offline`` itself."""
    flow, _, _ = shared_offline
    check_no_front_channel_refresh_token(flow.authorization)


@pytest.mark.req("REF-2")
def test_no_offline_access_no_refresh_token(case, complete, profile):
    if not profile.expectations.refresh_requires_offline_access:
        pytest.skip(f"profile {profile.name} does not expect refresh tokens only with offline_access "
                    "(an Auth0 behaviour, [expectations] refresh_requires_offline_access; no spec forbids them)")
    check_no_refresh_token(complete(case, scope="openid profile").tokens)


@pytest.mark.req("REF-3")
@pytest.mark.oidf("oidcc-refresh-token")
def test_refresh_without_scope_keeps_the_original_scope_and_identity(shared_offline, profile):
    """The refresh is made a second after the first ID token (``shared_offline`` says why)."""
    flow, scope, refreshed = shared_offline
    check_refresh_grants(refreshed, "REF-3", scope)
    check_refreshed_id_token(refreshed, flow.tokens.id_token, openid_granted=True,
                             expected=profile.expectations.refresh_id_token)


def _with_id_token(refreshed):
    """A refresh without scope that returned an ID token; none is optional (REF-3's business)."""
    if refreshed.id_token is None:
        pytest.skip("the refresh returned no ID token (optional by Core §12.2; judged by REF-3)")
    return refreshed


@pytest.mark.req("IDT-1")
def test_refresh_id_token_signature_verifies_with_the_jwks(plain_refresh, provider):
    """Core §12.2: a refresh ID token is validated like any other (§3.1.3.7: the signature)."""
    algs = provider.discovery.get("id_token_signing_alg_values_supported", [])
    check_id_token_signature(_with_id_token(plain_refresh).id_token, provider.jwks, algs)


@pytest.mark.req("IDT-2")
def test_refresh_id_token_claims_are_valid(plain_refresh, target, profile):
    """Core §12.2 → §3.1.3.7 items 2-3, 5, 9-10: iss, aud, azp, exp and a fresh iat."""
    expect = profile.expectations
    check_id_token_claims(_with_id_token(plain_refresh).id_token.claims, issuer=target.issuer,
                          client_id=target.main_client.client_id, now=time.time(),
                          trusted_audiences=expect.trusted_audiences, max_age_s=expect.id_token_max_age_s)


@pytest.mark.req("IDT-4")
def test_refresh_at_hash_matches_its_access_token_where_present(plain_refresh):
    """Core §12.2 → §3.3.3.9: an ``at_hash`` in a refresh ID token is the hash of the access token beside it."""
    refreshed = _with_id_token(plain_refresh)
    check_at_hash(refreshed.id_token, refreshed.access_token, required=False)


@pytest.mark.req("REF-4")
def test_refresh_with_reduced_scope_grants_exactly_that_then_the_original_again(any_case, complete, tokens, profile):
    """Reduced to ``openid email`` (and one API scope): the response's scope, the JWT access
    token's scope and what UserInfo answers the new token (email, no profile claims) all
    show the reduced set; a refresh without scope then grants the original set again. One
    cell: the rule does not depend on the response type, and UserInfo is rate-limited."""
    _, scope, refresh_token = _offline_flow(profile, complete, any_case)
    api_scopes = frozenset(profile.api.scopes) if profile.api else frozenset()
    reduced = frozenset({"openid", "email", *sorted(api_scopes)[:1]})
    narrowed = tokens.refresh(refresh_token, scope=" ".join(sorted(reduced)))
    check_refresh_grants(narrowed, "REF-4", reduced, access_token_claims=_access_claims(narrowed), api_scopes=api_scopes)
    check_userinfo_within_scope(tokens.userinfo(narrowed.access_token), reduced, profile.user.claims)
    follow_up = tokens.refresh(narrowed.refresh_token or refresh_token)
    check_refresh_grants(follow_up, "REF-4", scope, access_token_claims=_access_claims(follow_up), api_scopes=api_scopes)


@pytest.mark.req("REF-3")
def test_refresh_without_openid_returns_no_id_token(offline, tokens, profile):
    _, scope, refresh_token = offline
    without_openid = scope - {"openid"}
    refreshed = tokens.refresh(refresh_token, scope=" ".join(sorted(without_openid)))
    check_refresh_grants(refreshed, "REF-3", without_openid)
    check_refreshed_id_token(refreshed, None, openid_granted=False, expected=profile.expectations.refresh_id_token)


@pytest.mark.negative
@pytest.mark.req("REF-5")
def test_refresh_never_grants_a_scope_not_originally_granted(offline, tokens, profile):
    _, scope, refresh_token = offline
    extra = "phone" if "phone" not in scope else "address"
    escalated = tokens.refresh(refresh_token, scope=" ".join(sorted(scope | {extra})))
    check_escalation_refused(escalated, extra, accept_silent_drop=profile.expectations.accept_silent_scope_drop)


@pytest.mark.req("REF-6")
@pytest.mark.parametrize("role", ROLES)
def test_rotation_matches_the_profile(case, complete, tokens, profile, target, role):
    """Each client as the profile declares it: rotating (reuse revokes the family) or not (token stays usable)."""
    _, scope, refresh_token = _offline_flow(profile, complete, case, client=role)
    rotation = target.clients[role].refresh_rotation
    first = tokens.refresh(refresh_token, client=role)
    check_refresh_grants(first, "REF-6", scope)
    again = tokens.refresh(refresh_token, client=role)
    if rotation:
        check_rotated(first, refresh_token)
        check_grant_refused(again, "REF-6", "a rotated-out refresh token is refused")
        check_grant_refused(tokens.refresh(first.refresh_token, client=role), "REF-6", "reuse revokes the token family")
    else:
        check_refresh_grants(again, "REF-6", scope)


@pytest.mark.negative
@pytest.mark.req("REF-7")
@pytest.mark.needs_client("other")
def test_refresh_token_works_only_for_its_client(offline, tokens):
    _, _, refresh_token = offline
    refused = tokens.refresh(refresh_token, client="other")
    check_grant_refused(refused, "REF-7", "a refresh token is refused to another client",
                        errors=("invalid_grant", "invalid_client"))
