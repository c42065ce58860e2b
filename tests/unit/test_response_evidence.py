"""The authorize flow's classifier: which channel a response came by, its parameters, its raw pairs."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from hybridcheck.evidence import AuthorizationRequest, CallbackHit
from hybridcheck.flows.authorize import _response_evidence
from hybridcheck.redact import REDACTOR

CALLBACK = "http://localhost:8765"
REQUEST = AuthorizationRequest("http://127.0.0.1:9000/authorize", "client", f"{CALLBACK}/callback",
                               "code id_token", "fragment", state="s")
FORM = {"content-type": "application/x-www-form-urlencoded"}


def classify(final_url: str, *hits: CallbackHit) -> Any:
    watcher = SimpleNamespace(requests=[], responses=[])
    return _response_evidence(REQUEST, final_url, hits, watcher, 0, "", CALLBACK)  # type: ignore[arg-type]


def test_fragment_keeps_the_raw_pairs_in_order_with_repeats() -> None:
    resp = classify(f"{CALLBACK}/callback#code=decoy&state=s&code=real%2Bone", CallbackHit("GET", "/callback", "", {}))
    assert resp.channel == "fragment"
    assert resp.params == {"code": "real+one", "state": "s"}  # the dict keeps the last copy
    assert resp.raw_pairs == (("code", "decoy"), ("state", "s"), ("code", "real+one"))


def test_form_post_pairs_come_from_the_body() -> None:
    hit = CallbackHit("POST", "/callback", "", FORM, "state=s&error=access_denied&state=")
    resp = classify(f"{CALLBACK}/callback", hit)
    assert resp.channel == "form_post" and resp.form == {"state": "", "error": "access_denied"}
    assert resp.raw_pairs == (("state", "s"), ("error", "access_denied"), ("state", ""))


def test_query_response() -> None:
    resp = classify(f"{CALLBACK}/callback?error=invalid_request&state=s", CallbackHit("GET", "/callback", "", {}))
    assert resp.channel == "query" and resp.raw_pairs == (("error", "invalid_request"), ("state", "s"))


@pytest.mark.parametrize("final_url", ["http://127.0.0.1:9000/authorize?x=1", f"{CALLBACK}/callback#code=c"])
def test_nothing_at_the_client_is_channel_none(final_url: str) -> None:
    resp = classify(final_url)  # no callback hit: the browser never reached the client
    assert resp.channel == "none" and resp.params == {} and resp.raw_pairs == ()


def test_every_copy_of_a_credential_is_redacted() -> None:
    classify(f"{CALLBACK}/callback#code=decoy-code-7f3a&code=real-code-91bc", CallbackHit("GET", "/callback", "", {}))
    assert "decoy-code-7f3a" not in REDACTOR.scrub("x decoy-code-7f3a real-code-91bc")
    assert "real-code-91bc" not in REDACTOR.scrub("real-code-91bc")
