"""The misconfigurations of the reference tenant: a dashboard setting of an Auth0 tenant set wrong.

Neither a defect nor a fault: the tenant behaves exactly as Auth0 does when a team has set up
its application, API or test user wrongly, with Auth0's own error texts and status codes.
They exist so that the suite's pre-flight (:mod:`hybridcheck.preflight`) can be proven to name
the setting to fix instead of turning hundreds of tests red.

Like the other switches, each is checked at exactly one place in the tenant code, via
``TenantConfig.has_misconfiguration(<name>)``. They come from ``TenantConfig.misconfigurations``,
a profile's ``[embedded] misconfigurations`` or ``HYBRIDCHECK_MISCONFIGURATIONS``.
"""

from __future__ import annotations

from hybridcheck.tenant.switches import Switch, SwitchRegistry, UnknownSwitchError


class UnknownMisconfigurationError(UnknownSwitchError):
    """A misconfiguration name not in :data:`MISCONFIGURATIONS`; the message lists the known ones."""


#: Auth0's texts, as its pages and error responses show them.
IMPLICIT_NOT_ALLOWED = "Grant type 'implicit' not allowed for the client."
MFA_TITLE = "Verify Your Identity"
BOT_CHALLENGE = "Solve the challenge question to verify you are not a robot."
WRONG_CREDENTIALS = "Wrong email or password."
BLOCKED = ("Your account has been blocked after multiple consecutive login attempts. We've sent you an email with "
           "instructions on how to unblock it.")

#: The registry: name → the dashboard setting that is wrong and what Auth0 then does.
MISCONFIGURATIONS: SwitchRegistry[Switch] = SwitchRegistry("misconfiguration", "HYBRIDCHECK_MISCONFIGURATIONS", (
    Switch("implicit_grant_off", f"Grant Types without Implicit: a hybrid request gets a 403 error page "
                                 f"unauthorized_client \"{IMPLICIT_NOT_ALLOWED}\""),
    Switch("callback_not_allowed", "the callback URL is not in Allowed Callback URLs: every request gets the "
                                   "\"Callback URL mismatch\" error page"),
    Switch("api_missing", "no API with the profile's audience: access_denied \"Service not found: AUDIENCE\""),
    Switch("id_token_hs256", "JsonWebToken Signature Algorithm HS256: ID tokens signed with the client secret"),
    Switch("consent_for_loopback", "a loopback callback (localhost) gets Auth0's consent page, and prompt=none "
                                   "consent_required"),
    Switch("mfa_for_test_user", f"MFA on for the test user: after the password, the \"{MFA_TITLE}\" page"),
    Switch("bot_detection", f"bot detection on the login page: \"{BOT_CHALLENGE}\""),
    Switch("test_user_password_changed", f"the test user's password is not the profile's: \"{WRONG_CREDENTIALS}\""),
    Switch("test_user_blocked", "the test user is blocked (brute-force protection): the login page says so"),
), UnknownMisconfigurationError)
ENV_VAR = MISCONFIGURATIONS.env_var
