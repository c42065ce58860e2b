"""Pre-flight: is this tenant set up so that the suite can judge it at all?

Before the suite judges anything, each worker sends one real hybrid authorization per
response type the profile claims (with the profile's ``audience`` and ``organization``),
exchanges one code, and, where the profile claims ``prompt=none``, asks once more silently.
A *known misconfiguration* — a dashboard setting a team got wrong, recognised by the error
code or page the tenant answers with — ends the run at once (exit 6) with one message
naming the setting to fix, instead of hundreds of red tests. Anything else is left to the
suite: the pre-flight never judges conformance, and a tenant it does not recognise as
misconfigured goes on to be judged.

The diagnoses are pure functions of the evidence; :func:`run` is the only part that sends.
"""

from __future__ import annotations

from typing import Any

from hybridcheck.evidence import AuthorizationResponse, TokenResponse
from hybridcheck.flows.token import TokenClient
from hybridcheck.matrix import FlowCase
from hybridcheck.profile import Profile
from hybridcheck.target import Authorizer

_APP = "Applications → Applications → your application"


class Misconfigured(Exception):
    """A known misconfiguration; the message names the setting to fix."""


def _error(response: AuthorizationResponse) -> tuple[str, str]:
    """The error code and description the response carries, at the client or on a tenant page."""
    if "error" in response.params:
        return response.params["error"], response.params.get("error_description", "")
    text = response.page_text
    for code in ("unauthorized_client", "access_denied", "consent_required", "invalid_request"):
        if code in text:
            return code, text
    return "", text


def diagnose_login(response: AuthorizationResponse, user: str) -> str | None:
    """The login itself could not be done: a challenge no browser run can answer, or a refused user."""
    text = response.page_text
    lowered = text.lower()
    if "/u/mfa" in response.final_url or "verify your identity" in lowered:
        return (f"the tenant asks the test user {user} for multi-factor authentication, which a nightly run cannot "
                "answer: turn MFA off for this user (Security → Multi-factor Auth, or the Action/rule that "
                "enforces it)")
    if "not a robot" in lowered or "captcha" in lowered:
        return ("the login page shows a bot-detection challenge (CAPTCHA): turn Bot Detection off for the test "
                "user's logins (Security → Attack Protection → Bot Detection; an IP allow-list for the CI runners)")
    if "blocked" in lowered and response.stopped == "login refused":
        return (f"the test user {user} is blocked (brute-force protection or an admin): unblock it (User "
                "Management → Users → the user → Unblock) and check its password before the next run")
    if response.stopped == "login refused":
        return (f"the login page refused the test user {user} ({text.strip().splitlines()[0][:120] if text else ''}): "
                "check the password in the variable [user] password_env names, and that the user is in a "
                "database connection enabled for the application")
    return None


def diagnose_authorization(response: AuthorizationResponse, profile: Profile) -> str | None:
    """A known misconfiguration in the answer to one correct authorization request, or None."""
    login = diagnose_login(response, profile.user.username)
    if login:
        return login
    request = response.request
    error, description = _error(response)
    if response.channel == "none" and ("callback url mismatch" in description.lower()
                                       or "allowed callback" in description.lower()):
        return (f"the redirect URI {request.redirect_uri} is not in the application's Allowed Callback URLs "
                f"({_APP} → Settings): add it exactly as sent, character for character")
    if error == "unauthorized_client":
        return (f"the application does not allow response_type {request.response_type!r}: the hybrid flow needs "
                f"the Implicit and the Authorization Code grants ({_APP} → Settings → Advanced Settings → "
                "Grant Types: tick Implicit and Authorization Code)")
    if error == "access_denied" and "service not found" in description.lower():
        audience = request.extra.get("audience", "")
        return (f"the tenant has no API with the identifier {audience!r} the profile sends as audience: create "
                "it (Applications → APIs) or correct [api] audience")
    if error == "consent_required":
        return (f"the tenant asks consent for the callback {request.redirect_uri} (Auth0 does for localhost "
                "callbacks, and prompt=none then fails): register a callback host name that maps to loopback "
                "([callback] host, docs/scale-out.md), or let the application skip consent (Applications → APIs "
                "→ your API → Settings → Allow Skipping User Consent, first-party applications)")
    id_token = response.id_token
    if id_token is not None and str(id_token.header.get("alg", "")).startswith("HS"):
        return (f"ID tokens are signed {id_token.header['alg']} with the client secret, so no one can check them "
                f"against the JWKS: set {_APP} → Settings → Advanced Settings → OAuth → JSON Web Token (JWT) "
                "Signature Algorithm to RS256")
    return None


def diagnose_exchange(tokens: TokenResponse) -> str | None:
    """A known misconfiguration in the answer to a correct code exchange, or None."""
    error = tokens.error
    if error == "invalid_client":
        return ("the token endpoint refused the client's credentials (invalid_client): check the client secret in "
                f"the variable [clients.main] client_secret_env names, and that auth_method matches {_APP} → "
                "Credentials → Authentication Method")
    if error == "unauthorized_client":
        return (f"the application may not exchange codes (unauthorized_client): tick Authorization Code in {_APP} → "
                "Settings → Advanced Settings → Grant Types")
    id_token = tokens.id_token
    if id_token is not None and str(id_token.header.get("alg", "")).startswith("HS"):
        return (f"ID tokens are signed {id_token.header['alg']}: set {_APP} → Settings → Advanced Settings → OAuth → "
                "JSON Web Token (JWT) Signature Algorithm to RS256")
    return None


def _extra(profile: Profile) -> dict[str, Any]:
    """What every pre-flight request carries besides the matrix cell: the API and organization."""
    extra: dict[str, Any] = {}
    if profile.api:
        extra["audience"] = profile.api.audience
    if profile.organization:
        extra["organization"] = profile.organization
    return extra


def run(authorize: Authorizer, tokens: TokenClient, profile: Profile) -> None:
    """The pre-flight requests; :class:`Misconfigured` at the first known misconfiguration."""
    extra = _extra(profile)
    first: AuthorizationResponse | None = None
    for response_type in profile.capabilities.response_types:
        response = authorize(FlowCase(response_type, profile.capabilities.response_modes[0]), **extra)
        found = diagnose_authorization(response, profile)
        if found:
            raise Misconfigured(found)
        first = first or (response if "code" in response.params else None)
    if first is not None:
        found = diagnose_exchange(tokens.exchange(first.params["code"], first.request.redirect_uri,
                                                  code_verifier=first.request.code_verifier))
        if found:
            raise Misconfigured(found)
    if profile.capabilities.prompt_none and profile.capabilities.response_types:
        case = FlowCase(profile.capabilities.response_types[0], profile.capabilities.response_modes[0])
        found = diagnose_authorization(authorize(case, prompt="none"), profile)
        if found:
            raise Misconfigured(found)
