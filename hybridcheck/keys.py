"""What the plugin's modules share: the exit code for an unusable tenant and the stash keys.

One module, imported by each of them, so none imports another just for a name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from hybridcheck.checks.base import Finding
    from hybridcheck.flows.http import BackChannel
    from hybridcheck.profile import Profile
    from hybridcheck.shared_flows import SharedFlow
    from hybridcheck.target import Authorizer

#: Exit code when the run cannot talk to the tenant at all (unreachable, peer not starting,
#: login recipe failing): distinct from pytest's 0-5 so a nightly job can tell "tenant down"
#: from "tenant non-conformant" (1).
EXIT_TENANT_UNAVAILABLE = 6

#: config.stash: the validated tenant profile of a suite run, and the defects switched on.
PROFILE_KEY: pytest.StashKey[Profile] = pytest.StashKey()
#: What produced the run (:func:`hybridcheck.environment.run_environment`), controller only.
ENVIRONMENT_KEY = pytest.StashKey[dict[str, str]]()
DEFECTS_KEY = pytest.StashKey[frozenset[str]]()
#: config.stash: the run's back-channel (its per-endpoint counts reach the reports).
CHANNEL_KEY: pytest.StashKey[BackChannel] = pytest.StashKey()
#: item.stash: the test's authorizer, whose recorded flows are the evidence reports show.
EVIDENCE_KEY: pytest.StashKey[Authorizer] = pytest.StashKey()
#: config.stash: the authorizers of the worker's own flows: its SSO login, the pre-flight, and the
#: flows tests share (:mod:`hybridcheck.shared_flows`); each flow counts once in the run's.
WORKER_EVIDENCE_KEY: pytest.StashKey[list[Authorizer]] = pytest.StashKey()
#: item.stash: the shared flows a test judged (shown in its report, counted by the worker).
SHARED_EVIDENCE_KEY: pytest.StashKey[list[SharedFlow]] = pytest.StashKey()
#: item.stash: the requirement warnings (SHOULD-level findings) the test reported.
WARNINGS_KEY: pytest.StashKey[list[Finding]] = pytest.StashKey()
