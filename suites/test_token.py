"""TOK-1..7, NONCE-3, IDT-5, IDT-6: exchanging the code, the tokens it yields, UserInfo (OAuth §4.1.3, §5)."""

import secrets
from urllib.parse import urlsplit, urlunsplit

import pytest

from hybridcheck.checks.base import Findings
from hybridcheck.checks.id_token import check_custom_claims
from hybridcheck.checks.nonce import check_token_endpoint_nonce
from hybridcheck.checks.response import check_flow_succeeded
from hybridcheck.checks.token_endpoint import (
    check_api_access_token,
    check_client_authentication_refused,
    check_first_tokens_revoked,
    check_grant_refused,
    check_same_subject,
    check_token_error_response,
    check_token_response_valid,
    check_tokens_issued,
    check_userinfo_refuses_invalid_token,
    check_userinfo_subject,
)
from hybridcheck.evidence import DecodedJwt
from hybridcheck.flows.token import one_client_per_auth_method, with_wrong_secret


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
def test_code_exchange_returns_a_valid_token_response(case, shared_complete):
    check_token_response_valid(shared_complete(case).tokens)


@pytest.mark.req("TOK-1")
def test_code_exchange_works_for_every_registered_client(any_case, complete, target):
    """Each client with its own auth method (the local profile has one post, one basic)."""
    for role in target.clients:
        check_token_response_valid(complete(any_case, client=role).tokens)


def _unknown(kind: str) -> str:
    """A value of ``kind`` the tenant never issued."""
    return f"hybridcheck-unknown-{kind}-{secrets.token_urlsafe(16)}"


@pytest.mark.negative
@pytest.mark.req("TOK-1")
def test_every_token_endpoint_error_is_an_oauth_error_response(any_case, authorize, tokens, target, profile):
    """OAuth §5.2: each kind of error the suite provokes, judged once here for its status
    (400; 400 or 401 for invalid_client) and its JSON body; the tests of TOK-2..7 and REF-*
    judge only the error code. A mistake that is not refused at all is left to the test of
    the requirement demanding the refusal (its ID beside each case), unless that is TOK-1."""

    def fresh(**overrides):
        response = authorize(any_case, **overrides)
        check_flow_succeeded(response, "TOK-1")
        return response.params["code"], response.request.redirect_uri

    code, redirect_uri = fresh()
    check_tokens_issued(tokens.exchange(code, redirect_uri), "TOK-1", "the code exchange works")
    other_code, other_uri = fresh()
    errors = {
        ("an unknown code", "TOK-1"): tokens.exchange(_unknown("code"), redirect_uri),
        ("a replayed code", "TOK-3"): tokens.exchange(code, redirect_uri),
        ("another redirect_uri", "TOK-2"): tokens.exchange(other_code, other_uri + "/"),
        ("an unknown refresh token", "TOK-1"): tokens.refresh(_unknown("refresh-token")),
    }
    for method, role in one_client_per_auth_method(target.clients).items():
        impostor = with_wrong_secret(target.clients[role])
        errors[(f"a wrong client secret ({method})", "TOK-4")] = tokens.exchange(_unknown("code"), redirect_uri,
                                                                                 client=impostor)
    if profile.capabilities.pkce:
        pkce = authorize(any_case, pkce=True)
        check_flow_succeeded(pkce, "TOK-1")
        errors[("a wrong code_verifier", "TOK-7")] = tokens.exchange(pkce.params["code"], pkce.request.redirect_uri,
                                                                     code_verifier="W" * 43)
    with Findings() as findings:
        for (provoked, demanded_by), response in errors.items():
            findings.check(check_token_error_response, response, provoked, demanded_by)


def _redirect_uri_variant(sent: str, variant: str) -> str:
    """``sent`` changed the way ``variant`` names; every one differs as a string (OAuth §4.1.3: identical)."""
    parts = urlsplit(sent)
    last = parts.path.rsplit("/", 1)
    letter = next(i for i, char in enumerate(last[-1]) if char.isalpha())
    encoded = last[-1][:letter] + f"%{ord(last[-1][letter]):02X}" + last[-1][letter + 1:]
    changed = {
        "trailing-slash": parts._replace(path=parts.path + "/"),
        "case": parts._replace(path=parts.path.upper()),
        "added-query": parts._replace(query="&".join(filter(None, [parts.query, "hybridcheck=1"]))),
        "changed-query": parts._replace(query=parts.query + "-changed"),
        "percent-encoding": parts._replace(path="/".join([*last[:-1], encoded])),
    }[variant]
    return urlunsplit(changed)


