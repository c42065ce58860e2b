"""Load and validate a tenant profile (``tenants/*.toml``) against ``schemas/tenant-profile.schema.json``.

The profile is the only thing a user edits. Secrets never live in it: it names the
environment variables that hold them. A bad profile raises :class:`ProfileError`, whose
one-line message names the file and the field, before any test runs.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import jsonschema

from hybridcheck.deviations import Deviation
from hybridcheck.paths import SCHEMA_DIR, TENANTS_DIR
from hybridcheck.requirements import catalogue
from hybridcheck.tenant.faults import FAULTS  # the registries alone: no tenant server
from hybridcheck.tenant.misconfigurations import MISCONFIGURATIONS
from hybridcheck.tenant.switches import SwitchRegistry, UnknownSwitchError

DEFAULT_PROFILE = "local"
ENV_PROFILE = "HYBRIDCHECK_TENANT"
HYBRID_RESPONSE_TYPES = ("code id_token", "code token", "code id_token token")
RESPONSE_MODES = ("fragment", "form_post")


class ProfileError(Exception):
    """A profile that cannot be used: the message names the file and the field."""


# Each section of the TOML file is a dataclass whose field names are the table's keys. A
# key the profile leaves out takes the field's default, and that is the only default there
# is: the loader passes only the keys present (see ``_section``).


@dataclass(frozen=True)
class Client:
    """``[clients.<role>]``: a registered application. ``redirect_uris`` may hold ``{callback}``
    until bound; ``client_secret`` is resolved from the variable ``client_secret_env`` names."""

    role: str
    client_id: str
    client_secret: str = field(repr=False)
    redirect_uris: tuple[str, ...]
    auth_method: str = "client_secret_post"
    refresh_rotation: bool = False  # REF-6: this client's refresh tokens rotate (declared per client only)

    def bound(self, callback_origin: str) -> "Client":
        """The client with ``{callback}`` (``http://HOST:PORT``) and ``{callback_port}`` expanded."""
        port = callback_origin.rsplit(":", 1)[1]
        uris = tuple(uri.replace("{callback}", callback_origin).replace("{callback_port}", port)
                     for uri in self.redirect_uris)
        return replace(self, redirect_uris=uris)


@dataclass(frozen=True)
class TestUser:
    """``[user]``; ``password`` is resolved from the variable ``password_env`` names."""

    username: str
    password: str = field(repr=False)
    claims: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Login:
    """``[login]``: the recipe that gets the test user through the tenant's login page."""

    recipe: str
    selectors: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Capabilities:
    """``[capabilities]``: what the tenant claims to support; the suite skips the rest with the reason."""

    response_types: tuple[str, ...] = HYBRID_RESPONSE_TYPES
    response_modes: tuple[str, ...] = RESPONSE_MODES
    refresh_tokens: bool = True
    pkce: bool = True
    prompt_none: bool = True
    max_age: bool = True
    userinfo_post_body: bool = True
    authorization_response_iss: bool = False  # RFC 9207 iss in authorization responses
    # Core §11: offline_access is honoured with prompt=consent; a tenant that grants it without
    # (Auth0, the reference tenant) says so, else the suite sends prompt=consent with it.
    offline_access_without_consent: bool = False


@dataclass(frozen=True)
class Api:
    """``[api]``: an API (Auth0: the audience) whose access tokens are JWTs."""

    audience: str
    scopes: tuple[str, ...]


@dataclass(frozen=True)
class Expectations:
    """``[expectations]``: what the spec leaves open and this tenant promises."""

    id_token_claims: Mapping[str, Any] = field(default_factory=dict)  # IDT-6: claims (and values) the ID token carries
    access_token_claims: Mapping[str, Any] = field(default_factory=dict)  # IDT-6: the same for the API access token
    strict_code_reuse_revocation: bool = False  # TOK-3: fail, not warn, when a replayed code's tokens still work
    accept_silent_scope_drop: bool = False  # REF-5: a 200 dropping an escalated scope is a known deviation
    refresh_requires_offline_access: bool = False  # REF-2: an Auth0 behaviour, not a spec rule
    refresh_id_token: bool = False  # REF-3: an ID token on every refresh with openid (Auth0), optional by spec
    trusted_audiences: tuple[str, ...] = ()  # IDT-2: audiences an ID token may carry besides the client
    id_token_max_age_s: int = 600  # IDT-2: how old the iat of an ID token issued just now may be
    strict_warnings: bool = False  # SHOULD-level findings fail the run instead of warning


@dataclass(frozen=True)
class EmbeddedSettings:
    """``[embedded]``: settings of the reference tenant (``issuer = "embedded"``).

    ``faults`` and ``misconfigurations`` are resolved at load: the profile's names and those in
    ``HYBRIDCHECK_FAULTS`` / ``HYBRIDCHECK_MISCONFIGURATIONS``."""

    latency_s: float = 0.0
    rate_limit_per_second: float | None = None
    auth0_limits: bool = False
    auth0_mode: bool = False
    faults: frozenset[str] = frozenset()
    misconfigurations: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Launch:
    """``[launch]``: how the run starts a peer OP itself (``issuer = "launched"``); see ``hybridcheck.peer``."""

    command: tuple[str, ...]
    cwd: str
    install: tuple[str, ...] = ()
    installed: str = ""


#: Callback hosts the callback server binds as they are; any other name is mapped to 127.0.0.1.
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


@dataclass(frozen=True)
class Callback:
    """``[callback]``: where the suite's relying-party callback server listens (port 0: a free one).

    ``ports`` registers one port per xdist worker (worker ``gwN`` takes the N-th), so a real
    tenant can run with ``-n``. A ``host`` that is not a loopback address is a name the
    browser maps to 127.0.0.1 (Auth0 forces a consent page for ``localhost`` callbacks).
    """

    host: str = "127.0.0.1"
    port: int = 0
    ports: tuple[int, ...] = ()

    @property
    def loopback(self) -> bool:
        return self.host in LOOPBACK_HOSTS

    @property
    def registered_ports(self) -> tuple[int, ...]:
        """The fixed ports the tenant has callback URLs for (none: free ports)."""
        return self.ports or ((self.port,) if self.port else ())

    def port_for(self, worker: int) -> int:
        """The port of xdist worker ``worker`` (0 without xdist); 0 takes a free one."""
        return self.ports[worker] if self.ports else self.port

    def origin(self, port: int) -> str:
        shown = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{shown}:{port}"


@dataclass(frozen=True)
class Timeouts:
    """``[timeouts]``: of a browser navigation, of the quiet that ends a flow on an unknown
    tenant page, and of a back-channel HTTP call."""

    navigation_ms: int = 15_000
    settle_ms: int = 750
    http_s: float = 10.0


@dataclass(frozen=True)
class RateLimit:
    """A published rate limit the suite paces itself inside: ``per_minute`` sustained, bursts up to ``burst``."""

    per_minute: float
    burst: int


@dataclass(frozen=True)
class Limits:
    """``[limits]``: the tenant's published rate limits."""

    userinfo_per_minute: float
    userinfo_burst: int = 1

    @property
    def userinfo(self) -> RateLimit:
        return RateLimit(per_minute=self.userinfo_per_minute, burst=self.userinfo_burst)


#: Auth0 Authentication API, /userinfo: 5 a minute per user, bursts up to 10 (auth0-facts.md "Rate limits").
AUTH0_USERINFO_LIMIT = RateLimit(per_minute=5, burst=10)


@dataclass(frozen=True)
class Profile:
    """A validated tenant profile with secrets resolved from the environment: one attribute
    per section of the file (``load_profile`` builds each, absent ones with their defaults)."""

    name: str
    path: Path
    issuer: str  # "embedded" / "launched" until the run started the tenant
    clients: Mapping[str, Client]
    user: TestUser
    login: Login
    capabilities: Capabilities
    api: Api | None
    organization: str | None
    expectations: Expectations
    embedded_settings: EmbeddedSettings
    launch: Launch | None
    deviations: tuple[Deviation, ...]
    callback: Callback
    timeouts: Timeouts
    limits: Limits | None

    @property
    def embedded(self) -> bool:
        return self.issuer == "embedded"

    @property
    def started_by_run(self) -> bool:
        """The run starts this tenant itself (the reference tenant or a launched peer)."""
        return self.issuer in ("embedded", "launched")

    @property
    def main_client(self) -> Client:
        return self.clients["main"]

    @property
    def userinfo_limit(self) -> RateLimit | None:
        """``[limits]`` as the profile states them; the embedded tenant in ``auth0_limits`` mode has Auth0's."""
        if self.limits:
            return self.limits.userinfo
        return AUTH0_USERINFO_LIMIT if self.embedded and self.embedded_settings.auth0_limits else None

    # Shorthands the plugin (plugin.py, severity.py) and the bench read; the facts are in the sections.
    @property
    def navigation_timeout_ms(self) -> int:
        return self.timeouts.navigation_ms

    @property
    def http_timeout_s(self) -> float:
        return self.timeouts.http_s

    @property
    def strict_warnings(self) -> bool:
        return self.expectations.strict_warnings

    def secrets(self) -> list[str]:
        """Every secret value of the profile, for the redactor."""
        return [c.client_secret for c in self.clients.values()] + [self.user.password]


def resolve_profile_path(ref: str, search_dirs: tuple[Path, ...] = ()) -> Path:
    """A profile is a path to a TOML file or a name in ``tenants/`` (``local`` → ``tenants/local.toml``)."""
    as_path = Path(ref)
    if as_path.suffix == ".toml" or os.sep in ref:
        if not as_path.is_file():
            raise ProfileError(f"{ref}: no such profile file")
        return as_path
    for directory in (*search_dirs, Path.cwd() / "tenants", TENANTS_DIR):
        candidate = directory / f"{ref}.toml"
        if candidate.is_file():
            return candidate
    known = sorted(p.stem for p in TENANTS_DIR.glob("*.toml"))
    raise ProfileError(f"{ref}: no profile of that name in tenants/ (known: {', '.join(known)})")


def _field_path(error: jsonschema.ValidationError) -> str:
    parts: list[str] = []
    for part in error.absolute_path:
        parts.append(f"[{part}]" if isinstance(part, int) else (("." if parts else "") + str(part)))
    return "".join(parts) or "(top level)"


def _dates_as_text(value: Any) -> Any:
    """TOML dates become ISO strings so the JSON Schema can judge them (``format: date``)."""
    if isinstance(value, dict):
        return {k: _dates_as_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_dates_as_text(v) for v in value]
    return value.isoformat() if isinstance(value, dt.date) else value


T = TypeVar("T")


def _section(cls: type[T], table: Mapping[str, Any] | None, **resolved: Any) -> T:
    """``cls`` built from a schema-valid TOML table: the keys present (arrays as tuples) and
    the values the loader ``resolved`` (secrets, faults); an absent key takes the field's
    default. Keys ending in ``_env`` name a secret's variable and are resolved instead."""
    values = {key: tuple(value) if isinstance(value, list) else value
              for key, value in (table or {}).items() if not key.endswith("_env")}
    return cls(**(values | resolved))


def _deviations(entries: list[dict[str, Any]], path: Path) -> tuple[Deviation, ...]:
    known = catalogue()
    for index, entry in enumerate(entries):
        if entry["requirement"] not in known:
            raise ProfileError(f"{path}: field deviations[{index}].requirement: unknown requirement ID "
                               f"{entry['requirement']!r}")
    return tuple(
        _section(Deviation, e, **({"review_by": dt.date.fromisoformat(e["review_by"])} if "review_by" in e else {}))
        for e in entries
    )


def _switches(data: dict[str, Any], env: Mapping[str, str], path: Path,
              registry: SwitchRegistry[Any], field_name: str) -> frozenset[str]:
    """``[embedded] <field_name>`` and the names in the registry's environment variable, checked
    against the registry (faults, misconfigurations)."""
    try:
        names = registry.check_known(data.get("embedded", {}).get(field_name, ()))
    except UnknownSwitchError as exc:
        raise ProfileError(f"{path}: field embedded.{field_name}: {exc}") from None
    try:
        names |= registry.from_env(env)
    except UnknownSwitchError as exc:
        raise ProfileError(str(exc)) from None
    if names and data["issuer"] != "embedded":
        raise ProfileError(f"{path}: field embedded.{field_name} ({registry.env_var}): {registry.kind}s switch the "
                           f"embedded tenant only, issuer is {data['issuer']!r}")
    return names


def _schema_errors(data: dict[str, Any], path: Path) -> None:
    schema = json.loads((SCHEMA_DIR / "tenant-profile.schema.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(data), key=lambda e: (len(list(e.absolute_path)), e.path))
    if errors:
        # The deepest error of the best match names the field most precisely.
        best = jsonschema.exceptions.best_match(errors)
        while best.context:
            best = jsonschema.exceptions.best_match(best.context)
        raise ProfileError(f"{path}: field {_field_path(best)}: {best.message}")


def _secret(env: Mapping[str, str], name: str, field_name: str, path: Path, started_by_run: bool) -> str:
    value = env.get(name)
    if value:
        return value
    if started_by_run:  # the run configures the tenant with the same value: any random one will do
        return secrets.token_urlsafe(24)
    raise ProfileError(f"{path}: field {field_name}: environment variable {name} is not set")


def _check_urls(profile: Profile) -> None:
    if not profile.started_by_run:
        parts = urlsplit(profile.issuer)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ProfileError(f"{profile.path}: field issuer: not an absolute http(s) URL: {profile.issuer!r}")
    for role, client in profile.clients.items():
        for index, uri in enumerate(client.bound("http://127.0.0.1:1").redirect_uris):
            parts = urlsplit(uri.replace("*", "wildcard"))
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ProfileError(
                    f"{profile.path}: field clients.{role}.redirect_uris[{index}]: not an absolute URL: {uri!r}"
                )


def load_profile(ref: str, env: Mapping[str, str] | None = None) -> Profile:
    """Load, validate and resolve the profile named or located by ``ref``."""
    env = os.environ if env is None else env
    path = resolve_profile_path(ref)
    try:
        data = _dates_as_text(tomllib.loads(path.read_text(encoding="utf-8")))
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"{path}: not valid TOML: {exc}") from None
    _schema_errors(data, path)
    embedded = data["issuer"] in ("embedded", "launched")
    clients = {
        role: _section(Client, c, role=role, client_secret=_secret(
            env, c["client_secret_env"], f"clients.{role}.client_secret_env", path, embedded))
        for role, c in data["clients"].items()
    }
    user = data["user"]
    profile = Profile(
        name=data["name"],
        path=path,
        issuer=data["issuer"],
        clients=clients,
        user=_section(TestUser, user, password=_secret(env, user["password_env"], "user.password_env", path, embedded)),
        login=_section(Login, data["login"]),
        capabilities=_section(Capabilities, data.get("capabilities")),
        api=_section(Api, data["api"]) if "api" in data else None,
        organization=data.get("organization"),
        expectations=_section(Expectations, data.get("expectations")),
        embedded_settings=_section(EmbeddedSettings, data.get("embedded"),
                                   faults=_switches(data, env, path, FAULTS, "faults"),
                                   misconfigurations=_switches(data, env, path, MISCONFIGURATIONS, "misconfigurations")),
        launch=_section(Launch, data["launch"]) if "launch" in data else None,
        deviations=_deviations(data.get("deviations", []), path),
        callback=_section(Callback, data.get("callback")),
        timeouts=_section(Timeouts, data.get("timeouts")),
        limits=_section(Limits, data["limits"]) if "limits" in data else None,
    )
    _check_urls(profile)
    if profile.callback.port and profile.callback.ports:
        raise ProfileError(f"{path}: field callback.ports: give either port (one worker) or ports (one per worker)")
    if not profile.started_by_run and not profile.callback.registered_ports:
        raise ProfileError(
            f"{path}: field callback.port: a real tenant needs the fixed port its callback URLs are registered with"
        )
    return profile
