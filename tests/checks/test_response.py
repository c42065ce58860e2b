"""RESP-1 to RESP-5 and the success precondition, over hand-made authorization responses."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from hybridcheck.checks.base import RequirementWarning
from hybridcheck.checks.response import (
    check_delivered_by_mode,
    check_error_response_shape,
    check_flow_succeeded,
    check_form_post_not_cached,
    check_query_mode_refused,
    check_response_components,
    check_no_repeated_parameters,
    check_response_type_error,
    error_modes,
    why_no_error_response,
)
from hybridcheck.evidence import (
    AuthorizationRequest,
    AuthorizationResponse,
    BrowserRequest,
    BrowserResponse,
    CallbackHit,
)

from .kit import (
    ACCESS_TOKEN,
    CODE,
    REDIRECT_URI,
    RESPONSE_TYPES,
    Signer,
    auth_request,
    delivered,
    error_response,
    fails,
    good_response,
    stayed_at_tenant,
    with_params,
)

Make = Callable[[Signer], AuthorizationResponse]
MODES = (None, "fragment", "form_post")


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("rt", RESPONSE_TYPES)
def test_good_response_passes_components_and_delivery(signer: Signer, rt: str, mode: str | None) -> None:
    resp = good_response(signer, rt, mode)
    check_response_components(resp)
    check_delivered_by_mode(resp)
    check_flow_succeeded(resp, "SESS-5")


ALLOWED_COMPONENTS: list[Any] = [
    pytest.param(
        lambda s: with_params(good_response(s, "code token"), token_type="bearer"), id="token_type lower case"
    ),
    pytest.param(
        lambda s: with_params(
            good_response(s), iss="https://tenant.example.test/", scope="openid", session_state="abc.def"
        ),
        id="iss, scope, session_state",
    ),
    pytest.param(lambda s: with_params(good_response(s), state=None), id="no state"),
    pytest.param(lambda s: with_params(good_response(s, "code token"), expires_in=None), id="expires_in omitted"),
    pytest.param(lambda s: with_params(good_response(s, "code token"), expires_in="0"), id="expires_in zero"),
]


@pytest.mark.parametrize("make", ALLOWED_COMPONENTS)
def test_allowed_extras_pass_components(signer: Signer, make: Make) -> None:
    check_response_components(make(signer))


BROKEN_COMPONENTS: list[Any] = [
    pytest.param(lambda s: with_params(good_response(s), code=None), id="code missing"),
    pytest.param(lambda s: with_params(good_response(s, "code id_token token"), id_token=None), id="id_token missing"),
    pytest.param(
        lambda s: with_params(good_response(s, "code token"), id_token=good_response(s).params["id_token"]),
        id="id_token for code token",
    ),
    pytest.param(
        lambda s: with_params(good_response(s), access_token=ACCESS_TOKEN), id="access_token for code id_token"
    ),
    pytest.param(lambda s: with_params(good_response(s), token_type="Bearer"), id="token_type for code id_token"),
    pytest.param(lambda s: with_params(good_response(s, "code token"), access_token=None), id="access_token missing"),
    pytest.param(lambda s: with_params(good_response(s, "code token"), token_type="garbage"), id="token_type garbage"),
    pytest.param(lambda s: with_params(good_response(s, "code token"), token_type=None), id="token_type missing"),
    pytest.param(lambda s: with_params(good_response(s, "code token"), expires_in="1h"), id="expires_in not a number"),
    pytest.param(lambda s: with_params(good_response(s, "code token"), expires_in="-5"), id="expires_in negative"),
    pytest.param(
        lambda s: with_params(good_response(s, "code id_token token"), refresh_token="rt-123456"),
        id="refresh_token in the front channel",
    ),
    pytest.param(lambda s: error_response(auth_request(), "access_denied"), id="error response"),
    pytest.param(lambda s: stayed_at_tenant(auth_request()), id="never reached the client"),
]


@pytest.mark.parametrize("make", BROKEN_COMPONENTS)
def test_broken_components_fail(signer: Signer, make: Make) -> None:
    with fails("RESP-1"):
        check_response_components(make(signer))


def test_components_message_names_the_problem_and_masks_tokens(signer: Signer) -> None:
    resp = with_params(good_response(signer, "code token"), refresh_token="rt-123456")
    with fails("RESP-1") as info:
        check_response_components(resp)
    assert "refresh_token" in str(info.value) and ACCESS_TOKEN not in str(info.value)


def test_redirect_uri_with_query_keeps_its_query(signer: Signer) -> None:
    check_delivered_by_mode(good_response(signer, redirect_uri=f"{REDIRECT_URI}?tenant=local&code=keep"))


def also_in_query(resp: AuthorizationResponse, *names: str) -> AuthorizationResponse:
    """``resp`` with some of its parameters duplicated into the callback URL's query."""
    return replace(resp, query={name: resp.params[name] for name in names})