@pytest.mark.negative
@pytest.mark.req("TOK-2")
@pytest.mark.parametrize("variant", [
    "missing", pytest.param("other-registered", marks=pytest.mark.needs_client("main", redirect_uris=2)),
    "trailing-slash", "case", "added-query", "changed-query", "percent-encoding",
])
def test_token_endpoint_redirect_uri_must_match(any_case, authorize, tokens, target, variant):
    registered = target.main_client.redirect_uris
    with_query = [uri for uri in registered if urlsplit(uri).query]
    if variant == "changed-query" and not with_query:
        pytest.skip("the main client has no redirect_uri with a query registered")
    response = authorize(any_case, redirect_uri=with_query[0] if variant == "changed-query" else registered[0])
    check_flow_succeeded(response, "TOK-2")
    sent = response.request.redirect_uri
    if variant == "missing":
        wrong = None
    elif variant == "other-registered":
        wrong = next(uri for uri in registered if uri != sent)
    else:
        wrong = _redirect_uri_variant(sent, variant)
    refused = tokens.exchange(response.params["code"], wrong)
    # OAuth §5.2: a missing required parameter is invalid_request; a wrong one invalid_grant (§4.1.3).
    errors = ("invalid_grant", "invalid_request") if wrong is None else ("invalid_grant",)
    check_grant_refused(refused, "TOK-2", f"a redirect_uri other than the authorization request's ({variant}) "
                        "is refused", errors=errors)


@pytest.mark.negative
@pytest.mark.req("TOK-3")
@pytest.mark.oidf("oidcc-codereuse")
def test_code_is_single_use(any_case, complete, tokens, profile):
    first = complete(any_case)
    check_tokens_issued(first.tokens, "TOK-3", "the first exchange of a code works")
    replay = tokens.exchange(first.authorization.params["code"], first.authorization.request.redirect_uri)
    check_grant_refused(replay, "TOK-3", "a code is single-use")
    check_first_tokens_revoked(tokens.userinfo(first.tokens.access_token),
                               strict=profile.expectations.strict_code_reuse_revocation)


@pytest.mark.negative
@pytest.mark.req("TOK-4")
def test_wrong_client_secret_is_invalid_client_at_the_code_exchange(any_case, authorize, tokens, target):
    """Each auth method the profile's clients use (OAuth §2.3.1), its refusal as §5.2 says;
    the refresh grant is judged in test_refresh.py."""
    with Findings() as findings:
        for method, role in one_client_per_auth_method(target.clients).items():
            response = authorize(any_case, client=role)
            check_flow_succeeded(response, "TOK-4")
            refused = tokens.exchange(response.params["code"], response.request.redirect_uri,
                                      client=with_wrong_secret(target.clients[role]))
            findings.check(check_client_authentication_refused, refused, method, "authorization_code")


@pytest.mark.negative
@pytest.mark.req("TOK-4")
@pytest.mark.needs_client("other")
def test_code_cannot_be_redeemed_by_another_client(any_case, authorize, tokens, target):
    response = authorize(any_case)
    check_flow_succeeded(response, "TOK-4")
    refused = tokens.exchange(response.params["code"], response.request.redirect_uri, client="other")
    check_grant_refused(refused, "TOK-4", "a code issued to one client is refused to another")


@pytest.mark.auth0
@pytest.mark.req("TOK-5")
def test_api_access_token_is_a_verifiable_jwt(case, shared_complete, api, profile, provider, target):
    flow = shared_complete(case, **_api_request(api, profile))
    check_api_access_token(
        flow.tokens.access_token,
        jwks=provider.jwks,
        algs=provider.discovery.get("id_token_signing_alg_values_supported", ["RS256"]),
        issuer=target.issuer,
        audience=api.audience,
        api_scopes=api.scopes,
    )


def _subject(flow):
    return (flow.token_endpoint_claims or flow.front_channel_claims).get("sub")


def _check_userinfo(flow, tokens, style):
    """TOK-6: UserInfo answers the flow's access token, for the ID token's ``sub`` (Core §5.3.2)."""
    check_tokens_issued(flow.tokens, "TOK-6", "the code exchange works")
    check_userinfo_subject(tokens.userinfo(flow.tokens.access_token, style), _subject(flow), style)


