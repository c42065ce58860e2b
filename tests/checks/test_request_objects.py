"""SESS-7, SESS-8 and RESP-6 checks on hand-made evidence."""

from __future__ import annotations

from typing import Any

import pytest

from hybridcheck.checks.request_objects import (
    check_claims_parameter_honoured,
    check_request_object_honoured,
    check_request_object_redirect_uri,
    unsigned_objects_not_offered,
)
from hybridcheck.checks.response import check_authorization_response_iss

from .kit import REDIRECT_URI, auth_request, delivered, error_response, fails, stayed_at_tenant

USER = {"email": "t@example.com", "phone_number": "+1 555"}
REQUESTED = {"id_token": {"email": {"essential": True}}, "userinfo": {"phone_number": None}}
ISSUER = "https://tenant.example/"


def test_claims_parameter_honoured_passes() -> None:
    check_claims_parameter_honoured({"email": "t@example.com"}, {"phone_number": "+1 555"}, REQUESTED, USER)


@pytest.mark.parametrize(("id_claims", "userinfo"), [
    pytest.param({}, {"phone_number": "+1 555"}, id="id_token member ignored"),
    pytest.param({"email": "t@example.com"}, {}, id="userinfo member ignored"),
    pytest.param({"email": "other@example.com"}, {"phone_number": "+1 555"}, id="wrong value"),
])
def test_claims_parameter_ignored_fails(id_claims: dict[str, Any], userinfo: dict[str, Any]) -> None:
    with fails("SESS-7"):
        check_claims_parameter_honoured(id_claims, userinfo, REQUESTED, USER)


def _answer(**params: str):
    return delivered(auth_request(), params)


@pytest.mark.parametrize("resp", [
    pytest.param(_answer(code="c0de-value-1234", state="inner"), id="processed"),
    pytest.param(error_response(auth_request(), "request_not_supported"), id="refused as unsupported (value)"),
    pytest.param(error_response(auth_request(), "request_uri_not_supported"), id="refused as unsupported (uri)"),
])
def test_request_object_processed_or_refused_passes(resp) -> None:
    check_request_object_honoured(resp, "inner", "outer")


@pytest.mark.parametrize(("resp", "shown"), [
    pytest.param(_answer(code="c0de-value-1234", state="outer"), "ignored", id="ignored"),
    pytest.param(_answer(code="c0de-value-1234", state="third"), "third", id="another state"),
    pytest.param(error_response(auth_request(), "invalid_request"), "invalid_request", id="other error"),
    pytest.param(stayed_at_tenant(auth_request()), "at the client", id="stuck at the tenant"),
])
def test_request_object_ignored_fails(resp, shown: str) -> None:
    with fails("SESS-8") as info:
        check_request_object_honoured(resp, "inner", "outer")
    assert shown in str(info.value)


def test_redirect_uri_inside_the_object_honoured_or_refused_passes() -> None:
    check_request_object_redirect_uri(_answer(code="c0de-value-1234"), REDIRECT_URI)
    check_request_object_redirect_uri(stayed_at_tenant(auth_request()), REDIRECT_URI)


def test_redirect_uri_inside_the_object_not_honoured_fails() -> None:
    with fails("SESS-8"):
        check_request_object_redirect_uri(_answer(code="c0de-value-1234"), REDIRECT_URI + "/elsewhere")


@pytest.mark.parametrize(("params", "advertised"), [
    pytest.param({"code": "c", "iss": ISSUER}, True, id="iss as advertised"),
    pytest.param({"code": "c"}, False, id="no iss, not advertised"),
    pytest.param({"code": "c", "id_token": "x.y.z"}, True, id="no iss beside an ID token"),
])
def test_authorization_response_iss_passes(params: dict[str, str], advertised: bool) -> None:
    check_authorization_response_iss(_answer(**params), ISSUER, advertised=advertised)


@pytest.mark.parametrize(("params", "advertised"), [
    pytest.param({"code": "c", "iss": ISSUER.rstrip("/")}, False, id="iss without the trailing slash"),
    pytest.param({"code": "c", "iss": "https://attacker.example/"}, True, id="another issuer"),
    pytest.param({"code": "c"}, True, id="advertised but absent"),
])
def test_authorization_response_iss_wrong_fails(params: dict[str, str], advertised: bool) -> None:
    with fails("RESP-6"):
        check_authorization_response_iss(_answer(**params), ISSUER, advertised=advertised)


@pytest.mark.parametrize(("discovery", "by", "skipped"), [
    pytest.param({"request_parameter_supported": True, "request_object_signing_alg_values_supported": ["RS256"]},
                 "value", True, id="processes objects, none not advertised"),
    pytest.param({"request_parameter_supported": True, "request_object_signing_alg_values_supported": ["none"]},
                 "value", False, id="none advertised"),
    pytest.param({}, "value", False, id="request not supported: request_not_supported is owed"),
    pytest.param({}, "reference", True, id="request_uri supported by default, no none"),
    pytest.param({"request_uri_parameter_supported": False}, "reference", False, id="request_uri not supported"),
])
def test_unsigned_objects_not_offered(discovery: dict[str, Any], by: str, skipped: bool) -> None:
    reason = unsigned_objects_not_offered(discovery, by)
    assert (reason is not None) == skipped
    assert reason is None or "none" in reason