def two_posts(resp: AuthorizationResponse) -> AuthorizationResponse:
    return replace(resp, callback_hits=resp.callback_hits * 2)


def post_hit(resp: AuthorizationResponse, **changes: Any) -> AuthorizationResponse:
    return replace(resp, callback_hits=(replace(resp.callback_hits[0], **changes),))


def visited(resp: AuthorizationResponse, url: str) -> AuthorizationResponse:
    return replace(resp, browser_requests=(*resp.browser_requests, BrowserRequest("GET", url, "document")))


BROKEN_DELIVERY: list[Any] = [
    pytest.param(
        lambda s: delivered(auth_request(), good_response(s).params, "query"),
        "RESP-3",
        id="default mode answered by query",
    ),
    pytest.param(
        lambda s: delivered(auth_request(response_mode="form_post"), good_response(s).params, "query"),
        "RESP-2",
        id="form_post delivered as query",
    ),
    pytest.param(
        lambda s: delivered(auth_request(response_mode="form_post"), good_response(s).params, "fragment"),
        "RESP-2",
        id="form_post delivered as fragment",
    ),
    pytest.param(
        lambda s: delivered(auth_request(response_mode="fragment"), good_response(s).params, "form_post"),
        "RESP-2",
        id="fragment delivered as form_post",
    ),
    pytest.param(lambda s: stayed_at_tenant(auth_request(response_mode="fragment")), "RESP-2", id="never delivered"),
    pytest.param(lambda s: also_in_query(good_response(s), "code"), "RESP-3", id="code also in the query"),
    pytest.param(
        lambda s: also_in_query(good_response(s, "code token", "fragment"), "access_token"),
        "RESP-2",
        id="access_token also in the query",
    ),
    pytest.param(
        lambda s: also_in_query(good_response(s, redirect_uri=f"{REDIRECT_URI}?state=mine"), "state"),
        "RESP-3",
        id="state in the query beside the redirect_uri's own",
    ),
    pytest.param(
        lambda s: replace(good_response(s), query={"added": "by-the-tenant"}),
        "RESP-3",
        id="query added in fragment mode",
    ),
    pytest.param(
        lambda s: visited(good_response(s, response_mode="fragment"), f"https://tenant.example.test/u/continue?code={CODE}"),
        "RESP-2",
        id="code in the query of a tenant hop",
    ),
    pytest.param(
        lambda s: visited(good_response(s, "code token"), f"https://tenant.example.test/hop?t={ACCESS_TOKEN[:20]}%2B"
                          f"&at={ACCESS_TOKEN}"),
        "RESP-3",
        id="access_token in the query of a tenant hop",
    ),
    pytest.param(lambda s: two_posts(good_response(s, response_mode="form_post")), "RESP-2", id="two POSTs"),
    pytest.param(
        lambda s: replace(good_response(s, response_mode="form_post"), callback_hits=()), "RESP-2", id="no POST"
    ),
    pytest.param(
        lambda s: post_hit(good_response(s, response_mode="form_post"), path="/callback/"),
        "RESP-2",
        id="POST to another path",
    ),
    pytest.param(
        lambda s: post_hit(good_response(s, response_mode="form_post"), query="x=1"),
        "RESP-2",
        id="POST with a query the redirect_uri lacks",
    ),
    pytest.param(
        lambda s: post_hit(good_response(s, response_mode="form_post"), headers={"content-type": "application/json"}),
        "RESP-2",
        id="POST as JSON",
    ),
    pytest.param(
        lambda s: visited(good_response(s, response_mode="form_post"), f"https://tenant.example.test/x?c={CODE}"),
        "RESP-2",
        id="form_post code in a visited URL",
    ),
    pytest.param(
        lambda s: visited(
            good_response(s, "code token", "form_post"), f"https://rp.example.test/next#at={ACCESS_TOKEN}"
        ),
        "RESP-2",
        id="form_post access_token in a visited URL",
    ),
]


@pytest.mark.parametrize(("make", "req_id"), BROKEN_DELIVERY)
def test_broken_delivery_fails(signer: Signer, make: Make, req_id: str) -> None:
    with fails(req_id):
        check_delivered_by_mode(make(signer))


