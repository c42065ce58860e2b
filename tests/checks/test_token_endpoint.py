"""TOK-1, TOK-3, TOK-5, TOK-6 and IDT-5: token responses, refusals, API access tokens, UserInfo."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.utils import base64url_encode

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
from hybridcheck.checks.base import RequirementFailure, RequirementWarning
from hybridcheck.evidence import HttpExchange, TokenResponse

from .kit import (
    CLIENT_ID,
    ISSUER,
    JSON_NO_STORE,
    NOW,
    REFRESH_TOKEN,
    USERINFO_ENDPOINT,
    Signer,
    exchange,
    fails,
    hmac_with_public_key,
    id_token_claims,
    oauth_error,
    segments,
    token_body,
    token_response,
)

API = "https://api.example.test/items"
API_SCOPES = ("read:items", "write:items")
ADVERTISED = ["RS256", "ES256"]
SUB = "auth0|tester"

# --- TOK-1: a valid token response --------------------------------------------------

GOOD_TOKEN_RESPONSES: list[Any] = [
    pytest.param(token_response(), id="minimal"),
    pytest.param(
        token_response(token_body(id_token="h.p.s", refresh_token=REFRESH_TOKEN, scope="openid offline_access")),
        id="with id_token, refresh_token and scope",
    ),
    pytest.param(token_response(token_body(token_type="bearer")), id="token_type lower case"),
    pytest.param(token_response(token_body(token_type="BEARER")), id="token_type upper case"),
    pytest.param(token_response(token_body(expires_in=None)), id="expires_in omitted"),
    pytest.param(
        token_response(headers={**JSON_NO_STORE, "cache-control": "private, No-Store , max-age=0"}),
        id="no-store among other directives",
    ),
]


@pytest.mark.parametrize("response", GOOD_TOKEN_RESPONSES)
def test_valid_token_response_passes(response: TokenResponse) -> None:
    check_token_response_valid(response)


def without_header(name: str) -> dict[str, str]:
    return {k: v for k, v in JSON_NO_STORE.items() if k != name}


BROKEN_TOKEN_RESPONSES: list[Any] = [
    pytest.param(oauth_error("invalid_grant"), "HTTP 200", id="400 error"),
    pytest.param(token_response(status=201), "HTTP 200", id="201 with tokens"),
    pytest.param(token_response(status=500), "HTTP 200", id="500 with tokens"),
    pytest.param(token_response("<html>Welcome</html>"), "JSON object", id="not JSON"),
    pytest.param(token_response(""), "JSON object", id="empty body"),
    pytest.param(token_response([token_body()]), "JSON object", id="JSON array"),
    pytest.param(token_response(token_body(access_token=None)), "access_token", id="access_token missing"),
    pytest.param(token_response(token_body(access_token="")), "access_token", id="access_token empty"),
    pytest.param(token_response(token_body(token_type=None)), "token_type", id="token_type missing"),
    pytest.param(token_response(token_body(expires_in="86400")), "expires_in", id="expires_in a string"),
    pytest.param(token_response(token_body(expires_in=-1)), "expires_in", id="expires_in negative"),
    pytest.param(token_response(token_body(scope=["openid"])), "scope", id="scope a list"),
    pytest.param(token_response(token_body(token_type="bearerish")), "bearerish", id="token_type bearerish"),
    pytest.param(token_response(token_body(token_type="mac")), "mac", id="token_type mac"),
    pytest.param(token_response(headers=without_header("cache-control")), "no-store", id="no Cache-Control"),
    pytest.param(
        token_response(headers={**JSON_NO_STORE, "cache-control": "no-cache"}), "no-store", id="Cache-Control no-cache"
    ),
    pytest.param(
        token_response(headers={**JSON_NO_STORE, "cache-control": "no-store-please"}),
        "no-store",
        id="Cache-Control no-store only as a prefix",
    ),
]


BROKEN_TOKEN_RESPONSES += [
    pytest.param(token_response(headers={**JSON_NO_STORE, "content-type": "text/plain"}), "text/plain",
                 id="JSON sent as text/plain"),
    pytest.param(token_response(headers=without_header("content-type")), "no Content-Type", id="no Content-Type"),
]


def test_token_response_media_type_parameters_pass() -> None:
    check_token_response_valid(token_response(headers={**JSON_NO_STORE, "content-type": "Application/JSON; charset=UTF-8"}))


def test_every_broken_rule_of_a_token_response_is_reported() -> None:
    broken = token_response(token_body(token_type="mac", expires_in="86400"), headers=without_header("cache-control"))
    with pytest.raises(RequirementFailure) as info:
        check_token_response_valid(broken)
    assert [found.req_id for found in info.value.findings] == ["TOK-1"] * 3
    for shown in ("expires_in", "mac", "no-store"):
        assert shown in str(info.value)


@pytest.mark.parametrize(("response", "shown"), BROKEN_TOKEN_RESPONSES)
def test_invalid_token_response_fails(response: TokenResponse, shown: str) -> None:
    with fails("TOK-1") as info:
        check_token_response_valid(response)
    assert shown in str(info.value)


def test_token_response_failure_names_the_caller_requirement() -> None:
    with fails("TOK-7"):
        check_token_response_valid(oauth_error("invalid_grant"), "TOK-7")


# --- check_grant_refused: the error code of a refusal (TOK-2..4, TOK-7, REF-6, REF-7, SESS-9) ---

GOOD_REFUSALS: list[Any] = [
    pytest.param(oauth_error("invalid_grant"), {}, id="400 invalid_grant"),
    pytest.param(oauth_error("invalid_client", status=401), {"errors": ("invalid_client",)}, id="401 invalid_client"),
    pytest.param(oauth_error("invalid_client"), {"errors": ("invalid_grant", "invalid_client")},
                 id="one of several errors"),
    # the status is TOK-1's rule (check_token_error_response), not the refusing test's
    pytest.param(oauth_error("invalid_grant", status=403), {}, id="403 invalid_grant (Auth0)"),
    pytest.param(oauth_error("invalid_grant", status=401), {}, id="401 invalid_grant"),
    pytest.param(oauth_error("invalid_client"), {"errors": ("invalid_client",)}, id="400 invalid_client"),
]


@pytest.mark.parametrize(("response", "expected"), GOOD_REFUSALS)
def test_expected_refusal_passes(response: TokenResponse, expected: dict[str, Any]) -> None:
    check_grant_refused(response, "TOK-2", "refused", **expected)


BROKEN_REFUSALS: list[Any] = [
    pytest.param(token_response(), {}, id="200 with tokens"),
    pytest.param(oauth_error("invalid_grant", access_token="at"), {}, id="invalid_grant with an access_token"),
    pytest.param(oauth_error("invalid_grant", id_token="h.p.s"), {}, id="invalid_grant with an id_token"),
    pytest.param(
        oauth_error("invalid_grant", refresh_token=REFRESH_TOKEN), {}, id="invalid_grant with a refresh_token"
    ),
    pytest.param(oauth_error("invalid_request"), {}, id="wrong error"),
    pytest.param(oauth_error("invalid_grant"), {"errors": ("invalid_client",)}, id="other wrong error"),
    pytest.param(token_response({"error_description": "no"}, status=400), {}, id="error missing"),
    pytest.param(token_response({"error": ["invalid_grant"]}, status=400), {}, id="error not a string"),
]


@pytest.mark.parametrize("req_id", ["TOK-2", "REF-7"])
@pytest.mark.parametrize(("response", "expected"), BROKEN_REFUSALS)
def test_wrong_refusal_fails(response: TokenResponse, expected: dict[str, Any], req_id: str) -> None:
    with fails(req_id) as info:
        check_grant_refused(response, req_id, "a refusal of the test", **expected)
    assert "a refusal of the test" in str(info.value)


@pytest.mark.parametrize("body", ["Bad Request", "<html>error</html>", "", '["invalid_grant"]'])
def test_refusal_whose_code_cannot_be_read_is_tok1s_finding(body: str) -> None:
    with fails("TOK-1") as info:
        check_grant_refused(token_response(body, status=400), "TOK-3", "a code is single-use")
    assert "JSON object" in str(info.value)


# --- TOK-1: every token-endpoint error is an OAuth error response -------------------------

GOOD_ERRORS: list[Any] = [
    pytest.param(oauth_error("invalid_grant"), id="400 invalid_grant"),
    pytest.param(token_response({"error": "invalid_request"}, status=400), id="error alone"),
    pytest.param(oauth_error("invalid_client", status=401), id="401 invalid_client"),
    pytest.param(oauth_error("invalid_client"), id="400 invalid_client"),
    pytest.param(oauth_error("unsupported_grant_type", error_uri="https://docs.example.test/errors"), id="error_uri"),
    pytest.param(token_response({"error": "invalid_grant"}, status=400,
                                headers={"content-type": "application/json;charset=UTF-8"}), id="no Cache-Control"),
]


@pytest.mark.parametrize("response", GOOD_ERRORS)
def test_oauth_error_response_passes(response: TokenResponse) -> None:
    check_token_error_response(response, "a replayed code", "TOK-3")


BROKEN_ERRORS: list[Any] = [
    pytest.param(oauth_error("invalid_grant", status=403), "HTTP 400", id="403 invalid_grant (Auth0)"),
    pytest.param(oauth_error("invalid_grant", status=401), "HTTP 400", id="401 invalid_grant"),
    pytest.param(oauth_error("invalid_request", status=500), "HTTP 400", id="500 invalid_request"),
    pytest.param(oauth_error("invalid_client", status=403), "HTTP 400 or 401", id="403 invalid_client"),
    pytest.param(token_response("invalid_grant: bad code", status=400,
                                headers={"content-type": "text/plain"}), "not JSON", id="text/plain body"),
    pytest.param(token_response({"error": "invalid_grant"}, status=400, headers={"content-type": "text/html"}),
                 "text/html", id="JSON sent as text/html"),
    pytest.param(token_response({"error_description": "bad"}, status=400), "error", id="error missing"),
    pytest.param(token_response({"error": "invalid grant\n"}, status=400), "error", id="error with a newline"),
    pytest.param(token_response({"error": 'say "no"'}, status=400), "error", id="error with a quote"),
    pytest.param(token_response({"error": "invalid_grant", "error_description": "caf\u00e9"}, status=400),
                 "error_description", id="error_description not ASCII"),
]


@pytest.mark.parametrize(("response", "shown"), BROKEN_ERRORS)
def test_broken_oauth_error_response_fails(response: TokenResponse, shown: str) -> None:
    with fails("TOK-1") as info:
        check_token_error_response(response, "a replayed code", "TOK-3")
    assert shown in str(info.value)
    assert "a replayed code" in str(info.value)


def test_every_broken_rule_of_an_error_is_reported() -> None:
    broken = token_response({"error": "invalid_grant"}, status=403, headers={"content-type": "text/html"})
    with pytest.raises(RequirementFailure) as info:
        check_token_error_response(broken, "an unknown code")
    assert [found.req_id for found in info.value.findings] == ["TOK-1"] * 2


@pytest.mark.parametrize(
    "response",
    [
        pytest.param(token_response(), id="200 with tokens"),
        pytest.param(oauth_error("invalid_grant", access_token="at"), id="an error with an access_token"),
        pytest.param(token_response({"error": "invalid_grant"}), id="200 with an error body"),
    ],
)
def test_mistake_not_refused_is_left_to_the_demanding_requirement(response: TokenResponse) -> None:
    """Not refused at all: TOK-2's own test reports it, TOK-1 judges only the shape of errors."""
    check_token_error_response(response, "another redirect_uri", "TOK-2")
    with fails("TOK-1") as info:
        check_token_error_response(response, "an unknown code", "TOK-1")
    assert "an unknown code is refused" in str(info.value)


