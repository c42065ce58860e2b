"""The embedded reference tenant: an Auth0-shaped OpenID Provider, correct by default and
wrong on purpose through named defects (:mod:`hybridcheck.tenant.defects`).

    from hybridcheck.tenant import start_tenant, TenantConfig, ClientConfig, UserConfig

    with start_tenant(config) as tenant:      # port 0: a free loopback port
        print(tenant.issuer)                  # http://127.0.0.1:PORT/

Or alone: ``python -m hybridcheck.tenant --help``.

The server (Starlette, uvicorn) loads on first use of ``start_tenant``, ``RunningTenant``
or ``stop_tenants``: the configuration and the switch registries (defects, faults) are
importable without it, as the suite's profile loader does.
"""

from typing import TYPE_CHECKING, Any

from hybridcheck.tenant.config import ApiConfig, ClientConfig, TenantConfig, UserConfig
from hybridcheck.tenant.defects import (
    DEFECTS,
    ENV_VAR,
    Defect,
    UnknownDefectError,
    defects_from_env,
    parse_defects,
)

if TYPE_CHECKING:
    from hybridcheck.tenant.server import RunningTenant, start_tenant, stop_tenants

_SERVER_NAMES = frozenset({"RunningTenant", "start_tenant", "stop_tenants"})


def __getattr__(name: str) -> Any:
    if name in _SERVER_NAMES:
        from hybridcheck.tenant import server

        return getattr(server, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
