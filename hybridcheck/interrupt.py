"""SIGINT ends the run as interrupted (exit 2), even when the browser driver's teardown fails.

A CI runner cancels a job with SIGINT; pytest turns it into its ``INTERRUPTED`` exit and
still writes the reports. An interrupt that lands inside Playwright's message dispatch,
though, leaves the driver unable to answer the closing of the browser contexts
(``Tracing.stop: Cannot find command to respond``, seen 1 run in 8 with SIGINT about 1 s in);
raised from the session's fixture teardown, that error escaped pytest and ended the process
with exit 1. The handler here remembers the signal (raising ``KeyboardInterrupt`` as
Python's own does); after one, teardown errors are reported in one line and left.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Generator
from types import FrameType

import pytest


class InterruptWatch:
    """Remembers a SIGINT for the session (held on the plugin manager, not in a module global)."""

    name = "hybridcheck-interrupt"

    def __init__(self) -> None:
        self.received = False
        self._previous: object = None

    def install(self) -> None:
        """Only in place of Python's own handler: an ignored SIGINT (a background job) stays ignored."""
        if threading.current_thread() is threading.main_thread() and \
                signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            self._previous = signal.signal(signal.SIGINT, self._on_sigint)

    def uninstall(self) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)  # type: ignore[arg-type]
            self._previous = None

    def _on_sigint(self, signum: int, frame: FrameType | None) -> None:
        self.received = True
        raise KeyboardInterrupt

    @pytest.hookimpl(wrapper=True, trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> Generator[None, object, object]:
        try:
            return (yield)
        except Exception as error:  # the driver's teardown after an interrupt; anything else re-raised
            if not self.received:
                raise
            reporter = session.config.pluginmanager.get_plugin("terminalreporter")
            if reporter is not None:
                reporter.write_line(f"hybridcheck: after SIGINT, teardown failed and was left: {type(error).__name__}: "
                                    f"{str(error).splitlines()[0] if str(error) else ''}")
            return None


def pytest_configure(config: pytest.Config) -> None:
    watch = InterruptWatch()
    watch.install()
    config.pluginmanager.register(watch, InterruptWatch.name)


def pytest_unconfigure(config: pytest.Config) -> None:
    watch = config.pluginmanager.get_plugin(InterruptWatch.name)
    if isinstance(watch, InterruptWatch):
        watch.uninstall()
