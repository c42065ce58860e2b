"""TOK-1..7, NONCE-3, IDT-5, IDT-6: exchanging the code, the tokens it yields, UserInfo (OAuth §4.1.3, §5)."""

from dataclasses import replace

import pytest

from hybridcheck.checks.id_token import check_custom_claims
from hybridcheck.checks.nonce import check_token_endpoint_nonce
from hybridcheck.checks.response import check_flow_succeeded
from hybridcheck.checks.token_endpoint import (
    check_api_access_token,
    check_first_tokens_revoked,
    check_grant_refused,
    check_same_subject,
    check_token_response_valid,
    check_userinfo_subject,
)
from hybridcheck.evidence import DecodedJwt


@pytest.fixture
def api(profile):
    if profile.api is None:
        pytest.skip(f"profile {profile.name} names no [api] (audience)")
    return profile.api


def _api_request(api, profile) -> dict:
    extra = {"audience": api.audience, "scope": " ".join(["openid", "profile", "email", *api.scopes])}
    return extra | ({"organization": profile.organization} if profile.organization else {})


@pytest.mark.smoke
@pytest.mark.req("TOK-1")
@pytest.mark.oidf("oidcc-server-client-secret-post")
def test_code_exchange_returns_a_valid_token_response(case, complete):
    check_token_response_valid(complete(case).tokens)


@pytest.mark.req("TOK-1")
def test_code_exchange_works_for_every_registered_client(any_case, complete, target):
    """Each client with its own auth method (the local profile has one post, one basic)."""
    for role in target.clients:
        check_token_response_valid(complete(any_case, client=role).tokens)


@pytest.mark.negative
@pytest.mark.req("TOK-2")
@pytest.mark.parametrize("variant", ["missing", "other-registered", "trailing-slash"])
def test_token_endpoint_redirect_uri_must_match(any_case, authorize, tokens, target, variant):
    response = authorize(any_case)
    check_flow_succeeded(response, "TOK-2")
    sent = response.request.redirect_uri
    others = [uri for uri in target.main_client.redirect_uris if uri != sent]
    if variant == "other-registered" and not others:
        pytest.skip("the main client has a single redirect_uri registered")
    wrong = {"missing": None, "other-registered": others[0] if others else None, "trailing-slash": sent + "/"}[variant]
    refused = tokens.exchange(response.params["code"], wrong)
    # OAuth §5.2: a missing required parameter is invalid_request; a wrong one invalid_grant (§4.1.3).
    errors = ("invalid_grant", "invalid_request") if wrong is None else ("invalid_grant",)
    check_grant_refused(refused, "TOK-2", "a redirect_uri other than the authorization request's is refused",
                        errors=errors)


@pytest.mark.negative
@pytest.mark.req("TOK-3")
@pytest.mark.oidf("oidcc-codereuse")
def test_code_is_single_use(any_case, complete, tokens, profile):
    first = complete(any_case)
    check_token_response_valid(first.tokens, "TOK-3")
    replay = tokens.exchange(first.authorization.params["code"], first.authorization.request.redirect_uri)
    check_grant_refused(replay, "TOK-3", "a code is single-use")
    check_first_tokens_revoked(tokens.userinfo(first.tokens.access_token), strict=profile.strict_code_reuse_revocation)


@pytest.mark.negative
@pytest.mark.req("TOK-4")
def test_wrong_client_secret_is_invalid_client(any_case, authorize, tokens, target):
    response = authorize(any_case)
    check_flow_succeeded(response, "TOK-4")
    impostor = replace(target.main_client, client_secret=target.main_client.client_secret + "-wrong")
    refused = tokens.exchange(response.params["code"], response.request.redirect_uri, client=impostor)
    check_grant_refused(refused, "TOK-4", "a wrong client secret is refused", errors=("invalid_client",), status=401)


@pytest.mark.negative
@pytest.mark.req("TOK-4")
def test_code_cannot_be_redeemed_by_another_client(any_case, authorize, tokens, target):
    if "other" not in target.clients:
        pytest.skip("profile registers no [clients.other]")
    response = authorize(any_case)
    check_flow_succeeded(response, "TOK-4")
    refused = tokens.exchange(response.params["code"], response.request.redirect_uri, client="other")
    check_grant_refused(refused, "TOK-4", "a code issued to one client is refused to another")


