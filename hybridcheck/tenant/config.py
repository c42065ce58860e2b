"""Configuration of the embedded reference tenant: who may log in, which clients, which APIs.

Kept free of the suite's tenant-profile format: ``hybridcheck.tenant_bridge`` builds a
:class:`TenantConfig` from a profile, and ``python -m hybridcheck.tenant`` from its flags.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hybridcheck.tenant.defects import DEFECTS
from hybridcheck.tenant.faults import FAULTS
from hybridcheck.tenant.misconfigurations import MISCONFIGURATIONS
from hybridcheck.tenant.wildcards import check_callback


@dataclass(frozen=True)
class ClientConfig:
    """A registered application (Auth0: an Application with Implicit + Authorization Code)."""

    client_id: str
    client_secret: str
    redirect_uris: tuple[str, ...]  # exact URLs, or Auth0 wildcards like https://*.example.com/cb
    rotate_refresh_tokens: bool = False

    def __post_init__(self) -> None:
        """Refuse a wildcard callback Auth0 would not save (RURI-4): ``ValueError`` says why."""
        for uri in self.redirect_uris:
            check_callback(uri)


@dataclass(frozen=True)
class UserConfig:
    """A user of the tenant's database connection, with the claims it releases by scope."""

    sub: str
    username: str
    password: str
    claims: dict[str, Any] = field(default_factory=dict)  # name, email, address, phone_number ...


@dataclass(frozen=True)
class ApiConfig:
    """An API (Auth0: a Resource Server): its identifier is the ``audience``."""

    identifier: str
    scopes: tuple[str, ...] = ()
    allow_offline_access: bool = True


@dataclass(frozen=True)
class TenantConfig:
    """Everything the reference tenant serves. ``port=0`` picks a free loopback port."""

    clients: tuple[ClientConfig, ...]
    users: tuple[UserConfig, ...]
    apis: tuple[ApiConfig, ...] = ()
    organizations: tuple[str, ...] = ()  # org ids accepted in ``organization``
    id_token_claims: dict[str, Any] = field(default_factory=dict)  # Action setCustomClaim
    access_token_claims: dict[str, Any] = field(default_factory=dict)
    defects: frozenset[str] = frozenset()
    faults: frozenset[str] = frozenset()  # malformed answers (robustness tests), not in the mutation matrix
    misconfigurations: frozenset[str] = frozenset()  # dashboard settings set wrong (pre-flight tests)
    latency_s: float = 0.0  # added to every response (robustness tests)
    rate_limit_per_second: float | None = None  # global bucket; None = unlimited (or 100 with auth0_limits)
    auth0_limits: bool = False  # Auth0's Authentication API limits: 100/s overall, /userinfo 10 + 5/min per user
    authorization_response_iss: bool = False  # RFC 9207: ``iss`` in every authorization response
    #: Auth0 as it really behaves, where the spec lets it or where it is a known deviation: New Universal
    #: Login (identifier first), Auth0's page markup, consent for loopback callbacks, 403 invalid_grant.
    auth0_mode: bool = False
    host: str = "127.0.0.1"
    port: int = 0

    def __post_init__(self) -> None:
        """Refuse unknown switch names at once (the errors list the known ones)."""
        DEFECTS.check_known(self.defects)
        FAULTS.check_known(self.faults)
        MISCONFIGURATIONS.check_known(self.misconfigurations)

    def has_defect(self, name: str) -> bool:
        """Whether defect ``name`` is switched on. A name not in the registry is a bug: KeyError."""
        if name not in DEFECTS:
            raise KeyError(f"no such defect in the registry: {name}")
        return name in self.defects

    def has_fault(self, name: str) -> bool:
        """Whether fault ``name`` is switched on. A name not in the registry is a bug: KeyError."""
        if name not in FAULTS:
            raise KeyError(f"no such fault in the registry: {name}")
        return name in self.faults

    def has_misconfiguration(self, name: str) -> bool:
        """Whether misconfiguration ``name`` is switched on. A name not in the registry is a bug: KeyError."""
        if name not in MISCONFIGURATIONS:
            raise KeyError(f"no such misconfiguration in the registry: {name}")
        return name in self.misconfigurations