def test_form_post_charset_is_accepted(signer: Signer) -> None:
    resp = post_hit(
        good_response(signer, response_mode="form_post"),
        headers={"content-type": "application/x-www-form-urlencoded; charset=UTF-8"},
    )
    check_delivered_by_mode(resp)


def test_form_post_page_with_no_store_passes(signer: Signer) -> None:
    check_form_post_not_cached(good_response(signer, response_mode="form_post"))


def with_form_page_headers(resp: AuthorizationResponse, headers: dict[str, str]) -> AuthorizationResponse:
    """The form page (first browser response) with other headers."""
    page, *rest = resp.browser_responses
    return replace(resp, browser_responses=(replace(page, headers=headers), *rest))


def test_form_post_page_is_found_after_login_pages(signer: Signer) -> None:
    resp = good_response(signer, response_mode="form_post")
    login = BrowserResponse("https://tenant.example.test/login", 200, {})
    hop = BrowserResponse("https://tenant.example.test/resume", 302, {})
    check_form_post_not_cached(replace(resp, browser_responses=(login, hop, *resp.browser_responses)))


BROKEN_CACHING: list[Any] = [
    pytest.param(
        lambda s: with_form_page_headers(good_response(s, response_mode="form_post"), {}), id="no Cache-Control"
    ),
    pytest.param(
        lambda s: with_form_page_headers(
            good_response(s, response_mode="form_post"), {"Cache-Control": "no-cache, private", "Pragma": "no-cache"}
        ),
        id="no-cache only",
    ),
    pytest.param(
        lambda s: with_form_page_headers(
            good_response(s, response_mode="form_post"), {"cache-control": "max-age=0, x-no-store"}
        ),
        id="lookalike directive",
    ),
    pytest.param(
        lambda s: replace(good_response(s, response_mode="form_post"), browser_responses=()), id="no form page recorded"
    ),
]


@pytest.mark.parametrize("make", BROKEN_CACHING)
def test_cacheable_form_post_page_warns(signer: Signer, make: Make) -> None:
    """A SHOULD of practice, not of the Form Post spec: a warning, never a failure."""
    with pytest.warns(RequirementWarning, match=r"^\[RESP-2\] the form_post page is sent with Cache-Control: no-store"):
        check_form_post_not_cached(make(signer))


def test_form_post_caching_check_needs_form_post(signer: Signer) -> None:
    with pytest.raises(ValueError):
        check_form_post_not_cached(good_response(signer))


QUERY_TOKEN_RTS = ("code id_token", "code token", "code id_token token")


def query_request(rt: str = "code id_token token") -> AuthorizationRequest:
    return auth_request(rt, "query")


REFUSED_QUERY_MODE: list[Any] = [
    pytest.param(lambda s: stayed_at_tenant(query_request()), id="error page at the tenant"),
    pytest.param(lambda s: error_response(query_request(), "invalid_request", "fragment"), id="error by fragment"),
    pytest.param(lambda s: success_for(s, "code id_token token", "fragment"), id="accepted, answered by fragment"),
    pytest.param(
        lambda s: error_response(query_request("code id_token"), "unsupported_response_mode", "query"),
        id="error by query",
    ),
]


@pytest.mark.parametrize("make", REFUSED_QUERY_MODE)
def test_query_mode_refused_passes(signer: Signer, make: Make) -> None:
    check_query_mode_refused(make(signer))


def success_for(signer: Signer, rt: str, channel: str) -> AuthorizationResponse:
    request = query_request(rt)
    return delivered(request, good_response(signer, rt).params, channel)


ANSWERED_QUERY_MODE: list[Any] = [
    *[
        pytest.param(lambda s, rt=rt: success_for(s, rt, "query"), id=f"tokens in the query: {rt}")
        for rt in QUERY_TOKEN_RTS
    ],
    pytest.param(lambda s: success_for(s, "code id_token token", "form_post"), id="answered by form_post instead"),
    pytest.param(
        lambda s: visited(error_response(query_request(), channel="fragment"), f"{REDIRECT_URI}?code={CODE}"),
        id="error, but a code went by query first",
    ),
    pytest.param(
        lambda s: replace(
            stayed_at_tenant(query_request()),
            callback_hits=(CallbackHit("GET", "/callback", f"access_token={ACCESS_TOKEN}", {}),),
        ),
        id="the callback server saw a token in a query",
    ),
]