@pytest.mark.auth0
@pytest.mark.req("TOK-5")
def test_api_access_token_is_a_verifiable_jwt(case, complete, api, profile, provider, target):
    flow = complete(case, **_api_request(api, profile))
    check_api_access_token(
        flow.tokens.access_token,
        jwks=provider.jwks,
        algs=provider.discovery.get("id_token_signing_alg_values_supported", ["RS256"]),
        issuer=target.issuer,
        audience=api.audience,
        api_scopes=api.scopes,
    )


def _check_userinfo(flow, tokens, style):
    """TOK-6: UserInfo answers the flow's access token, for the ID token's ``sub`` (Core §5.3.2)."""
    check_token_response_valid(flow.tokens, "TOK-6")
    claims = flow.tokens.id_token.claims if flow.tokens.id_token else flow.front_channel_claims
    check_userinfo_subject(tokens.userinfo(flow.tokens.access_token, style), claims.get("sub"), style)


@pytest.mark.req("TOK-6")
@pytest.mark.oidf("oidcc-userinfo-get")
@pytest.mark.matrix(modes=["fragment"])
def test_userinfo_answers_the_access_token_of_each_response_type(case, complete, tokens):
    _check_userinfo(complete(case), tokens, "get-header")


@pytest.mark.req("TOK-6")
@pytest.mark.parametrize("style", [
    pytest.param("post-header", id="post-header", marks=pytest.mark.oidf("oidcc-userinfo-post-header")),
    pytest.param("post-body", id="post-body", marks=pytest.mark.oidf("oidcc-userinfo-post-body")),
])
def test_userinfo_takes_the_access_token_in_a_post(any_case, complete, tokens, profile, style):
    """RFC 6750 §2.1/§2.2: how the token travels does not depend on the response type, so one
    cell; UserInfo calls are rate-limited (Auth0: 5 a minute per user)."""
    if style == "post-body" and not profile.capabilities.userinfo_post_body:
        pytest.skip(f"profile {profile.name} says UserInfo does not take the token in a POST body")
    _check_userinfo(complete(any_case), tokens, style)


@pytest.mark.req("TOK-7")
@pytest.mark.oidf("oidcc-ensure-request-with-valid-pkce-succeeds")
@pytest.mark.parametrize("verifier", ["right", "wrong", "missing"])
def test_pkce_verifier_is_checked(any_case, authorize, tokens, profile, verifier):
    if not profile.capabilities.pkce:
        pytest.skip(f"profile {profile.name} says the tenant does not support PKCE")
    response = authorize(any_case, pkce=True)
    check_flow_succeeded(response, "TOK-7")
    sent = {"right": response.request.code_verifier, "wrong": "W" * 43, "missing": None}[verifier]
    result = tokens.exchange(response.params["code"], response.request.redirect_uri, code_verifier=sent)
    if verifier == "right":
        check_token_response_valid(result, "TOK-7")
    else:
        check_grant_refused(result, "TOK-7", f"a {verifier} code_verifier is refused (RFC 7636 §4.6)")


@pytest.mark.req("NONCE-3")
@pytest.mark.matrix(modes=["fragment"])
def test_token_endpoint_id_token_carries_the_nonce(case, complete):
    flow = complete(case)
    check_token_endpoint_nonce(flow.tokens.id_token.claims if flow.tokens.id_token else {}, flow.authorization.request.nonce)


@pytest.mark.req("IDT-5")
@pytest.mark.matrix(needs=["id_token"])
def test_token_endpoint_id_token_has_the_same_subject(case, complete):
    flow = complete(case)
    check_same_subject(flow.front_channel_claims, flow.tokens.id_token.claims if flow.tokens.id_token else None)


@pytest.mark.auth0
@pytest.mark.req("IDT-6")
@pytest.mark.matrix(modes=["fragment"])
def test_expected_custom_claims_are_present(case, complete, profile, api):
    flow = complete(case, **_api_request(api, profile))
    expected_id = dict(profile.id_token_claims) | ({"org_id": profile.organization} if profile.organization else {})
    id_claims = flow.tokens.id_token.claims if flow.tokens.id_token else {}
    check_custom_claims(id_claims, expected_id, "token-endpoint ID token")
    if flow.authorization.id_token:
        check_custom_claims(flow.front_channel_claims, expected_id, "front-channel ID token")
    access = DecodedJwt.parse(flow.tokens.access_token or "")
    check_custom_claims(access.claims if access else {}, profile.access_token_claims, "API access token")
