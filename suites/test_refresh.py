"""REF-1..7: refresh tokens, scope reduction and escalation, rotation, client binding (OAuth §6; Core §12)."""

import pytest

from hybridcheck.checks.refresh import (
    check_escalation_refused,
    check_no_front_channel_refresh_token,
    check_no_refresh_token,
    check_refresh_grants,
    check_refresh_token_issued,
    check_refreshed_id_token,
    check_rotated,
)
from hybridcheck.checks.token_endpoint import check_grant_refused
from hybridcheck.evidence import DecodedJwt

pytestmark = pytest.mark.matrix(modes=["fragment"])


def _offline_flow(profile, complete, case, client="main"):
    """A completed flow asking ``openid offline_access`` plus the API's scopes (with its audience)."""
    if not profile.capabilities.refresh_tokens:
        pytest.skip(f"profile {profile.name} says the tenant issues no refresh tokens")
    api_scopes = list(profile.api.scopes) if profile.api else []
    scope = " ".join(["openid", "offline_access", *api_scopes])
    extra = {"audience": profile.api.audience} if profile.api else {}
    flow = complete(case, client=client, scope=scope, **extra)
    return flow, frozenset(scope.split()), check_refresh_token_issued(flow.tokens)


@pytest.fixture
def offline(profile, complete, case):
    return _offline_flow(profile, complete, case)


def _access_claims(response):
    decoded = DecodedJwt.parse(response.access_token or "")
    return decoded.claims if decoded else None


@pytest.mark.req("REF-1")
@pytest.mark.oidf("oidcc-refresh-token")
def test_offline_access_yields_a_refresh_token_only_from_the_token_endpoint(offline):
    flow, _, _ = offline
    check_no_front_channel_refresh_token(flow.authorization)


@pytest.mark.req("REF-2")
def test_no_offline_access_no_refresh_token(case, complete):
    check_no_refresh_token(complete(case, scope="openid profile").tokens)


@pytest.mark.req("REF-3")
@pytest.mark.oidf("oidcc-refresh-token")
def test_refresh_without_scope_keeps_the_original_scope_and_identity(offline, tokens):
    flow, scope, refresh_token = offline
    refreshed = tokens.refresh(refresh_token)
    check_refresh_grants(refreshed, "REF-3", scope)
    original = flow.tokens.id_token.claims if flow.tokens.id_token else {}
    check_refreshed_id_token(refreshed, original, openid_granted=True)


@pytest.mark.req("REF-4")
def test_refresh_with_reduced_scope_grants_exactly_that_then_the_original_again(offline, tokens, profile):
    flow, scope, refresh_token = offline
    api_scopes = frozenset(profile.api.scopes) if profile.api else frozenset()
    reduced = frozenset({"openid", *sorted(api_scopes)[:1]})
    narrowed = tokens.refresh(refresh_token, scope=" ".join(sorted(reduced)))
    check_refresh_grants(narrowed, "REF-4", reduced, access_token_claims=_access_claims(narrowed), api_scopes=api_scopes)
    follow_up = tokens.refresh(narrowed.refresh_token or refresh_token)
    check_refresh_grants(follow_up, "REF-4", scope, access_token_claims=_access_claims(follow_up), api_scopes=api_scopes)


@pytest.mark.req("REF-3")
def test_refresh_without_openid_returns_no_id_token(offline, tokens):
    _, scope, refresh_token = offline
    without_openid = scope - {"openid"}
    refreshed = tokens.refresh(refresh_token, scope=" ".join(sorted(without_openid)))
    check_refresh_grants(refreshed, "REF-3", without_openid)
    check_refreshed_id_token(refreshed, {}, openid_granted=False)


@pytest.mark.negative
@pytest.mark.req("REF-5")
def test_refresh_never_grants_a_scope_not_originally_granted(offline, tokens, profile):
    _, scope, refresh_token = offline
    extra = "phone" if "phone" not in scope else "address"
    escalated = tokens.refresh(refresh_token, scope=" ".join(sorted(scope | {extra})))
    check_escalation_refused(escalated, extra, accept_silent_drop=profile.accept_silent_scope_drop)


@pytest.mark.req("REF-6")
@pytest.mark.parametrize("role", ["main", "other"])
def test_rotation_matches_the_profile(case, complete, tokens, profile, target, role):
    """Each client as the profile declares it: rotating (reuse revokes the family) or not (token stays usable)."""
    if role not in target.clients:
        pytest.skip(f"profile registers no [clients.{role}]")
    _, scope, refresh_token = _offline_flow(profile, complete, case, client=role)
    rotation = target.clients[role].refresh_rotation or profile.capabilities.refresh_rotation
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
def test_refresh_token_works_only_for_its_client(offline, tokens, target):
    if "other" not in target.clients:
        pytest.skip("profile registers no [clients.other]")
    _, _, refresh_token = offline
    refused = tokens.refresh(refresh_token, client="other")
    check_grant_refused(refused, "REF-7", "a refresh token is refused to another client",
                        errors=("invalid_grant", "invalid_client"), status=400)
