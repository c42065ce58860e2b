"""Running a tenant: uvicorn on a daemon thread, on a free loopback port when ``port=0``.

``start_tenant(config)`` binds the socket first (so the port, and with it the issuer, is
known before the app is built), starts uvicorn with that socket, waits until it accepts
connections and returns a :class:`RunningTenant`; ``stop()`` shuts it down cleanly.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from types import TracebackType

import uvicorn

from hybridcheck.tenant.app import build_app
from hybridcheck.tenant.config import TenantConfig
from hybridcheck.tenant.keys import KeySet

_WILDCARD_HOSTS = {"", "0.0.0.0", "::"}


class _Server(uvicorn.Server):
    """uvicorn's server, telling a waiting thread when it is listening (or gave up)."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.ready = threading.Event()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        try:
            await super().startup(sockets=sockets)
        finally:
            self.ready.set()


@dataclass
class RunningTenant:
    """A tenant serving on ``url`` (no trailing slash); its issuer is ``url + "/"``."""

    url: str
    config: TenantConfig
    _server: _Server = field(repr=False)
    _thread: threading.Thread = field(repr=False)

    @property
    def issuer(self) -> str:
        return self.url + "/"

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    def stop(self, timeout_s: float = 10.0) -> None:
        """Ask uvicorn to exit and wait for its thread (idempotent)."""
        stop_tenants([self], timeout_s)

    def __enter__(self) -> "RunningTenant":
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


def stop_tenants(tenants: Iterable[RunningTenant], timeout_s: float = 10.0) -> None:
    """Stop several tenants at once: all are told to exit before any is waited for
    (uvicorn needs ~0.2 s to wind down, so this costs that once, not once per tenant)."""
    tenants = list(tenants)
    for tenant in tenants:
        tenant._server.should_exit = True
    for tenant in tenants:
        tenant._thread.join(timeout_s)


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto=IPPROTO_TCP: asyncio only sets TCP_NODELAY on accepted sockets whose proto says
    # TCP; without it every keep-alive response waits ~40 ms (Nagle + delayed ACK).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def _public_url(host: str, port: int) -> str:
    """The base URL clients use: a wildcard bind is reached over loopback."""
    if host in _WILDCARD_HOSTS:
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def start_tenant(config: TenantConfig, *, startup_timeout_s: float = 10.0,
                 keys: KeySet | None = None) -> RunningTenant:
    """Start the tenant of ``config`` in the background and return once it serves.

    ``keys``: signing keys to use instead of two fresh ones (tests starting many tenants
    share one set: RSA key generation is most of a tenant's start-up time).
    """
    sock = _bind(config.host, config.port)
    url = _public_url(config.host, sock.getsockname()[1])
    app = build_app(config, issuer=url + "/", keys=keys)
    server = _Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off",
                                    ws="none", timeout_graceful_shutdown=2))

    def serve() -> None:
        try:
            server.run(sockets=[sock])
        finally:
            server.ready.set()
            sock.close()

    thread = threading.Thread(target=serve, name=f"hybridcheck-tenant-{url}", daemon=True)
    thread.start()
    if not server.ready.wait(startup_timeout_s) or not server.started:
        server.should_exit = True
        thread.join(startup_timeout_s)
        raise RuntimeError(f"the reference tenant did not start on {url}")
    return RunningTenant(url=url, config=config, _server=server, _thread=thread)