# --- check_tokens_issued: a success where one is needed -------------------------------------


def test_tokens_issued_passes() -> None:
    check_tokens_issued(token_response(), "TOK-7", "the right verifier works")


@pytest.mark.parametrize("response", [oauth_error("invalid_grant"), token_response(token_body(access_token=None)),
                                      token_response(status=201), token_response("<html/>")])
def test_no_tokens_issued_fails(response: TokenResponse) -> None:
    with fails("TOK-7") as info:
        check_tokens_issued(response, "TOK-7", "the right verifier works")
    assert "the right verifier works" in str(info.value)


# --- TOK-4: a wrong client secret, by auth method -------------------------------------------

def refused_with(status: int, challenge: str | None = None, error: str = "invalid_client") -> TokenResponse:
    response = oauth_error(error, status=status)
    headers = {**JSON_NO_STORE, **({"www-authenticate": challenge} if challenge is not None else {})}
    return TokenResponse(replace(response.exchange, response_headers=headers))


@pytest.mark.parametrize(
    ("response", "method"),
    [
        pytest.param(refused_with(401, 'Basic realm="oauth"'), "client_secret_basic", id="basic: 401 Basic"),
        pytest.param(refused_with(401, 'Bearer, basic realm="x"'), "client_secret_basic",
                     id="basic: Basic among several challenges"),
        pytest.param(refused_with(400), "client_secret_post", id="post: 400"),
        pytest.param(refused_with(401, 'Basic realm="oauth"'), "client_secret_post", id="post: 401"),
    ],
)
def test_client_authentication_refused_passes(response: TokenResponse, method: str) -> None:
    check_client_authentication_refused(response, method, "refresh_token")


