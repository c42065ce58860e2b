"""Preconditions on shape: a JSON token response, JWT ID tokens, failing under the test's own ID."""

from __future__ import annotations

import pytest

from hybridcheck.checks.wellformed import (
    check_completed_flow_usable,
    check_token_response_usable,
    front_channel_id_token,
    id_token_of,
)
from hybridcheck.evidence import CompletedFlow

from .kit import NONCE, fails, good_response, token_body, token_response, with_params

OPAQUE = "Yt3mP0paqueNotAJwtValue-0123456789abcdefghij"


def test_a_jwt_is_decoded(signer):
    assert id_token_of(signer.token({"sub": "x"}), "IDT-1", "here").claims == {"sub": "x"}


@pytest.mark.parametrize(
    "raw, shown",
    [(OPAQUE, "not a JWT: a string of 44 characters in 1 dot-separated part(s)"), ("a.b.c", "not a JWT"),
     (None, "no id_token"), (42, "id_token 42")],
    ids=["opaque", "three-parts-not-json", "absent", "not-a-string"],
)
def test_anything_else_fails_without_showing_the_value(raw, shown):
    with fails("NONCE-3") as info:
        id_token_of(raw, "NONCE-3", "the token response")
    assert shown in str(info.value) and OPAQUE not in str(info.value)


def test_front_channel_id_token_checks_the_flow_first(signer):
    response = good_response(signer, "code id_token", nonce=NONCE)
    assert front_channel_id_token(response, "IDT-1").claims["nonce"] == NONCE
    with fails("IDT-3") as info:
        front_channel_id_token(with_params(response, id_token=OPAQUE), "IDT-3")
    assert "the id_token in the authorization response is a JWT" in str(info.value)


def test_a_non_json_token_response_names_status_media_type_and_start():
    html = "<!doctype html><title>Maintenance</title>" + "x" * 500
    response = token_response(html, headers={"content-type": "text/html"})
    with fails("TOK-2") as info:
        check_token_response_usable(response, "TOK-2")
    message = str(info.value)
    assert "is JSON (OAuth §5.1)" in message and "not JSON: HTTP 200, text/html, 541 characters" in message
    assert "<!doctype html><title>Maintenance</title>" in message and "x" * 200 not in message


@pytest.mark.parametrize(
    "response",
    [token_response(), token_response("<html>busy</html>", status=503), token_response({"error": "invalid_grant"}, status=400)],
    ids=["valid", "not-200", "oauth-error"],
)
def test_good_and_error_answers_are_left_to_their_tests(response):
    check_token_response_usable(response, "TOK-1")


def test_a_completed_flow_needs_jwt_id_tokens_on_both_channels(signer):
    front = good_response(signer, "code id_token", nonce=NONCE)
    check_completed_flow_usable(CompletedFlow(front, token_response(token_body(id_token=signer.token({})))), "IDT-5")
    with fails("IDT-5") as info:
        check_completed_flow_usable(CompletedFlow(front, token_response(token_body(id_token=OPAQUE))), "IDT-5")
    assert "the id_token in the token response from" in str(info.value)
    with fails("IDT-5"):
        check_completed_flow_usable(CompletedFlow(with_params(front, id_token=OPAQUE), token_response()), "IDT-5")