@pytest.mark.parametrize("make", ANSWERED_QUERY_MODE)
def test_query_mode_answered_fails(signer: Signer, make: Make) -> None:
    with fails("RESP-4"):
        check_query_mode_refused(make(signer))


def test_query_mode_check_needs_a_query_request(signer: Signer) -> None:
    with pytest.raises(ValueError):
        check_query_mode_refused(good_response(signer))


REFUSED_RESPONSE_TYPES: list[Any] = [
    pytest.param(lambda s: stayed_at_tenant(auth_request(None)), id="missing RT: error page"),
    pytest.param(
        lambda s: error_response(auth_request(None), "invalid_request", "query"), id="missing RT: invalid_request"
    ),
    pytest.param(
        lambda s: error_response(auth_request("code id_token banana"), "unsupported_response_type", "fragment"),
        id="unknown RT: unsupported_response_type",
    ),
]


@pytest.mark.parametrize("make", REFUSED_RESPONSE_TYPES)
def test_response_type_error_passes(signer: Signer, make: Make) -> None:
    check_response_type_error(make(signer))


ANSWERED_RESPONSE_TYPES: list[Any] = [
    pytest.param(
        lambda s: delivered(auth_request(None), {"code": CODE}, "query"), id="missing RT answered with a code"
    ),
    pytest.param(
        lambda s: delivered(auth_request("code banana"), good_response(s).params, "fragment"),
        id="unknown RT answered with tokens",
    ),
    pytest.param(lambda s: error_response(auth_request(None), "access_denied", "query"), id="wrong error code"),
    pytest.param(lambda s: delivered(auth_request(None), {"state": "x"}, "query"), id="no error at all"),
    pytest.param(
        lambda s: visited(stayed_at_tenant(auth_request(None)), f"{REDIRECT_URI}?code={CODE}"),
        id="error page after a code went out",
    ),
    pytest.param(
        lambda s: error_response(auth_request(None), "invalid_request", "query", code=CODE), id="error carrying a code"
    ),
]


@pytest.mark.parametrize("make", ANSWERED_RESPONSE_TYPES)
def test_response_type_answered_fails(signer: Signer, make: Make) -> None:
    with fails("RESP-5"):
        check_response_type_error(make(signer))


FAILED_FLOWS: list[Any] = [
    pytest.param(lambda s: stayed_at_tenant(auth_request()), id="stayed at the tenant"),
    pytest.param(lambda s: error_response(auth_request(), "server_error"), id="error"),
    pytest.param(lambda s: with_params(good_response(s), code=None), id="no code"),
]


@pytest.mark.parametrize("req_id", ["SESS-5", "RURI-1"])
@pytest.mark.parametrize("make", FAILED_FLOWS)
def test_failed_flow_fails_with_the_given_requirement(signer: Signer, make: Make, req_id: str) -> None:
    with fails(req_id):
        check_flow_succeeded(make(signer), req_id)


# --- RESP-7: the shape of an error response ---------------------------------------------------


ALLOWED_ERROR_SHAPES: list[Any] = [
    pytest.param(with_params(error_response(auth_request()), error_uri="https://tenant.example/errors/1",
                             iss="https://tenant.example/"), id="error_uri and iss"),
    pytest.param(with_params(error_response(auth_request()), session_state="c2Vzc2lvbg.salt"),
                 id="extension parameter session_state"),
    pytest.param(with_params(error_response(auth_request()), vendor_trace="t-1"), id="unregistered extension parameter"),
    pytest.param(error_response(auth_request(response_mode="form_post")), id="form_post error by form_post"),
    pytest.param(error_response(auth_request("code id_token token", "query"), channel="fragment"),
                 id="refused query mode, error by fragment"),
    pytest.param(error_response(auth_request("code id_token token", "query"), channel="query"),
                 id="refused query mode, error by query"),
]


@pytest.mark.parametrize("resp", ALLOWED_ERROR_SHAPES)
def test_error_response_with_allowed_companions_passes(resp: AuthorizationResponse) -> None:
    check_error_response_shape(resp)


