"""RURI-1..3, FRAG-1..2: exact redirect_uri matching and fragments (OAuth §3.1.2; RFC 9700 §4.1).

The checks that catch real security bugs: a tenant that sends a code or token anywhere
but the exact registered URI is broken, whatever else works.
"""

import pytest

from hybridcheck.checks.base import Findings
from hybridcheck.checks.redirect_uri import (
    check_client_fragment_not_returned,
    check_equivalent_redirect_uri,
    check_fragment_only,
    check_redirect_uri_refused,
    check_refusal_shown_at_tenant,
    check_registered_redirect_uri_used,
    check_wildcard_match_delivered,
)

CLIENT_FRAGMENT = "client-state=kept-by-the-client"


#: The main client's first and second registered redirect URIs (a profile may register one).
REGISTERED = [
    pytest.param(0, id="first-registered"),
    pytest.param(1, id="second-registered", marks=pytest.mark.needs_client("main", redirect_uris=2)),
]


@pytest.mark.req("RURI-1")
@pytest.mark.oidf("oidcc-server")
@pytest.mark.parametrize("index", REGISTERED)
def test_registered_redirect_uri_succeeds_and_keeps_its_query(case, authorize, target, index):
    check_registered_redirect_uri_used(authorize(case, redirect_uri=target.main_client.redirect_uris[index]))


@pytest.mark.negative
@pytest.mark.req("RURI-2", "RURI-3")
@pytest.mark.oidf("oidcc-ensure-registered-redirect-uri")
def test_near_miss_redirect_uri_is_refused_at_the_tenant(case, authorize, near_miss):
    response = authorize(case, redirect_uri=near_miss.uri, screenshot=True)
    check_redirect_uri_refused(response, near_miss.uri)
    check_refusal_shown_at_tenant(response)


@pytest.mark.negative
@pytest.mark.req("RURI-2")
@pytest.mark.oidf("oidcc-ensure-redirect-uri-in-authorization-request")
@pytest.mark.needs_clients(2)
def test_missing_redirect_uri_is_refused_for_every_other_client(any_case, authorize, target):
    """Core §3.1.2.1: redirect_uri is REQUIRED, also for a client with a single registered URI
    (the main client's own case is the near miss ``missing``)."""
    with Findings() as findings:
        for role in (role for role in target.clients if role != "main"):
            findings.check(check_redirect_uri_refused, authorize(any_case, client=role, redirect_uri=None), None)


@pytest.mark.req("RURI-2")
@pytest.mark.matrix(modes=["fragment"])
def test_equivalent_redirect_uri_is_refused_or_delivered_to_the_registered_one(case, authorize, equivalent_redirect_uri):
    response = authorize(case, redirect_uri=equivalent_redirect_uri.uri, screenshot=True)
    check_equivalent_redirect_uri(response, equivalent_redirect_uri.registered)


@pytest.mark.negative
@pytest.mark.req("FRAG-1")
def test_fragment_in_redirect_uri_is_refused_or_removed(case, authorize, target):
    with_fragment = f"{target.main_client.redirect_uris[0]}#{CLIENT_FRAGMENT}"
    check_client_fragment_not_returned(authorize(case, redirect_uri=with_fragment, screenshot=True), CLIENT_FRAGMENT)


@pytest.mark.req("FRAG-2")
@pytest.mark.matrix(modes=["fragment"])
@pytest.mark.parametrize("index", REGISTERED)
def test_fragment_mode_values_appear_only_in_the_fragment(case, authorize, target, index):
    registered = target.main_client.redirect_uris
    check_fragment_only(authorize(case, redirect_uri=registered[index]), registered)


@pytest.mark.auth0
@pytest.mark.req("RURI-4")
@pytest.mark.matrix(modes=["fragment"])
def test_wildcard_callback_matches_exactly_one_subdomain_level(case, authorize, wildcard_case):
    role, variant = wildcard_case
    response = authorize(case, client=role, redirect_uri=variant.uri, screenshot=not variant.must_match)
    if variant.must_match:
        check_wildcard_match_delivered(response, variant.uri)
    else:
        check_redirect_uri_refused(response, variant.uri, "RURI-4")
