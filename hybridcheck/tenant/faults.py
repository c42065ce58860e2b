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

from hybridcheck.tenant.switches import Switch, SwitchRegistry, UnknownSwitchError

#: Size of the ``huge_response`` padding: 5 MB, far beyond any real token response.
HUGE_RESPONSE_BYTES = 5 * 1024 * 1024


class UnknownFaultError(UnknownSwitchError):
    """A fault name that is not in :data:`FAULTS`; the message lists the known names."""


#: The registry (:class:`~hybridcheck.tenant.switches.SwitchRegistry`): name → what the tenant does wrong.
FAULTS: SwitchRegistry[Switch] = SwitchRegistry("fault", "HYBRIDCHECK_FAULTS", (
    Switch("discovery_not_json", "the discovery document is an HTML page (200, text/html), not JSON"),
    Switch("jwks_malformed", 'the JWKS is JSON without usable keys: {"keys": "nope"}'),
    Switch("token_response_not_json", "a successful token response is an HTML page (200, text/html), not JSON"),
    Switch("id_token_not_jwt", "every ID token (front channel and token endpoint) is an opaque string, not a JWT"),
    Switch("huge_response", f"a successful token response carries an extra member padding it to {HUGE_RESPONSE_BYTES} bytes"),
    Switch("error_page_unmarked", "a refused authorization request shows an error page with none of the element ids "
                                  "a login recipe knows (as another tenant's own error page would)"),
), UnknownFaultError)
ENV_VAR = FAULTS.env_var

parse_faults = FAULTS.parse
faults_from_env = FAULTS.from_env
check_known = FAULTS.check_known
