"""An unusable tenant under pytest-xdist (``-n 2``): one message, exit code 6, no INTERNALERROR.

The plugin ends a run whose tenant cannot be used with ``pytest.exit(..., returncode=6)``
(:data:`hybridcheck.keys.EXIT_TENANT_UNAVAILABLE`). Inside an xdist worker that exit is,
for the controller, a worker that died in the middle of a test: an INTERNALERROR. Two hooks
make it end as it does without ``-n``. (A real tenant never runs under ``-n``: its callback
port is fixed, so the plugin refuses workers for it at once.)

A tenant that fails in a worker (a launched peer not starting, its discovery unusable, the
login recipe failing) ends that worker with ``pytest.exit``: the worker tells the controller
through xdist's own ``shouldstop`` (so the others stop after their current test) and its
``workeroutput``; the controller ends the run with that worker's message and exit code 6.
"""

from __future__ import annotations

from collections.abc import Generator

import pytest

from hybridcheck.keys import EXIT_TENANT_UNAVAILABLE

#: The ``workeroutput`` key a worker puts its exit message under.
WORKEROUTPUT_KEY = "hybridcheck_tenant_unavailable"
_MESSAGE_KEY = pytest.StashKey[str]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Generator[None, object, object]:
    """Worker: a tenant-unavailable exit becomes xdist's ``shouldstop`` plus our message."""
    try:
        return (yield)
    except pytest.exit.Exception as exc:
        workeroutput = getattr(item.config, "workeroutput", None)
        if workeroutput is not None and exc.returncode == EXIT_TENANT_UNAVAILABLE:
            workeroutput[WORKEROUTPUT_KEY] = exc.msg
            item.session.shouldstop = exc.msg
        raise


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: object, error: object) -> None:
    """Controller: remember the first worker message (``node`` is xdist's WorkerController)."""
    message = getattr(node, "workeroutput", {}).get(WORKEROUTPUT_KEY)
    config: pytest.Config = node.config  # type: ignore[attr-defined]
    if message and _MESSAGE_KEY not in config.stash:
        config.stash[_MESSAGE_KEY] = message


@pytest.hookimpl(wrapper=True)
def pytest_runtestloop(session: pytest.Session) -> Generator[None, object, object]:
    """Controller: xdist's "Interrupted" after a worker's tenant-unavailable exit → that exit."""
    try:
        return (yield)
    except KeyboardInterrupt:
        message = session.config.stash.get(_MESSAGE_KEY, None)
        if message is None:
            raise
        pytest.exit(message, returncode=EXIT_TENANT_UNAVAILABLE)
