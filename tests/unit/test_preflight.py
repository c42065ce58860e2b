"""The pre-flight's diagnoses: each known misconfiguration, as Auth0 answers it, names the setting
to fix; a correct answer, and an answer that is only non-conformant, names nothing."""

from __future__ import annotations

import json

import jwt
import pytest

from hybridcheck.evidence import AuthorizationRequest, AuthorizationResponse, HttpExchange, TokenResponse
from hybridcheck.preflight import diagnose_authorization, diagnose_exchange
from hybridcheck.profile import load_profile

PROFILE = load_profile("local", env={})
REQUEST = AuthorizationRequest("https://op.example.test/authorize", "client", "http://localhost:8765/callback",
                               "code id_token", None, state="s", nonce="n",
                               extra={"audience": "https://api.example.test"})


def answer(params: dict[str, str] | None = None, *, page: str = "", stopped: str = "client",
           final_url: str = "http://localhost:8765/callback") -> AuthorizationResponse:
    channel = "fragment" if params is not None else "none"
    return AuthorizationResponse(REQUEST, channel, params or {}, final_url, page_text=page, stopped=stopped)


def signed(alg: str) -> str:
    key = "k" * 32
    return jwt.encode({"sub": "u"}, key, algorithm=alg) if alg.startswith("HS") else jwt.encode(
        {"sub": "u"}, None, algorithm="none")


@pytest.mark.parametrize("response, names", [
    (answer(page="unauthorized_client\nGrant type 'implicit' not allowed for the client.", stopped="recipe error page"),
     "Grant Types: tick Implicit"),
    (answer(page="invalid_request\nCallback URL mismatch. The provided redirect_uri is not in the list of allowed "
                 "callback URLs.", stopped="settled"), "Allowed Callback URLs"),
    (answer({"error": "access_denied", "error_description": "Service not found: https://api.example.test"}),
     "no API with the identifier 'https://api.example.test'"),
    (answer({"error": "consent_required", "error_description": "Consent required"}), "[callback] host"),
    (answer({"code": "c", "id_token": signed("HS256")}), "Signature Algorithm to RS256"),
    (answer(page="Verify Your Identity\nEnter your one-time code", stopped="settled",
            final_url="https://op.example.test/u/mfa-otp-challenge"), "multi-factor"),
    (answer(page="Log in\nSolve the challenge question to verify you are not a robot.", stopped="login refused"),
     "Bot Detection"),
    (answer(page="Log in\nYour account has been blocked after multiple consecutive login attempts.",
            stopped="login refused"), "Unblock"),
    (answer(page="Log in\nWrong email or password.", stopped="login refused"), "password_env"),
], ids=["implicit-off", "callback-not-allowed", "unknown-audience", "loopback-consent", "hs256", "mfa", "bot-detection",
        "blocked", "wrong-password"])
def test_each_known_misconfiguration_names_its_setting(response, names) -> None:
    found = diagnose_authorization(response, PROFILE)
    assert found is not None and names in found, found


@pytest.mark.parametrize("response", [
    answer({"code": "c", "id_token": signed("none"), "state": "s"}),  # alg none: non-conformant, for the suite to judge
    answer({"error": "invalid_request", "error_description": "Missing required parameter: nonce"}),
    answer({"error": "access_denied", "error_description": "The user declined."}),
    answer(page="invalid_request\nThe login transaction is unknown", stopped="recipe error page"),
    answer(page="Something went wrong", stopped="settled"),
], ids=["alg-none", "invalid-request", "declined", "unknown-transaction", "unknown-page"])
def test_anything_else_is_left_to_the_suite(response) -> None:
    assert diagnose_authorization(response, PROFILE) is None


def token_answer(status: int, body: dict) -> TokenResponse:
    return TokenResponse(HttpExchange("POST", "https://op.example.test/oauth/token", {}, {}, status,
                                      {"content-type": "application/json"}, json.dumps(body)))


def test_the_code_exchange_names_the_client_credentials_and_the_grant_types() -> None:
    assert "client_secret_env" in diagnose_exchange(token_answer(401, {"error": "invalid_client"}))
    assert "Authorization Code" in diagnose_exchange(token_answer(403, {"error": "unauthorized_client"}))
    assert diagnose_exchange(token_answer(403, {"error": "invalid_grant"})) is None  # Auth0's 403: TOK-1 judges it
    assert diagnose_exchange(token_answer(200, {"access_token": "a", "token_type": "Bearer"})) is None