@pytest.mark.req("TOK-6")
@pytest.mark.oidf("oidcc-userinfo-get")
@pytest.mark.matrix(modes=["fragment"])
def test_userinfo_answers_the_access_token_of_each_response_type(case, complete, tokens):
    """The token-endpoint access token, and for RTs with ``token`` the front-channel one too
    (Core §3.3.2.5: an access token like any other). One call each: UserInfo is rate-limited."""
    flow = complete(case)
    with Findings() as findings:
        findings.check(_check_userinfo, flow, tokens, "get-header")
        front = flow.authorization.params.get("access_token")  # present as RESP-1 demands, judged there
        if "token" in flow.authorization.request.response_type_values and front:
            findings.check(check_userinfo_subject, tokens.userinfo(front), _subject(flow), "get-header",
                           "front-channel")


@pytest.mark.req("TOK-6")
@pytest.mark.parametrize("style", [
    pytest.param("post-header", id="post-header", marks=pytest.mark.oidf("oidcc-userinfo-post-header")),
    pytest.param("post-body", id="post-body", marks=[pytest.mark.oidf("oidcc-userinfo-post-body"),
                                                     pytest.mark.needs_capability("userinfo_post_body")]),
])
def test_userinfo_takes_the_access_token_in_a_post(any_case, complete, tokens, style):
    """RFC 6750 §2.1/§2.2: how the token travels does not depend on the response type, so one
    cell; UserInfo calls are rate-limited (Auth0: 5 a minute per user)."""
    _check_userinfo(complete(any_case), tokens, style)


@pytest.mark.negative
@pytest.mark.req("TOK-6")
def test_userinfo_refuses_an_invalid_access_token(tokens):
    check_userinfo_refuses_invalid_token(tokens.userinfo(_unknown("access-token")))


@pytest.mark.req("TOK-7")
@pytest.mark.oidf("oidcc-ensure-request-with-valid-pkce-succeeds")
@pytest.mark.parametrize("verifier", ["right", "wrong", "missing", "downgrade"])
@pytest.mark.needs_capability("pkce")
def test_pkce_verifier_is_checked(any_case, authorize, tokens, verifier):
    """RFC 7636 §4.6; "downgrade": a verifier for a code issued without a challenge (Security BCP §2.1.1)."""
    response = authorize(any_case, pkce=verifier != "downgrade")
    check_flow_succeeded(response, "TOK-7")
    sent = {"right": response.request.code_verifier, "missing": None}.get(verifier, "W" * 43)
    result = tokens.exchange(response.params["code"], response.request.redirect_uri, code_verifier=sent)
    if verifier == "right":
        check_tokens_issued(result, "TOK-7", "the right code_verifier is accepted (RFC 7636 §4.6)")
    else:
        # OAuth §5.2: a missing required parameter may be invalid_request; a wrong one is invalid_grant
        errors = ("invalid_grant",) if verifier == "wrong" else ("invalid_grant", "invalid_request")
        check_grant_refused(result, "TOK-7", f"a {verifier} code_verifier is refused (RFC 7636 §4.6)", errors=errors)


@pytest.mark.req("NONCE-3")
@pytest.mark.matrix(modes=["fragment"])
def test_token_endpoint_id_token_carries_the_nonce(case, shared_complete):
    flow = shared_complete(case)
    check_token_endpoint_nonce(flow.token_endpoint_claims, flow.authorization.request.nonce)


@pytest.mark.req("IDT-5")
@pytest.mark.matrix(needs=["id_token"])
def test_token_endpoint_id_token_has_the_same_subject(case, shared_complete):
    flow = shared_complete(case)
    check_same_subject(flow.front_channel_claims, flow.token_endpoint_claims if flow.tokens.id_token else None)


@pytest.mark.auth0
@pytest.mark.req("IDT-6")
@pytest.mark.matrix(modes=["fragment"])
def test_expected_custom_claims_are_present(case, shared_complete, profile, api):
    flow = shared_complete(case, **_api_request(api, profile))
    org = {"org_id": profile.organization} if profile.organization else {}
    expected_id = dict(profile.expectations.id_token_claims) | org
    check_custom_claims(flow.token_endpoint_claims, expected_id, "token-endpoint ID token")
    if flow.authorization.id_token:
        check_custom_claims(flow.front_channel_claims, expected_id, "front-channel ID token")
    access = DecodedJwt.parse(flow.tokens.access_token or "")
    check_custom_claims(access.claims if access else {}, profile.expectations.access_token_claims, "API access token")
