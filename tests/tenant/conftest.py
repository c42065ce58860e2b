"""Fixtures for the reference-tenant tests: running tenants and HTTP drivers.

Tenants are started once per setting for the whole session (``tenants.get(...)``) and
stopped together at the end; each test gets fresh drivers (fresh cookie jars).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

# The kit sits beside this file; make it importable whatever the import mode.
if str(Path(__file__).parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).parent))

from tenant_kit import CLIENT, Driver, TenantPool  # noqa: E402

from hybridcheck.tenant import ClientConfig, RunningTenant  # noqa: E402


@pytest.fixture(scope="session")
def tenants() -> Iterator[TenantPool]:
    pool = TenantPool()
    yield pool
    pool.close()


@pytest.fixture(scope="session")
def tenant(tenants: TenantPool) -> RunningTenant:
    """The correct tenant (no defects)."""
    return tenants.get()


@pytest.fixture
def make_driver() -> Iterator[Callable[..., Driver]]:
    """``make_driver(tenant, client=CLIENT)``: a driver with its own cookie jar."""
    drivers: list[Driver] = []

    def make(tenant: RunningTenant, client: ClientConfig = CLIENT) -> Driver:
        drivers.append(Driver(tenant, client))
        return drivers[-1]

    yield make
    for driver in drivers:
        driver.close()


@pytest.fixture
def driver(tenant: RunningTenant, make_driver: Callable[..., Driver]) -> Driver:
    """A driver for the correct tenant and the client ``client-a``."""
    return make_driver(tenant)
