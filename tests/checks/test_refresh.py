"""REF-1 to REF-6: refresh tokens issued where they belong, refreshed scope, identity, escalation, rotation."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import pytest

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
from hybridcheck.checks.base import RequirementWarning
from hybridcheck.evidence import AuthorizationResponse, DecodedJwt, HttpExchange, TokenResponse

from .kit import (
    CLIENT_ID,
    NONCE,
    NOW,
    REFRESH_TOKEN,
    USERINFO_ENDPOINT,
    Signer,
    auth_request,
    delivered,
    error_response,
    exchange,
    fails,
    good_params,
    id_token_claims,
    oauth_error,
    token_body,
    token_response,
)

OFFLINE = "openid offline_access read:items write:items"
ORIGINAL = frozenset(OFFLINE.split())
REDUCED = frozenset({"openid", "read:items"})
API_SCOPES = frozenset({"read:items", "write:items"})
EXTRA = "phone"
ROTATED = "v1.MRrT-rotated-9fY2bLw0kQ3"
SUB = "auth0|tester"


def refreshed(**changes: Any) -> TokenResponse:
    """A 200 refresh answer with :func:`token_body` changed (``None`` removes a member)."""
    return token_response(token_body(**changes))


# --- REF-1: a refresh token from the token endpoint only ---------------------------------


@pytest.mark.parametrize(
    "response",
    [
        pytest.param(refreshed(refresh_token=REFRESH_TOKEN), id="refresh_token"),
        pytest.param(refreshed(refresh_token=REFRESH_TOKEN, scope=OFFLINE, id_token="h.p.s"), id="with all"),
    ],
)
def test_refresh_token_issued_passes(response: TokenResponse) -> None:
    assert check_refresh_token_issued(response) == REFRESH_TOKEN


@pytest.mark.parametrize(
    "response",
    [
        pytest.param(refreshed(), id="no refresh_token"),
        pytest.param(refreshed(refresh_token=""), id="refresh_token empty"),
        pytest.param(refreshed(refresh_token=42), id="refresh_token not a string"),
        pytest.param(token_response({"refresh_token": REFRESH_TOKEN, "token_type": "Bearer"}), id="no access_token"),
        pytest.param(token_response(token_body(refresh_token=REFRESH_TOKEN), status=201), id="status 201"),
        pytest.param(oauth_error("access_denied", refresh_token=REFRESH_TOKEN), id="error with a refresh_token"),
        pytest.param(token_response("<html>error</html>", status=500), id="500 not JSON"),
    ],
)
def test_refresh_token_not_issued_fails(response: TokenResponse) -> None:
    with fails("REF-1"):
        check_refresh_token_issued(response)


def offline_response(signer: Signer, rt: str, mode: str | None, **leaked: str) -> AuthorizationResponse:
    """A good response to an ``offline_access`` request, with ``leaked`` values added to the params."""
    request = auth_request(rt, mode, scope=OFFLINE)
    return delivered(request, {**good_params(signer, request), **leaked})


@pytest.mark.parametrize("mode", [None, "form_post"])
@pytest.mark.parametrize("rt", ["code id_token", "code token", "code id_token token"])
def test_no_front_channel_refresh_token_passes(signer: Signer, rt: str, mode: str | None) -> None:
    check_no_front_channel_refresh_token(offline_response(signer, rt, mode))


def test_front_channel_error_passes() -> None:
    check_no_front_channel_refresh_token(error_response(auth_request(scope=OFFLINE), "access_denied"))


def in_query_beside_fragment(signer: Signer) -> AuthorizationResponse:
    good = offline_response(signer, "code id_token", None)
    return delivered(good.request, good.params, "fragment", query={"refresh_token": REFRESH_TOKEN})


FRONT_CHANNEL_LEAKS: list[Any] = [
    pytest.param(lambda s: offline_response(s, "code id_token", None, refresh_token=REFRESH_TOKEN), "fragment",
                 id="in the fragment"),
    pytest.param(lambda s: offline_response(s, "code id_token token", None, refresh_token=REFRESH_TOKEN), "fragment",
                 id="in the fragment with an access token"),
    pytest.param(lambda s: offline_response(s, "code token", "form_post", refresh_token=REFRESH_TOKEN),
                 "form_post body", id="in the form_post body"),
    pytest.param(lambda s: offline_response(s, "code id_token", "query", refresh_token=REFRESH_TOKEN), "query",
                 id="in the query"),
    pytest.param(in_query_beside_fragment, "query", id="in the query beside a fragment response"),
    pytest.param(lambda s: offline_response(s, "code id_token", None, refresh_token=""), "fragment",
                 id="empty refresh_token parameter"),
]


@pytest.mark.parametrize(("make", "place"), FRONT_CHANNEL_LEAKS)
def test_front_channel_refresh_token_fails(
    signer: Signer, make: Callable[[Signer], AuthorizationResponse], place: str
) -> None:
    with fails("REF-1") as info:
        check_no_front_channel_refresh_token(make(signer))
    assert f"refresh_token in the {place}" in str(info.value)


# --- REF-2: no refresh token without offline_access -------------------------------------


@pytest.mark.parametrize(
    "response",
    [
        pytest.param(refreshed(), id="tokens without refresh_token"),
        pytest.param(refreshed(id_token="h.p.s", scope="openid profile"), id="with id_token and scope"),
        pytest.param(oauth_error("invalid_grant"), id="an error"),
    ],
)
def test_no_refresh_token_passes(response: TokenResponse) -> None:
    check_no_refresh_token(response)


def test_refresh_token_without_offline_access_fails() -> None:
    with fails("REF-2"):
        check_no_refresh_token(refreshed(refresh_token=REFRESH_TOKEN, scope="openid profile"))


# --- REF-3 / REF-4: the refresh grants exactly the scope expected ---------------------------

GOOD_GRANTS: list[Any] = [
    pytest.param(refreshed(scope=OFFLINE), ORIGINAL, None, id="original scope"),
    pytest.param(refreshed(scope="write:items offline_access read:items openid"), ORIGINAL, None,
                 id="original scope in another order"),
    pytest.param(refreshed(scope=None), ORIGINAL, None, id="scope omitted means as asked"),
    pytest.param(refreshed(scope="openid read:items"), REDUCED, None, id="reduced scope"),
    pytest.param(refreshed(scope=None), REDUCED, {"scope": "openid read:items"}, id="reduced, scope omitted"),
    pytest.param(refreshed(scope=OFFLINE), ORIGINAL, {"scope": "openid profile read:items write:items"},
                 id="token claim with non-API scopes around"),
    pytest.param(refreshed(scope="openid read:items"), REDUCED, {"scope": "read:items"}, id="reduced token claim"),
]


@pytest.mark.parametrize("req_id", ["REF-3", "REF-4"])
@pytest.mark.parametrize(("response", "expected", "claims"), GOOD_GRANTS)
def test_refresh_grant_passes(
    response: TokenResponse, expected: frozenset[str], claims: dict[str, Any] | None, req_id: str
) -> None:
    check_refresh_grants(response, req_id, expected, access_token_claims=claims, api_scopes=API_SCOPES)


BROKEN_GRANTS: list[Any] = [
    pytest.param(oauth_error("invalid_grant"), ORIGINAL, None, "HTTP 200", id="refused"),
    pytest.param(token_response(token_body(scope=OFFLINE), status=500), ORIGINAL, None, "HTTP 200", id="status 500"),
    pytest.param(refreshed(access_token=None, scope=OFFLINE), ORIGINAL, None, "HTTP 200", id="no access_token"),
    pytest.param(refreshed(scope=f"{OFFLINE} {EXTRA}"), ORIGINAL, None, "exactly the scope", id="scope broader"),
    pytest.param(refreshed(scope=OFFLINE), REDUCED, None, "exactly the scope", id="reduction ignored"),
    pytest.param(refreshed(scope="openid offline_access read:items"), ORIGINAL, None, "exactly the scope",
                 id="scope narrower"),
    pytest.param(refreshed(scope="openid write:items"), REDUCED, None, "exactly the scope",
                 id="another scope of the same size"),
    pytest.param(refreshed(scope=""), REDUCED, None, "exactly the scope", id="scope empty"),
    pytest.param(refreshed(scope="openid read:items"), REDUCED, {"scope": "openid read:items write:items"},
                 "scope claim", id="token claim keeps the original API scopes"),
    pytest.param(refreshed(scope=OFFLINE), ORIGINAL, {"scope": "openid read:items"}, "scope claim",
                 id="token claim lacks an API scope"),
    pytest.param(refreshed(scope=None), REDUCED, {"scope": "write:items"}, "scope claim",
                 id="token claim holds another API scope"),
    pytest.param(refreshed(scope=OFFLINE), ORIGINAL, {"sub": "auth0|tester"}, "scope claim",
                 id="token claim absent"),
]


@pytest.mark.parametrize("req_id", ["REF-3", "REF-4"])
@pytest.mark.parametrize(("response", "expected", "claims", "shown"), BROKEN_GRANTS)
def test_broken_refresh_grant_fails(
    response: TokenResponse, expected: frozenset[str], claims: dict[str, Any] | None, shown: str, req_id: str
) -> None:
    with fails(req_id) as info:
        check_refresh_grants(response, req_id, expected, access_token_claims=claims, api_scopes=API_SCOPES)
    assert shown in str(info.value)


# --- REF-3: the refreshed ID token keeps the original identity ----------------------------

ORIGINAL_ID = id_token_claims(azp=CLIENT_ID)


def refreshed_claims(**changes: Any) -> dict[str, Any]:
    """The claims of a correct refreshed ID token: a new iat and exp, no nonce; ``None`` removes."""
    return id_token_claims(**{"azp": CLIENT_ID, "iat": NOW + 3600, "exp": NOW + 4200, "nonce": None, **changes})


def with_id_token(signer: Signer, claims: dict[str, Any]) -> TokenResponse:
    return refreshed(scope=OFFLINE, id_token=signer.token(claims))


def original_id_token(signer: Signer, claims: dict[str, Any] = ORIGINAL_ID) -> DecodedJwt:
    return signer.decoded(claims)


@pytest.mark.parametrize(
    "claims",
    [
        pytest.param(refreshed_claims(), id="new iat, no nonce"),
        pytest.param(refreshed_claims(nonce=NONCE), id="the original nonce"),
        pytest.param(refreshed_claims(iat=NOW), id="iat of the same second"),
        pytest.param(refreshed_claims(auth_time=None), id="no auth_time (Core §12.2 does not demand it)"),
        pytest.param(refreshed_claims(at_hash="77QmUPtjPfzWtF2AnpK9RQ", email="t@example.test"), id="extra claims"),
    ],
)
def test_refreshed_id_token_passes(signer: Signer, claims: dict[str, Any]) -> None:
    check_refreshed_id_token(with_id_token(signer, claims), original_id_token(signer), openid_granted=True,
                             expected=True)


def test_aud_is_compared_as_a_set(signer: Signer) -> None:
    original = original_id_token(signer, id_token_claims(aud=[CLIENT_ID, "https://api.example.test/"], azp=CLIENT_ID))
    reordered = refreshed_claims(aud=["https://api.example.test/", CLIENT_ID])
    check_refreshed_id_token(with_id_token(signer, reordered), original, openid_granted=True, expected=True)


@pytest.mark.parametrize("expected", [False, True])
def test_no_id_token_without_openid_passes(expected: bool) -> None:
    check_refreshed_id_token(refreshed(scope="offline_access read:items"), None, openid_granted=False,
                             expected=expected)


def test_a_missing_refresh_id_token_passes_unless_the_profile_expects_one(signer: Signer) -> None:
    """OAuth §6 and Core §12.2 make the refresh ID token optional; Auth0 sends one."""
    check_refreshed_id_token(refreshed(scope=OFFLINE), original_id_token(signer), openid_granted=True, expected=False)
    with fails("REF-3") as info:
        check_refreshed_id_token(refreshed(scope=OFFLINE), original_id_token(signer), openid_granted=True,
                                 expected=True)
    assert "refresh_id_token" in str(info.value)


def test_the_earlier_id_token_handed_back_fails(signer: Signer) -> None:
    original = original_id_token(signer)
    with fails("REF-3") as info:
        check_refreshed_id_token(refreshed(scope=OFFLINE, id_token=original.raw), original, openid_granted=True,
                                 expected=False)
    assert "newly issued" in str(info.value)


BROKEN_ID_TOKENS: list[Any] = [
    pytest.param(lambda s: refreshed(scope=OFFLINE), True, "an id_token", id="missing"),
    pytest.param(lambda s: with_id_token(s, refreshed_claims(sub="auth0|someone-else")), True, "sub",
                 id="sub changed"),
    pytest.param(lambda s: with_id_token(s, refreshed_claims(iss="https://other.example.test/")), True, "iss",
                 id="iss changed"),
    pytest.param(lambda s: with_id_token(s, refreshed_claims(aud=[CLIENT_ID, "other"])), True, "aud",
                 id="aud changed"),
    pytest.param(lambda s: with_id_token(s, refreshed_claims(azp=None)), True, "azp", id="azp dropped"),
    pytest.param(lambda s: with_id_token(s, refreshed_claims(auth_time=NOW + 3600)), True, "auth_time",
                 id="auth_time changed"),
    pytest.param(lambda s: with_id_token(s, refreshed_claims(iat=NOW - 60)), True, "not earlier", id="iat older"),
    pytest.param(lambda s: with_id_token(s, refreshed_claims(iat=None)), True, "not earlier", id="iat missing"),
    pytest.param(lambda s: with_id_token(s, refreshed_claims(iat=str(NOW + 3600))), True, "not earlier",
                 id="iat a string"),
    pytest.param(lambda s: with_id_token(s, refreshed_claims(nonce="n-other")), True, "nonce", id="other nonce"),
    pytest.param(lambda s: with_id_token(s, refreshed_claims()), False, "has no openid",
                 id="ID token present without openid"),
]


@pytest.mark.parametrize(("make", "openid", "shown"), BROKEN_ID_TOKENS)
def test_broken_refreshed_id_token_fails(
    signer: Signer, make: Callable[[Signer], TokenResponse], openid: bool, shown: str
) -> None:
    with fails("REF-3") as info:
        check_refreshed_id_token(make(signer), original_id_token(signer), openid_granted=openid, expected=True)
    assert shown in str(info.value)


def test_refreshed_id_token_needs_no_azp_where_the_original_had_none(signer: Signer) -> None:
    """Core §12.2: "if no azp Claim was present in the original ID Token, one MUST NOT be present"."""
    original = original_id_token(signer, id_token_claims())
    check_refreshed_id_token(with_id_token(signer, refreshed_claims(azp=None)), original, openid_granted=True,
                             expected=True)
    with fails("REF-3"):
        check_refreshed_id_token(with_id_token(signer, refreshed_claims()), original, openid_granted=True,
                                 expected=True)


# --- REF-5: an escalated refresh scope is never granted -----------------------------------

REFUSED_ESCALATION = oauth_error("invalid_scope")
SILENT_DROP = refreshed(scope=OFFLINE)


@pytest.mark.parametrize("accept_silent_drop", [False, True])
def test_escalation_refused_passes(accept_silent_drop: bool) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_escalation_refused(REFUSED_ESCALATION, EXTRA, accept_silent_drop=accept_silent_drop)


@pytest.mark.parametrize(
    "response",
    [
        pytest.param(refreshed(scope="openid read:items"), id="200 with less"),
        pytest.param(SILENT_DROP, id="200 silently dropping"),
    ],
)
def test_accepted_silent_drop_is_a_warning_not_a_pass(response: TokenResponse) -> None:
    with pytest.warns(RequirementWarning, match=r"(?s)^\[REF-5\] .*silently left out"):
        check_escalation_refused(response, EXTRA, accept_silent_drop=True)


BROKEN_ESCALATIONS: list[Any] = [
    pytest.param(refreshed(scope=f"{OFFLINE} {EXTRA}"), True, "'phone'", id="200 granting the extra scope"),
    pytest.param(refreshed(scope=f"{OFFLINE} {EXTRA}"), False, "'phone'", id="200 granting the extra scope, strict"),
    pytest.param(refreshed(scope=EXTRA), True, "'phone'", id="200 granting only the extra scope"),
    pytest.param(refreshed(scope=None), True, "without scope", id="200 with scope omitted (= as asked)"),
    pytest.param(refreshed(scope=None), False, "without scope", id="200 with scope omitted, strict"),
    pytest.param(SILENT_DROP, False, "invalid_scope", id="200 silently dropping, strict"),
    pytest.param(oauth_error("invalid_request"), True, "invalid_request", id="400 invalid_request"),
    pytest.param(oauth_error("invalid_grant"), False, "invalid_grant", id="400 invalid_grant"),
    pytest.param(oauth_error("access_denied", status=403), True, "access_denied", id="403 access_denied"),
    pytest.param(oauth_error("invalid_scope", status=403), True, "HTTP 400", id="403 invalid_scope"),
    pytest.param(oauth_error("invalid_scope", status=200), False, "HTTP 400", id="200 invalid_scope, no token"),
    pytest.param(oauth_error("invalid_scope", refresh_token=REFRESH_TOKEN), True, "refresh_token",
                 id="invalid_scope with a refresh_token"),
    pytest.param(oauth_error("invalid_scope", id_token="h.p.s"), True, "id_token", id="invalid_scope with an id_token"),
    pytest.param(token_response({"error": "invalid_scope", "access_token": "at"}, status=400), True, "access_token",
                 id="invalid_scope with an access_token"),
]


@pytest.mark.parametrize(("response", "accept_silent_drop", "shown"), BROKEN_ESCALATIONS)
def test_escalation_granted_or_wrongly_refused_fails(
    response: TokenResponse, accept_silent_drop: bool, shown: str
) -> None:
    with fails("REF-5") as info:
        check_escalation_refused(response, EXTRA, accept_silent_drop=accept_silent_drop)
    assert shown in str(info.value)


def test_escalation_refused_without_json_is_tok1s_finding() -> None:
    with fails("TOK-1") as info:
        check_escalation_refused(token_response("Bad Request", status=400), EXTRA, accept_silent_drop=True)
    assert "Bad Request" in str(info.value)


# --- REF-4: what the reduced-scope access token can do ------------------------------------

USER_CLAIMS = {"name": "Tess Tester", "nickname": "tess", "email": "tester@example.test", "email_verified": True,
               "phone_number": "+1 555 0100"}
OPENID_EMAIL = frozenset({"openid", "email", "read:items"})


def userinfo_answer(body: Any, *, status: int = 200, media: str = "application/json") -> HttpExchange:
    return exchange(body, status=status, headers={"content-type": media}, url=USERINFO_ENDPOINT, method="GET")


@pytest.mark.parametrize(
    ("answer", "granted"),
    [
        pytest.param(userinfo_answer({"sub": SUB, "email": "tester@example.test", "email_verified": True}),
                     OPENID_EMAIL, id="openid email: email only"),
        pytest.param(userinfo_answer({"sub": SUB}), frozenset({"openid"}), id="openid: sub only"),
        pytest.param(userinfo_answer({"sub": SUB, "email": "x", "email_verified": True, "custom": 1}), OPENID_EMAIL,
                     id="a non-standard claim beside"),
    ],
)
def test_userinfo_within_the_reduced_scope_passes(answer: HttpExchange, granted: frozenset[str]) -> None:
    check_userinfo_within_scope(answer, granted, USER_CLAIMS)


@pytest.mark.parametrize(
    ("answer", "shown"),
    [
        pytest.param(userinfo_answer({"sub": SUB, "email": "x", "email_verified": True, "name": "Tess Tester",
                                      "nickname": "tess"}), "['name', 'nickname']", id="profile claims of the original"),
        pytest.param(userinfo_answer({"sub": SUB, "email": "x", "email_verified": True, "phone_number": "+1"}),
                     "phone_number", id="a phone claim never in the reduced scope"),
        pytest.param(userinfo_answer({"sub": SUB}), "['email', 'email_verified']", id="email missing"),
        pytest.param(userinfo_answer({"error": "invalid_token"}, status=401), "HTTP 401", id="token refused"),
        pytest.param(userinfo_answer("sub=x", media="text/plain"), "text/plain", id="not JSON"),
    ],
)
def test_userinfo_beyond_the_reduced_scope_fails(answer: HttpExchange, shown: str) -> None:
    with fails("REF-4") as info:
        check_userinfo_within_scope(answer, OPENID_EMAIL, USER_CLAIMS)
    assert shown in str(info.value)


# --- REF-6: rotation as the profile declares ----------------------------------------------


def test_rotation_with_a_new_token_passes() -> None:
    check_rotated(refreshed(refresh_token=ROTATED), REFRESH_TOKEN)


@pytest.mark.parametrize(
    ("response", "shown"),
    [
        pytest.param(refreshed(), "none", id="no new token"),
        pytest.param(refreshed(refresh_token=""), "none", id="an empty token"),
        pytest.param(refreshed(refresh_token=REFRESH_TOKEN), "the same one", id="the same token"),
    ],
)
def test_rotation_without_a_new_token_fails(response: TokenResponse, shown: str) -> None:
    with fails("REF-6") as info:
        check_rotated(response, REFRESH_TOKEN)
    assert shown in str(info.value)
