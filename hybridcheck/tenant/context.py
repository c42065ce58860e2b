"""What every endpoint needs: the configuration, the issuer, the keys and the store."""

from __future__ import annotations

from dataclasses import dataclass, field

from hybridcheck.tenant.config import ApiConfig, ClientConfig, TenantConfig, UserConfig
from hybridcheck.tenant.keys import KeySet
from hybridcheck.tenant.limits import PerKeyBuckets
from hybridcheck.tenant.store import Store


@dataclass
class Tenant:
    """One running tenant. ``issuer`` ends with ``/`` like an Auth0 issuer."""

    config: TenantConfig
    issuer: str
    keys: KeySet = field(default_factory=KeySet.generate)
    store: Store = field(default_factory=Store)
    userinfo_limits: PerKeyBuckets | None = None  # per-user /userinfo buckets (auth0_limits mode)

    def has_defect(self, name: str) -> bool:
        return self.config.has_defect(name)

    def has_fault(self, name: str) -> bool:
        return self.config.has_fault(name)

    def has_misconfiguration(self, name: str) -> bool:
        return self.config.has_misconfiguration(name)

    def client(self, client_id: str | None) -> ClientConfig | None:
        return next((c for c in self.config.clients if c.client_id == client_id), None)

    def user_by_username(self, username: str) -> UserConfig | None:
        return next((u for u in self.config.users if u.username == username), None)

    def user(self, sub: str) -> UserConfig:
        return next(u for u in self.config.users if u.sub == sub)

    def api(self, identifier: str | None) -> ApiConfig | None:
        """The API (Auth0 Resource Server) named ``identifier``; none when ``api_missing`` deletes it."""
        if self.has_misconfiguration("api_missing"):
            return None
        return next((a for a in self.config.apis if a.identifier == identifier), None)

    def endpoint(self, path: str) -> str:
        """An absolute URL on this tenant: ``endpoint("oauth/token")``."""
        return self.issuer + path.lstrip("/")
