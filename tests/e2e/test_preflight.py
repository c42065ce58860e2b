"""The pre-flight against a misconfigured tenant: each misconfiguration switch of the reference
tenant (Auth0's answers) ends the run with exit 6 and one message naming the setting to fix."""

from __future__ import annotations

import pytest

from hybridcheck.keys import EXIT_TENANT_UNAVAILABLE
from hybridcheck.paths import TENANTS_DIR
from hybridcheck.tenant.misconfigurations import MISCONFIGURATIONS

pytestmark = pytest.mark.e2e

#: misconfiguration → what the message must name (the dashboard setting or profile field to fix).
NAMED = {
    "implicit_grant_off": "Grant Types: tick Implicit and Authorization Code",
    "callback_not_allowed": "is not in the application's Allowed Callback URLs",
    "api_missing": "no API with the identifier 'https://api.hybridcheck.test'",
    "id_token_hs256": "JSON Web Token (JWT) Signature Algorithm to RS256",
    "consent_for_loopback": "register a callback host name that maps to loopback ([callback] host",
    "mfa_for_test_user": "turn MFA off for this user",
    "bot_detection": "turn Bot Detection off",
    "test_user_password_changed": "check the password in the variable [user] password_env names",
    "test_user_blocked": "is blocked (brute-force protection or an admin): unblock it",
}


def test_every_misconfiguration_is_proven_here() -> None:
    assert set(NAMED) == set(MISCONFIGURATIONS)


@pytest.mark.parametrize("name", sorted(NAMED))
def test_a_misconfigured_tenant_ends_the_run_with_the_setting_to_fix(run_suite, tmp_path, name) -> None:
    profile = tmp_path / "misconfigured.toml"
    profile.write_text((TENANTS_DIR / "local.toml").read_text() + f'\n[embedded]\nmisconfigurations = ["{name}"]\n')
    result = run_suite("--tenant", str(profile), "-m", "smoke and code_id_token and fragment", timeout=60)
    output = result.stdout + result.stderr
    assert result.returncode == EXIT_TENANT_UNAVAILABLE, output[-3000:]
    assert output.count(NAMED[name]) == 1, output[-3000:]
    assert "Traceback" not in output and "INTERNALERROR" not in output
