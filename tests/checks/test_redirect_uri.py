"""FRAG-2 and RURI-2 checks on hand-made evidence."""

from __future__ import annotations

from dataclasses import replace

import pytest

from hybridcheck.checks.redirect_uri import check_fragment_only, check_redirect_uri_refused
from hybridcheck.evidence import BrowserRequest

from .kit import CODE, REDIRECT_URI, Signer, auth_request, delivered, fails, good_response, stayed_at_tenant

REGISTERED = (REDIRECT_URI,)


@pytest.mark.parametrize("rt", ["code id_token", "code token", "code id_token token"])
def test_fragment_only_passes(signer: Signer, rt: str) -> None:
    check_fragment_only(good_response(signer, rt, "fragment"), REGISTERED)


def test_code_in_the_query_of_a_tenant_hop_fails(signer: Signer) -> None:
    resp = good_response(signer, response_mode="fragment")
    hop = BrowserRequest("GET", f"https://tenant.example.test/u/continue?code={CODE}&to=x", "document")
    with fails("FRAG-2") as info:
        check_fragment_only(replace(resp, browser_requests=(resp.browser_requests[0], hop,
                                                            *resp.browser_requests[1:])), REGISTERED)
    assert "u/continue" in str(info.value) and CODE not in str(info.value)


def test_missing_redirect_uri_refused_passes() -> None:
    check_redirect_uri_refused(stayed_at_tenant(auth_request(redirect_uri=None)), None)


def test_missing_redirect_uri_answered_fails(signer: Signer) -> None:
    request = auth_request(redirect_uri=None)
    with fails("RURI-2"):
        check_redirect_uri_refused(delivered(request, good_response(signer).params, "fragment"), None)
