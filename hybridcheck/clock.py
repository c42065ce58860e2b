"""Waiting for wall-clock time to pass, where a requirement is about time (``max_age``, code replay).

Everything else waits on events; this is the one place that waits on the clock, and it
waits only as long as the deadline is still ahead.
"""

import threading
import time


def wait_until_epoch(deadline: float) -> None:
    """Block until ``time.time() >= deadline`` (returns at once when it already is)."""
    remaining = deadline - time.time()
    if remaining > 0:
        threading.Event().wait(remaining)
