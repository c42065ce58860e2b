"""SESS-7..9, RESP-6: claims parameter, request objects, code replay after 30 s, RFC 9207 ``iss``."""

import json
import secrets
from dataclasses import replace

import pytest

from hybridcheck.checks.request_objects import (
    check_claims_parameter_honoured,
    check_request_object_honoured,
    check_request_object_redirect_uri,
    unsigned_objects_not_offered,
)
from hybridcheck.checks.response import check_authorization_response_iss, check_flow_succeeded
from hybridcheck.checks.token_endpoint import (
    check_first_tokens_revoked,
    check_grant_refused,
    check_tokens_issued,
)
from hybridcheck.clock import wait_until_epoch
from hybridcheck.request_object import unsigned_request_object

pytestmark = pytest.mark.matrix(modes=["fragment", "form_post"])

#: Claims asked with the claims parameter (Core §5.5) while the scope asks only openid.
CLAIMS_REQUEST = {"id_token": {"email": {"essential": True}}, "userinfo": {"phone_number": {"essential": True}}}


@pytest.mark.req("RESP-6")
def test_authorization_response_iss_is_the_issuer(case, shared_authorize, target, provider):
    advertised = provider.discovery.get("authorization_response_iss_parameter_supported") is True
    check_authorization_response_iss(shared_authorize(case), target.issuer, advertised=advertised)


@pytest.mark.req("SESS-7")
@pytest.mark.oidf("oidcc-claims-essential")
def test_claims_parameter_is_honoured(any_case, complete, tokens, provider, profile):
    """Core §5.5: one cell (the rule does not depend on the hybrid response type; UserInfo is rate-limited)."""
    if provider.discovery.get("claims_parameter_supported") is not True:
        pytest.skip("the tenant does not advertise claims_parameter_supported")
    flow = complete(any_case, scope="openid", claims=json.dumps(CLAIMS_REQUEST))
    id_claims = flow.front_channel_claims | flow.token_endpoint_claims
    userinfo = tokens.userinfo(flow.tokens.access_token or "").json or {}
    check_claims_parameter_honoured(id_claims, userinfo, CLAIMS_REQUEST, profile.user.claims)


@pytest.mark.req("SESS-8")
@pytest.mark.oidf("oidcc-unsigned-request-object-supported-correctly-or-rejected-as-unsupported")
@pytest.mark.parametrize("by", [
    pytest.param("value", id="by-value"),
    pytest.param("reference", id="by-reference", marks=pytest.mark.oidf("oidcc-request-uri-unsigned")),
])
def test_request_object_is_processed_or_refused_as_unsupported(case, authorize, target, provider, callback_server, by):
    """The object's state differs from the outer one: a tenant that ignores the object is caught."""
    reason = unsigned_objects_not_offered(provider.discovery, by)
    if reason:
        pytest.skip(reason)
    inner = authorize.request(case, state="inner-" + secrets.token_urlsafe(8))
    request_object = unsigned_request_object(inner, target.issuer)
    if by == "value":
        carried = {"request": request_object}
    else:
        path = f"/request-objects/{secrets.token_urlsafe(8)}.jwt"
        carried = {"request_uri": callback_server.publish(path, request_object, "application/oauth-authz-req+jwt")}
    outer = replace(inner, state="outer-state", extra={**inner.extra, **carried})
    check_request_object_honoured(authorize.run(outer), inner.state, "outer-state")


@pytest.mark.req("SESS-8")
@pytest.mark.oidf("oidcc-ensure-request-object-with-redirect-uri")
@pytest.mark.matrix(modes=["fragment"])
def test_redirect_uri_only_inside_the_request_object_is_honoured(case, authorize, target, provider):
    reason = unsigned_objects_not_offered(provider.discovery, "value")
    if reason:
        pytest.skip(reason)
    registered = target.main_client.redirect_uris
    inner = authorize.request(case, redirect_uri=registered[-1])
    outer = replace(inner, redirect_uri=None, extra={**inner.extra,
                                                     "request": unsigned_request_object(inner, target.issuer)})
    check_request_object_redirect_uri(authorize.run(outer), registered[-1])


@pytest.mark.slow
@pytest.mark.negative
@pytest.mark.req("SESS-9")
@pytest.mark.oidf("oidcc-codereuse-30seconds")
def test_code_replayed_after_30_seconds_is_refused_and_its_tokens_revoked(code_exchanged_at_start, tokens, profile):
    """The code was exchanged when the worker began (a head start): this test runs last and
    waits only for what is left of the 30 s."""
    response, first = code_exchanged_at_start.flow.authorization, code_exchanged_at_start.flow.tokens
    check_flow_succeeded(response, "SESS-9")
    code, redirect_uri = response.params["code"], response.request.redirect_uri
    check_tokens_issued(first, "SESS-9", "the first exchange of the code works")
    wait_until_epoch(code_exchanged_at_start.exchanged_at + 31)  # the requirement is about time passing
    check_grant_refused(tokens.exchange(code, redirect_uri), "SESS-9", "a code replayed after 30 s is refused")
    check_first_tokens_revoked(tokens.userinfo(first.access_token or ""),
                               strict=profile.expectations.strict_code_reuse_revocation, req_id="SESS-9")