@pytest.mark.parametrize(
    ("response", "method", "shown"),
    [
        pytest.param(refused_with(401), "client_secret_basic", "no WWW-Authenticate", id="basic: no challenge"),
        pytest.param(refused_with(401, "Bearer"), "client_secret_basic", "Bearer", id="basic: Bearer challenge"),
        pytest.param(refused_with(401, 'Basicrealm="x"'), "client_secret_basic", "Basicrealm",
                     id="basic: Basic only as a prefix"),
        pytest.param(refused_with(400, 'Basic realm="oauth"'), "client_secret_basic", "HTTP 400", id="basic: 400"),
        pytest.param(refused_with(403), "client_secret_post", "HTTP 403", id="post: 403"),
        pytest.param(refused_with(400, error="invalid_grant"), "client_secret_post", "invalid_grant",
                     id="post: invalid_grant"),
        pytest.param(token_response(), "client_secret_post", "HTTP 200", id="post: accepted"),
    ],
)
def test_client_authentication_refused_wrongly_fails(response: TokenResponse, method: str, shown: str) -> None:
    with fails("TOK-4") as info:
        check_client_authentication_refused(response, method, "refresh_token")
    assert shown in str(info.value)
    assert f"({method}, refresh_token)" in str(info.value)


# --- TOK-3: tokens of a replayed code are revoked (SHOULD) ------------------------------


