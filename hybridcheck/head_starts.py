"""Head starts: clocks a test waits on, started when the worker's browser session begins.

SESS-9 replays a code 30 s after its first exchange. Waiting inside the test held a worker for
31 s; instead the worker exchanges the code when its browser session begins (only when a
collected test asks for it), the plugin orders the test last, and by then the clock has run:
the test waits only for what is left. The fixtures are in :mod:`hybridcheck.flow_fixtures`,
the ordering in :mod:`hybridcheck.plugin`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from hybridcheck.shared_flows import SharedFlow

#: A test's fixture → the session fixture whose clock starts with the worker's browser session.
HEAD_STARTS = {"code_exchanged_at_start": "worker_code_exchanged_at_start"}


def head_starts(item: pytest.Item) -> list[str]:
    """The session fixtures of :data:`HEAD_STARTS` that ``item`` asks for."""
    return [HEAD_STARTS[name] for name in HEAD_STARTS if name in getattr(item, "fixturenames", ())]


@dataclass(frozen=True)
class ExchangedAtStart:
    """A flow whose code was exchanged when the worker's browser session began, and when."""

    flow: SharedFlow
    exchanged_at: float
