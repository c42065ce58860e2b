"""Auth0 wildcard callbacks (RURI-4): one label in the leftmost position, nothing else."""

from __future__ import annotations

import pytest
from tenant_kit import NONCE, WILD, WILD_AFFIX, WILDCARD, WILDCARD_AFFIX, element_text

from hybridcheck.tenant import ClientConfig

ACCEPTED = [
    (WILD, "http://a.localhost:9/cb"),
    (WILD, "http://rp-2.localhost:9/cb"),
    (WILD, "http://A1.localhost:9/cb"),
    (WILD_AFFIX, "http://app-feature-7-x.localhost:9/cb?tenant=w"),
    (WILD_AFFIX, "http://app-q-x.localhost:9/cb?tenant=w"),
]

REFUSED = [
    (WILD, WILDCARD, "the registered text itself"),
    (WILD, "http://a.b.localhost:9/cb", "two levels deep"),
    (WILD, "http://localhost:9/cb", "bare parent domain"),
    (WILD, "http://.localhost:9/cb", "empty label"),
    (WILD, "http://a.localhost.evil.test:9/cb", "suffix appended to the host"),
    (WILD, "http://a.localhost:9.evil.test/cb", "suffix after the port"),
    (WILD, "https://a.localhost:9/cb", "other scheme"),
    (WILD, "http://a.localhost:10/cb", "other port"),
    (WILD, "http://a.localhost/cb", "no port"),
    (WILD, "http://a.localhost:9/cb/", "trailing slash"),
    (WILD, "http://a.localhost:9/cb?x=1", "added query"),
    (WILD, "http://a.localhost:9/CB", "path case"),
    (WILD, "http://evil@a.localhost:9/cb", "userinfo"),
    (WILD, "http://a%2eb.localhost:9/cb", "encoded dot in the label"),
    (WILD, "http://a_b.localhost:9/cb", "underscore in the label"),
    (WILD_AFFIX, "http://app--x.localhost:9/cb?tenant=w", "nothing in place of the '*'"),
    (WILD_AFFIX, "http://feature-x.localhost:9/cb?tenant=w", "prefix missing"),
    (WILD_AFFIX, "http://app-a.b-x.localhost:9/cb?tenant=w", "two labels in place of the '*'"),
    (WILD_AFFIX, "http://app-a-x.localhost:9/cb", "registered query missing"),
    (WILD_AFFIX, "http://x.app-a-x.localhost:9/cb?tenant=w", "one level deeper"),
]


@pytest.mark.parametrize(("client", "uri"), ACCEPTED, ids=[uri for _, uri in ACCEPTED])
def test_one_label_in_place_of_the_star_matches(tenant, make_driver, client: ClientConfig, uri: str) -> None:
    driver = make_driver(tenant, client)
    result = driver.authorize(response_type="code id_token", scope="openid", nonce=NONCE, redirect_uri=uri)
    assert result.kind == "fragment" and result.location.startswith(uri + "#code=")
    assert driver.exchange(result, redirect_uri=uri).status_code == 200  # TOK-2 with the URI actually sent


@pytest.mark.parametrize(("client", "uri", "why"), REFUSED, ids=[why for _, _, why in REFUSED])
def test_anything_else_gets_the_callback_mismatch_page(tenant, make_driver, client: ClientConfig, uri: str,
                                                       why: str) -> None:
    result = make_driver(tenant, client).authorize(response_type="code id_token", scope="openid", nonce=NONCE,
                                                   redirect_uri=uri)
    assert result.kind == "page" and result.response.status_code == 400, why
    assert "Callback URL mismatch" in element_text(result.response.text, "error-description")


def test_a_wildcard_is_never_the_default_callback(tenant, make_driver) -> None:
    result = make_driver(tenant, WILD).authorize(response_type="code", scope="openid", redirect_uri=None)
    assert result.kind == "page" and element_text(result.response.text, "error-code") == "invalid_request"


def test_the_token_endpoint_wants_the_uri_sent_not_the_pattern(tenant, make_driver) -> None:
    driver = make_driver(tenant, WILD_AFFIX)
    uri = "http://app-b-x.localhost:9/cb?tenant=w"
    result = driver.authorize(response_type="code", scope="openid", redirect_uri=uri)
    assert driver.exchange(result, redirect_uri=WILDCARD_AFFIX).json()["error"] == "invalid_grant"


@pytest.mark.parametrize("uri", [
    "https://a.*.example.com/cb", "https://*/cb", "ftp://*.example.com/cb", "https://**.example.com/cb",
    "https://*.*.example.com/cb", "https://example.com/*", "https://x@*.example.com/cb",
    "https://*.example.com:*/cb", "https://a_*.example.com/cb",
])
def test_config_refuses_wildcards_auth0_would_not_save(uri: str) -> None:
    with pytest.raises(ValueError, match="invalid wildcard callback"):
        ClientConfig("c", "s", (uri,))


@pytest.mark.parametrize("uri", [
    "https://*.example.com", "https://*.example.com/cb", "http://*.localhost:8080/cb?x=1",
    "https://prefix-*-suffix.example.com/cb", "https://*-pr.example.com/cb",
])
def test_config_accepts_auth0_wildcards(uri: str) -> None:
    assert ClientConfig("c", "s", (uri,)).redirect_uris == (uri,)
