"""``Authorizer.request``, the request builder every suite test goes through: what it fills in
from the cell, what it makes fresh, what ``None`` leaves out, and the PKCE pair it sends."""

from __future__ import annotations

import hashlib
from urllib.parse import parse_qs, urlsplit

from jwt.utils import base64url_encode

from hybridcheck.evidence import ProviderMetadata
from hybridcheck.matrix import FlowCase
from hybridcheck.profile import Client, load_profile
from hybridcheck.target import Authorizer, Target

ENDPOINT = "https://op.example.test/authorize"


def authorizer(*redirect_uris: str) -> Authorizer:
    profile = load_profile("local", env={})
    clients = {"main": Client("main", "client-1", "secret", redirect_uris or ("http://127.0.0.1:8765/callback",))}
    provider = ProviderMetadata("https://op.example.test/.well-known/openid-configuration",
                                {"authorization_endpoint": ENDPOINT}, {"keys": []})
    return Authorizer(Target(profile, "https://op.example.test/", clients), provider, flow=None,  # type: ignore[arg-type]
                      new_page=lambda: None)  # type: ignore[arg-type,return-value]


def sent(request) -> dict[str, list[str]]:
    url = urlsplit(request.url())
    assert f"{url.scheme}://{url.netloc}{url.path}" == ENDPOINT
    return parse_qs(url.query, keep_blank_values=True)


def test_the_cell_gives_response_type_and_mode_and_state_and_nonce_are_fresh() -> None:
    build = authorizer()
    one, two = build.request(FlowCase("code id_token token", "form_post")), build.request(FlowCase("code token", "fragment"))
    params = sent(one)
    assert params["response_type"] == ["code id_token token"] and params["response_mode"] == ["form_post"]
    assert params["client_id"] == ["client-1"] and params["redirect_uri"] == ["http://127.0.0.1:8765/callback"]
    assert params["scope"] == ["openid profile email"]
    assert len(params["state"][0]) >= 16 and len(params["nonce"][0]) >= 16
    assert {one.state, one.nonce}.isdisjoint({two.state, two.nonce})


def test_without_a_cell_it_asks_code_id_token_in_the_default_mode() -> None:
    params = sent(authorizer().request())
    assert params["response_type"] == ["code id_token"] and "response_mode" not in params


def test_none_leaves_a_parameter_out_and_a_value_is_sent_as_given() -> None:
    params = sent(authorizer().request(state=None, nonce=None, response_mode=None, scope="openid", prompt="none"))
    assert "state" not in params and "nonce" not in params and "response_mode" not in params
    assert params["scope"] == ["openid"] and params["prompt"] == ["none"]
    assert sent(authorizer().request(state="given", redirect_uri="http://x.test/cb"))["state"] == ["given"]


def test_pkce_sends_the_s256_challenge_of_the_verifier_it_keeps() -> None:
    request = authorizer().request(pkce=True)
    params = sent(request)
    challenge = base64url_encode(hashlib.sha256(request.code_verifier.encode("ascii")).digest()).decode()
    assert params["code_challenge"] == [challenge] and params["code_challenge_method"] == ["S256"]
    assert 43 <= len(request.code_verifier) <= 128  # RFC 7636 §4.1
    assert authorizer().request().code_verifier is None


def test_a_wildcard_registration_is_sent_as_one_uri_it_covers() -> None:
    assert authorizer("https://*.example.com/cb").request().redirect_uri == "https://app.example.com/cb"