BROKEN_ERROR_SHAPES: list[Any] = [
    pytest.param(with_params(error_response(auth_request()), code="leaked-code-1234"), "code", id="with a code"),
    pytest.param(with_params(error_response(auth_request()), access_token="at-123456789"), "access_token",
                 id="with an access token"),
    pytest.param(with_params(error_response(auth_request()), token_type="Bearer"), "token_type",
                 id="with a success parameter"),
    pytest.param(replace(error_response(auth_request()), callback_hits=(CallbackHit("GET", "/callback", f"code={CODE}", {}),)),
                 "callback GET /callback", id="a code in the callback query"),
    pytest.param(error_response(auth_request(response_mode="form_post"), channel="fragment"), "not by form_post",
                 id="form_post error by fragment"),
    pytest.param(error_response(auth_request(response_mode="fragment"), channel="query"), "not by fragment",
                 id="fragment error by query"),
    pytest.param(with_params(error_response(auth_request()), error_description='bad "quote"'), "error_description",
                 id="description with a quote"),
    pytest.param(with_params(error_response(auth_request()), error_description="line\nbreak"), "error_description",
                 id="description with a newline"),
    pytest.param(with_params(error_response(auth_request()), error_description="café"), "error_description",
                 id="description not ASCII"),
    pytest.param(with_params(error_response(auth_request()), error_uri="https://x.example/a b"), "error_uri",
                 id="error_uri with a space"),
    pytest.param(stayed_at_tenant(auth_request()), "no response reached the client", id="not at the client"),
]


@pytest.mark.parametrize(("resp", "shown"), BROKEN_ERROR_SHAPES)
def test_error_response_shape_broken_fails(resp: AuthorizationResponse, shown: str) -> None:
    with fails("RESP-7") as info:
        check_error_response_shape(resp)
    assert shown in str(info.value)
    assert CODE not in str(info.value)


@pytest.mark.parametrize(("request_", "modes"), [
    (auth_request(), {"fragment"}),
    (auth_request(response_mode="form_post"), {"form_post"}),
    (auth_request(None, "fragment"), {"fragment"}),
    (auth_request("code token", "query"), {"query", "fragment"}),
], ids=["default", "form_post", "no response type", "refused query mode"])
def test_error_modes(request_: AuthorizationRequest, modes: set[str]) -> None:
    assert error_modes(request_) == modes


# --- the precondition of the error-response rules ------------------------------------------


def test_an_error_at_the_client_is_there_to_judge() -> None:
    assert why_no_error_response(error_response(auth_request(nonce=None)), "NONCE-2") is None


@pytest.mark.parametrize("make", [
    pytest.param(lambda s: good_response(s, nonce=None), id="success instead"),
    pytest.param(lambda s: stayed_at_tenant(auth_request(nonce=None)), id="error page at the tenant"),
])
def test_no_error_to_judge_names_the_requirement_that_demanded_it(signer: Signer, make: Make) -> None:
    reason = why_no_error_response(make(signer), "NONCE-2")
    assert reason is not None and "NONCE-2" in reason and CODE not in reason


# --- RESP-8: no parameter twice, judged on the raw response ---------------------------------


def raw(resp: AuthorizationResponse, encoded: str) -> AuthorizationResponse:
    """``resp`` whose channel carried ``encoded`` (the parsed dict stays as it was)."""
    return replace(resp, raw_channel=encoded)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("rt", RESPONSE_TYPES)
def test_each_parameter_once_passes(signer: Signer, rt: str, mode: str | None) -> None:
    check_no_repeated_parameters(good_response(signer, rt, mode))


def test_error_response_with_each_parameter_once_passes() -> None:
    check_no_repeated_parameters(error_response(auth_request(response_mode="form_post")))


REPEATED: list[Any] = [
    pytest.param(lambda s: raw(good_response(s), f"code=decoy-0000&{good_response(s).raw_channel}"), "'code': 2",
                 id="decoy code first"),
    pytest.param(lambda s: raw(good_response(s, response_mode="form_post"),
                               f"{good_response(s).raw_channel}&state=other"), "'state': 2", id="form_post state twice"),
    pytest.param(lambda s: raw(error_response(auth_request()), "error=access_denied&state=x&state=x"), "'state': 2",
                 id="error with state twice, same value"),
    pytest.param(lambda s: raw(good_response(s), f"{good_response(s).raw_channel}&iss=a&iss="), "'iss': 2",
                 id="blank copy"),
]


@pytest.mark.parametrize(("make", "shown"), REPEATED)
def test_repeated_parameter_fails(signer: Signer, make: Make, shown: str) -> None:
    with fails("RESP-8") as info:
        check_no_repeated_parameters(make(signer))
    assert shown in str(info.value) and CODE not in str(info.value)


def test_repeated_parameter_check_needs_a_response(signer: Signer) -> None:
    with fails("RESP-8"):
        check_no_repeated_parameters(stayed_at_tenant(auth_request()))
