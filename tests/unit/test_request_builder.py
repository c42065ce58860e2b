"""``Authorizer``, which every suite test goes through: what its request builder fills in from the
cell, makes fresh, leaves out and sends for PKCE, and which flows it sends again."""

from __future__ import annotations

import dataclasses
import hashlib
from urllib.parse import parse_qs, urlsplit

import pytest
from jwt.utils import base64url_encode

from hybridcheck.evidence import AuthorizationResponse, ProviderMetadata
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


# --- retries of infrastructure flakes -------------------------------------------------------


class ScriptedFlow:
    """Answers each run with the next of ``stops`` (where the flow stopped, and the page text)."""

    def __init__(self, *stops: tuple[str, str]) -> None:
        self.stops = list(stops)

    def run(self, page, request, *, screenshot=False):
        stopped, text = self.stops.pop(0)
        return AuthorizationResponse(request, "none", {}, "about:blank", page_text=text, stopped=stopped)


def remote(flow: ScriptedFlow, issuer: str = "https://op.example.test/") -> Authorizer:
    built = authorizer()
    profile = dataclasses.replace(built.target.profile, issuer=issuer)
    return dataclasses.replace(built, target=dataclasses.replace(built.target, profile=profile), flow=flow)


@pytest.mark.parametrize("first", [("timeout", ""), ("navigation failed", "navigation failed: net::ERR_CONNECTION_RESET at x")],
                         ids=["timeout", "connection-reset"])
def test_a_remote_tenants_flake_is_retried_once_and_marked(first) -> None:
    run = remote(ScriptedFlow(first, ("client", ""), ("client", "")))
    response = run()
    assert response.retried and response.stopped == "client"
    assert [r.stopped for r in run.responses] == [first[0], "client"]  # both attempts are evidence


@pytest.mark.parametrize("first", [("settled", "invalid_request"), ("recipe error page", "access_denied"),
                                   ("navigation failed", "navigation failed: net::ERR_CONNECTION_REFUSED at x")],
                         ids=["refused-on-a-page", "error-page", "connection-refused"])
def test_an_answer_of_the_tenant_is_never_retried(first) -> None:
    run = remote(ScriptedFlow(first, ("client", "")))
    assert not run().retried and len(run.responses) == 1


def test_a_tenant_the_run_started_is_never_retried() -> None:
    run = remote(ScriptedFlow(("timeout", ""), ("client", "")), issuer="embedded")
    assert run().stopped == "timeout" and len(run.responses) == 1
