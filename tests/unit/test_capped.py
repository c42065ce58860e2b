"""Bounded reads: a back-channel or metadata answer beyond the cap fails with what was seen."""

from __future__ import annotations

import gzip
from collections.abc import Iterator

import httpx
import pytest

from hybridcheck.flows.capped import ResponseTooLarge, request_capped
from hybridcheck.flows.http import BackChannel
from hybridcheck.flows.metadata import MetadataUnusable, TenantUnreachable, fetch_metadata

ISSUER = "https://tenant.example.test/"
DISCOVERY = ISSUER + ".well-known/openid-configuration"
JWKS = ISSUER + "jwks"
GOOD_DISCOVERY = {"issuer": ISSUER, "authorization_endpoint": ISSUER + "authorize",
                  "token_endpoint": ISSUER + "token", "jwks_uri": JWKS}


def _client(answers: dict[str, httpx.Response]) -> httpx.Client:
    return httpx.Client(transport=httpx.MockTransport(lambda request: answers[str(request.url)]))


def _streamed(chunks: Iterator[bytes]) -> httpx.Response:
    """A 200 without Content-Length whose body comes in ``chunks`` (read lazily)."""
    return httpx.Response(200, content=chunks)


def test_a_body_within_the_cap_is_read_whole_and_decoded():
    body = b'{"access_token": "a"}'
    answer = httpx.Response(200, content=gzip.compress(body), headers={"content-encoding": "gzip"})
    with _client({JWKS: answer}) as client:
        response = request_capped(client, "GET", JWKS, max_bytes=100)
    assert response.content == body and response.json() == {"access_token": "a"}
    assert "content-encoding" not in response.headers


def test_a_declared_length_beyond_the_cap_is_refused_before_reading():
    answer = httpx.Response(200, content=b"x" * 101)
    with _client({JWKS: answer}) as client, pytest.raises(ResponseTooLarge, match=r"GET .*jwks: .*100-byte cap \(Content-Length: 101\)"):
        request_capped(client, "GET", JWKS, max_bytes=100)


def test_an_undeclared_length_is_refused_once_past_the_cap():
    read = []

    def chunks() -> Iterator[bytes]:
        for _ in range(1000):
            read.append(1)
            yield b"x" * 64

    with _client({JWKS: _streamed(chunks())}) as client, pytest.raises(ResponseTooLarge, match="more than 100 bytes"):
        request_capped(client, "GET", JWKS, max_bytes=100)
    assert len(read) < 10


def test_the_back_channel_applies_the_cap():
    answer = httpx.Response(200, json={"access_token": "a", "padding": "x" * (2 * 1024 * 1024)})
    with _client({ISSUER + "token": answer}) as client, pytest.raises(ResponseTooLarge, match="POST .*token"):
        BackChannel(client).post_form(ISSUER + "token", {"grant_type": "authorization_code"})


@pytest.mark.parametrize(
    "discovery, jwks, message",
    [
        (httpx.Response(200, html="<html>hi</html>"), None,
         f"discovery at {DISCOVERY} is not JSON (Expecting value: line 1 column 1 (char 0)): HTTP 200, text/html; "
         "charset=utf-8, 15 bytes: '<html>hi</html>'"),
        (httpx.Response(200, json=["a"]), None, f"discovery at {DISCOVERY} is JSON but not an object"),
        (httpx.Response(404, json={"error": "not_found"}), None, f"discovery at {DISCOVERY} is unusable: HTTP 404"),
        (httpx.Response(200, json={"issuer": ISSUER}), None,
         f"discovery at {DISCOVERY} is unusable: no authorization_endpoint or token_endpoint"),
        (httpx.Response(200, content=b"x" * (2 * 1024 * 1024)), None, f"discovery at {DISCOVERY} is unusable: GET"),
        (None, httpx.Response(200, json={"keys": "nope"}),
         f"JWKS at {JWKS} is unusable: 'keys' is \"nope\", not an array of JWK objects (RFC 7517 §5)"),
        (None, httpx.Response(200, json={}), f"JWKS at {JWKS} is unusable: no 'keys' member"),
        (None, httpx.Response(200, text="keys"), f"JWKS at {JWKS} is not JSON"),
    ],
    ids=["discovery-html", "discovery-array", "discovery-404", "discovery-no-endpoints", "discovery-huge",
         "jwks-keys-string", "jwks-no-keys", "jwks-text"],
)
def test_unusable_metadata_ends_the_run_with_what_was_wrong(discovery, jwks, message):
    answers = {DISCOVERY: discovery or httpx.Response(200, json=GOOD_DISCOVERY),
               JWKS: jwks or httpx.Response(200, json={"keys": []})}
    with _client(answers) as client, pytest.raises(MetadataUnusable) as info:
        fetch_metadata(client, ISSUER)
    assert str(info.value).startswith(message)
    assert isinstance(info.value, TenantUnreachable)  # the plugin's exit-6 path


def test_wrong_but_usable_metadata_stays_evidence():
    answers = {DISCOVERY: httpx.Response(200, json={**GOOD_DISCOVERY, "issuer": "other"}),
               JWKS: httpx.Response(200, json={"keys": [{"kty": "RSA"}]})}
    with _client(answers) as client:
        metadata = fetch_metadata(client, ISSUER)
    assert metadata.discovery["issuer"] == "other" and metadata.jwks == {"keys": [{"kty": "RSA"}]}
