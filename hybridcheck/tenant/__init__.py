"""The embedded reference tenant: an Auth0-shaped OpenID Provider, correct by default and
wrong on purpose through named defects (:mod:`hybridcheck.tenant.defects`).

    from hybridcheck.tenant import start_tenant, TenantConfig, ClientConfig, UserConfig

    with start_tenant(config) as tenant:      # port 0: a free loopback port
        print(tenant.issuer)                  # http://127.0.0.1:PORT/

Or alone: ``python -m hybridcheck.tenant --help``.
"""

from hybridcheck.tenant.config import ApiConfig, ClientConfig, TenantConfig, UserConfig
from hybridcheck.tenant.defects import (
    DEFECTS,
    ENV_VAR,
    Defect,
    UnknownDefectError,
    defects_from_env,
    parse_defects,
)
from hybridcheck.tenant.server import RunningTenant, start_tenant, stop_tenants

__all__ = [
    "DEFECTS",
    "ENV_VAR",
    "ApiConfig",
    "ClientConfig",
    "Defect",
    "RunningTenant",
    "TenantConfig",
    "UnknownDefectError",
    "UserConfig",
    "defects_from_env",
    "parse_defects",
    "start_tenant",
    "stop_tenants",
]