def userinfo(status: int, body: Any = None, headers: dict[str, str] | None = None) -> HttpExchange:
    return exchange({"sub": SUB} if body is None else body, status=status,
                    headers={"content-type": "application/json"} if headers is None else headers,
                    url=USERINFO_ENDPOINT, method="GET")


REVOKED = userinfo(401, "", {"www-authenticate": 'Bearer error="invalid_token"'})
STILL_ANSWERING = userinfo(200)


@pytest.mark.parametrize("strict", [False, True])
def test_revoked_first_token_passes_silently(strict: bool) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_first_tokens_revoked(REVOKED, strict=strict)


@pytest.mark.parametrize("req_id", ["TOK-3", "SESS-9"])
def test_unrevoked_first_token_warns_when_not_strict(req_id: str) -> None:
    with pytest.warns(RequirementWarning, match=rf"(?s)^\[{req_id}\] .*HTTP 200"):
        check_first_tokens_revoked(STILL_ANSWERING, strict=False, req_id=req_id)


@pytest.mark.parametrize("req_id", ["TOK-3", "SESS-9"])
def test_unrevoked_first_token_fails_when_strict(req_id: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with fails(req_id) as info:
            check_first_tokens_revoked(STILL_ANSWERING, strict=True, req_id=req_id)
    assert "HTTP 200" in str(info.value)


# --- TOK-5: the access token for an API ---------------------------------------------


def access_claims(**changes: Any) -> dict[str, Any]:
    """Valid API access-token claims; a change of ``None`` removes the claim."""
    claims: dict[str, Any] = {
        "iss": ISSUER,
        "sub": SUB,
        "aud": [API, f"{ISSUER}userinfo"],
        "azp": CLIENT_ID,
        "iat": NOW,
        "exp": NOW + 86400,
        "scope": "openid profile email read:items write:items",
    }
    claims.update(changes)
    return {name: value for name, value in claims.items() if value is not None}


def judge_access_token(raw: str | None, signer: Signer) -> dict[str, Any]:
    return check_api_access_token(
        raw, jwks=signer.jwks, algs=ADVERTISED, issuer=ISSUER, audience=API, api_scopes=API_SCOPES
    )


GOOD_ACCESS_TOKENS: list[Any] = [
    pytest.param(access_claims(), "rsa-1", id="RS256, aud list"),
    pytest.param(access_claims(aud=API), "rsa-1", id="aud a string"),
    pytest.param(access_claims(scope="write:items read:items"), "ec-1", id="ES256, API scopes only"),
]


@pytest.mark.parametrize(("claims", "kid"), GOOD_ACCESS_TOKENS)
def test_api_access_token_passes(signer: Signer, claims: dict[str, Any], kid: str) -> None:
    assert judge_access_token(signer.token(claims, kid=kid), signer) == claims


def unsigned(signer: Signer) -> str:
    return segments({"alg": "none", "typ": "at+jwt"}, access_claims()).decode() + "."


def hmac_forged(signer: Signer) -> str:
    signing_input = segments({"alg": "HS256", "kid": "rsa-1"}, access_claims())
    return (signing_input + b"." + base64url_encode(hmac_with_public_key(signer)(signing_input))).decode()


def by_stranger(signer: Signer, kid: str) -> str:
    """Signed with a fresh RSA key that the JWKS does not publish, under ``kid``."""
    stranger = Signer({kid: ("RS256", rsa.generate_private_key(public_exponent=65537, key_size=2048))}, {})
    return stranger.token(access_claims(), kid=kid)


def claims_swapped(signer: Signer) -> str:
    header, _, signature = signer.token(access_claims()).split(".")
    other = segments({}, access_claims(scope="read:items write:items admin")).decode().split(".")[1]
    return f"{header}.{other}.{signature}"


BROKEN_ACCESS_TOKENS: list[Any] = [
    pytest.param(lambda s: None, "none", id="no access token"),
    pytest.param(lambda s: "", "none", id="empty access token"),
    pytest.param(lambda s: "jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0", "not a JWS", id="opaque, not a JWT"),
    pytest.param(lambda s: "a.b.c", "not a JWS", id="three garbage segments"),
    pytest.param(unsigned, "unsigned", id="alg none"),
    pytest.param(hmac_forged, "symmetric", id="HS256 keyed with the public key"),
    pytest.param(lambda s: by_stranger(s, "rsa-1"), "signature does not verify", id="other key under a JWKS kid"),
    pytest.param(lambda s: by_stranger(s, "api-key-9"), "no signing key with kid", id="key not in the JWKS"),
    pytest.param(claims_swapped, "signature does not verify", id="payload changed after signing"),
    pytest.param(lambda s: s.token(access_claims(), kid="rsa-384"), "not among the allowed algs",
                 id="alg not advertised"),
    pytest.param(lambda s: s.token(access_claims(iss="https://evil.example.test/")), "evil", id="other iss"),
    pytest.param(lambda s: s.token(access_claims(iss=ISSUER.rstrip("/"))), "iss", id="iss without trailing slash"),
    pytest.param(lambda s: s.token(access_claims(iss=None)), "iss", id="iss missing"),
    pytest.param(lambda s: s.token(access_claims(aud=CLIENT_ID)), "aud", id="aud the client, not the API"),
    pytest.param(lambda s: s.token(access_claims(aud=[f"{ISSUER}userinfo"])), "aud", id="aud list without the API"),
    pytest.param(lambda s: s.token(access_claims(aud=f"{API}/")), "aud", id="aud near-miss"),
    pytest.param(lambda s: s.token(access_claims(aud=None)), "aud", id="aud missing"),
    pytest.param(lambda s: s.token(access_claims(scope="openid read:items")), "missing ['write:items']",
                 id="scope missing an API scope"),
    pytest.param(lambda s: s.token(access_claims(scope="openid profile")), "missing", id="scope without API scopes"),
    pytest.param(lambda s: s.token(access_claims(scope="read:itemswrite:items")), "missing", id="scopes run together"),
    pytest.param(lambda s: s.token(access_claims(scope=None)), "missing", id="scope claim absent"),
]


@pytest.mark.parametrize(("make", "shown"), BROKEN_ACCESS_TOKENS)
def test_broken_api_access_token_fails(signer: Signer, make: Callable[[Signer], str | None], shown: str) -> None:
    with fails("TOK-5") as info:
        judge_access_token(make(signer), signer)
    assert shown in str(info.value)


# --- TOK-6: UserInfo answers with the ID token's sub ------------------------------------


@pytest.mark.parametrize("style", ["get-header", "post-header", "post-body"])
def test_userinfo_with_the_same_sub_passes(style: str) -> None:
    body = {"sub": SUB, "email": "tester@example.test", "email_verified": True}
    assert check_userinfo_subject(userinfo(200, body, {"content-type": "application/json"}), SUB, style) == body


BROKEN_USERINFO: list[Any] = [
    pytest.param(userinfo(401, "", {"www-authenticate": 'Bearer error="invalid_token"'}), "HTTP 401", id="401"),
    pytest.param(userinfo(403, {"error": "insufficient_scope"}), "HTTP 403", id="403"),
    pytest.param(userinfo(500, {"sub": SUB}), "HTTP 500", id="500 with a body"),
    pytest.param(userinfo(302, ""), "HTTP 302", id="redirect"),
    pytest.param(userinfo(200, "Unauthorized"), "HTTP 200 with a JSON object", id="200 not JSON"),
    pytest.param(userinfo(200, [{"sub": SUB}]), "HTTP 200 with a JSON object", id="200 JSON array"),
    pytest.param(userinfo(200, {"sub": "auth0|someone-else"}), "someone-else", id="wrong sub"),
    pytest.param(userinfo(200, {"sub": SUB.upper()}), "AUTH0|TESTER", id="sub case changed"),
    pytest.param(userinfo(200, {"email": "tester@example.test"}), "sub", id="sub missing"),
    pytest.param(userinfo(200, headers={"content-type": "text/plain"}), "text/plain", id="JSON sent as text/plain"),
    pytest.param(userinfo(200, headers={}), "no Content-Type", id="no Content-Type"),
    pytest.param(userinfo(200, "a.b", {"content-type": "application/jwt"}), "application/jwt", id="jwt not a JWT"),
]


@pytest.mark.parametrize(("answer", "shown"), BROKEN_USERINFO)
def test_broken_userinfo_fails(answer: HttpExchange, shown: str) -> None:
    with fails("TOK-6") as info:
        check_userinfo_subject(answer, SUB, "post-header")
    assert shown in str(info.value)


def test_userinfo_failure_names_the_call_style_and_the_token() -> None:
    with fails("TOK-6") as info:
        check_userinfo_subject(userinfo(401, ""), SUB, "post-body", "front-channel")
    assert "front-channel access token (post-body)" in str(info.value)


def test_signed_userinfo_passes(signer: Signer) -> None:
    """Core §5.3.2: a signed UserInfo response is application/jwt; its claims are the JWT's."""
    jwt_body = signer.token({"sub": SUB, "iss": ISSUER, "aud": CLIENT_ID})
    answer = userinfo(200, jwt_body, {"content-type": "application/jwt; charset=utf-8"})
    assert check_userinfo_subject(answer, SUB, "get-header")["sub"] == SUB


def test_signed_userinfo_with_another_sub_fails(signer: Signer) -> None:
    answer = userinfo(200, signer.token({"sub": "auth0|other"}), {"content-type": "application/jwt"})
    with fails("TOK-6") as info:
        check_userinfo_subject(answer, SUB, "get-header")
    assert "auth0|other" in str(info.value)


# --- TOK-6: an invalid access token is refused ----------------------------------------------

CHALLENGE = 'Bearer realm="userinfo", error="invalid_token"'


@pytest.mark.parametrize("challenge", [CHALLENGE, "Bearer", 'Basic realm="x", Bearer error="invalid_token"'])
def test_invalid_token_refused_with_401_and_bearer_passes(challenge: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_userinfo_refuses_invalid_token(userinfo(401, {"error": "invalid_token"}, {"www-authenticate": challenge}))


@pytest.mark.parametrize(
    ("answer", "shown"),
    [
        pytest.param(userinfo(200, {"sub": SUB}), "HTTP 200", id="200 with claims"),
        pytest.param(userinfo(200, {"error": "invalid_token"}), "HTTP 200", id="200 with an error body"),
        pytest.param(userinfo(204, ""), "HTTP 204", id="204"),
        pytest.param(userinfo(401, {"error": "invalid_token"}), "no WWW-Authenticate", id="401 without challenge"),
        pytest.param(userinfo(401, "", {"www-authenticate": 'Basic realm="x"'}), "Basic", id="401 Basic challenge"),
        pytest.param(userinfo(401, "", {"www-authenticate": "Bearerish"}), "Bearerish", id="Bearer only a prefix"),
    ],
)
def test_invalid_token_answered_fails(answer: HttpExchange, shown: str) -> None:
    with fails("TOK-6") as info:
        check_userinfo_refuses_invalid_token(answer)
    assert shown in str(info.value)


@pytest.mark.parametrize("status", [400, 403])
def test_invalid_token_refused_with_another_status_warns(status: int) -> None:
    """RFC 6750 §3.1: invalid_token SHOULD be 401 — a warning, not a failure."""
    with pytest.warns(RequirementWarning, match=rf"(?s)^\[TOK-6\] .*HTTP {status}"):
        check_userinfo_refuses_invalid_token(userinfo(status, "", {"www-authenticate": CHALLENGE}))


# --- IDT-5: the token-endpoint ID token has the front channel's iss and sub ---------------

FRONT = id_token_claims(c_hash="LDktKdoQak3Pk0cnXxCltA")


@pytest.mark.parametrize(
    "token_endpoint",
    [
        pytest.param(id_token_claims(), id="same claims without c_hash"),
        pytest.param(id_token_claims(iat=NOW + 5, exp=NOW + 605, at_hash="77QmUPtjPfzWtF2AnpK9RQ", azp=CLIENT_ID),
                     id="other iat, exp, at_hash, azp"),
    ],
)
def test_same_subject_passes(token_endpoint: dict[str, Any]) -> None:
    check_same_subject(FRONT, token_endpoint)


BROKEN_SUBJECTS: list[Any] = [
    pytest.param(None, "an id_token", id="no token-endpoint ID token"),
    pytest.param(id_token_claims(sub="auth0|someone-else"), "someone-else", id="other sub"),
    pytest.param(id_token_claims(sub=None), "sub", id="sub missing"),
    pytest.param(id_token_claims(iss="https://other.example.test/"), "other.example.test", id="other iss"),
    pytest.param(id_token_claims(iss=ISSUER.rstrip("/")), "iss", id="iss without trailing slash"),
    pytest.param(id_token_claims(iss=None), "iss", id="iss missing"),
]


@pytest.mark.parametrize(("token_endpoint", "shown"), BROKEN_SUBJECTS)
def test_different_subject_fails(token_endpoint: dict[str, Any] | None, shown: str) -> None:
    with fails("IDT-5") as info:
        check_same_subject(FRONT, token_endpoint)
    assert shown in str(info.value)
