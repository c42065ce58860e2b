"""The faults of the reference tenant: named switches that make an answer malformed.

A fault is not a defect. A defect (:mod:`hybridcheck.tenant.defects`) breaks one
requirement in a way a relying party could miss, and the mutation matrix proves the suite
sees it. A fault breaks the transport contract so badly that no relying party could go on
(a discovery document that is not JSON, a 5 MB token response): it tests the suite's own
robustness — a precise failure, a surviving session, reports still written — and stays
out of the mutation matrix.

Like a defect, each fault is checked at exactly one place in the tenant code, via
``TenantConfig.has_fault(<name>)``. Faults come from ``TenantConfig.faults``, a profile's
``[embedded] faults``, ``--faults`` of ``python -m hybridcheck.tenant``, or the
``HYBRIDCHECK_FAULTS`` environment variable (comma-separated names).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping

ENV_VAR = "HYBRIDCHECK_FAULTS"

#: Size of the ``huge_response`` padding: 5 MB, far beyond any real token response.
HUGE_RESPONSE_BYTES = 5 * 1024 * 1024

#: Fault name → what the tenant does wrong (one line).
FAULTS: dict[str, str] = {
    "discovery_not_json": "the discovery document is an HTML page (200, text/html), not JSON",
    "jwks_malformed": 'the JWKS is JSON without usable keys: {"keys": "nope"}',
    "token_response_not_json": "a successful token response is an HTML page (200, text/html), not JSON",
    "id_token_not_jwt": "every ID token (front channel and token endpoint) is an opaque string, not a JWT",
    "huge_response": f"a successful token response carries an extra member padding it to {HUGE_RESPONSE_BYTES} bytes",
}


class UnknownFaultError(ValueError):
    """A fault name that is not in :data:`FAULTS`; the message lists the known names."""

    def __init__(self, unknown: list[str], origin: str = "fault(s)") -> None:
        self.unknown = unknown
        super().__init__(f"unknown {origin}: {', '.join(unknown)}. Known faults: {', '.join(sorted(FAULTS))}")


def check_known(names: Iterable[str], origin: str = "fault(s)") -> frozenset[str]:
    """``names`` as a frozenset; :class:`UnknownFaultError` (``origin`` in its message) for unknown ones."""
    names = frozenset(names)
    unknown = sorted(name for name in names if name not in FAULTS)
    if unknown:
        raise UnknownFaultError(unknown, origin)
    return names


def parse_faults(value: str | None, origin: str = "fault(s)") -> frozenset[str]:
    """Parse a comma-separated list of fault names; blank or ``None`` gives no faults."""
    return check_known((name.strip() for name in (value or "").split(",") if name.strip()), origin)


def faults_from_env(environ: Mapping[str, str] | None = None) -> frozenset[str]:
    """The faults named in ``HYBRIDCHECK_FAULTS`` (empty when unset)."""
    env = os.environ if environ is None else environ
    return parse_faults(env.get(ENV_VAR), f"fault(s) in {ENV_VAR}")
