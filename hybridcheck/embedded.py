"""Configure the embedded reference tenant from a tenant profile.

For ``issuer = "embedded"`` the profile describes the tenant the suite expects; the
reference tenant is set up to be exactly that (same clients, user, API, organization and
custom claims), so any failure comes from a defect switched on, not from configuration.
"""

from __future__ import annotations

from hybridcheck.profile import Profile
from hybridcheck.tenant.config import ApiConfig, ClientConfig, TenantConfig, UserConfig


def tenant_config_from_profile(profile: Profile, callback_origin: str, defects: frozenset[str]) -> TenantConfig:
    """The :class:`TenantConfig` serving ``profile`` with its redirect URIs bound to ``callback_origin``."""
    clients = tuple(
        ClientConfig(
            client_id=c.client_id,
            client_secret=c.client_secret,
            redirect_uris=c.bound(callback_origin).redirect_uris,
            rotate_refresh_tokens=c.refresh_rotation,
        )
        for c in profile.clients.values()
    )
    user = UserConfig(
        sub="auth0|hybridcheck-tester",
        username=profile.user.username,
        password=profile.user.password,
        claims=dict(profile.user.claims),
    )
    apis = (ApiConfig(identifier=profile.api.audience, scopes=profile.api.scopes),) if profile.api else ()
    settings = profile.embedded_settings
    return TenantConfig(
        clients=clients,
        users=(user,),
        apis=apis,
        organizations=(profile.organization,) if profile.organization else (),
        id_token_claims=dict(profile.expectations.id_token_claims),
        access_token_claims=dict(profile.expectations.access_token_claims),
        defects=defects,
        faults=settings.faults,
        misconfigurations=settings.misconfigurations,
        latency_s=settings.latency_s,
        rate_limit_per_second=settings.rate_limit_per_second,
        auth0_limits=settings.auth0_limits,
        auth0_mode=settings.auth0_mode,
        authorization_response_iss=profile.capabilities.authorization_response_iss,
    )
