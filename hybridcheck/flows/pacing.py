"""Stay inside a tenant's published rate limit instead of running into its 429s.

Auth0 documents ``/userinfo`` at 5 requests a minute per user with bursts up to 10
(auth0-facts.md "Rate limits"). A nightly run over a shared tenant must never spend
that budget twice: every process of the run (xdist workers) and every run on this
machine against the same issuer and user takes from one token bucket kept in a file
under the temp directory, locked while it is read and written. When the bucket is
empty the caller waits until the next token is due; a 429 that comes anyway is still
honoured by :class:`hybridcheck.flows.http.BackChannel`.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import tempfile
import time
from pathlib import Path

from hybridcheck.clock import wait_until_epoch
from hybridcheck.profile import RateLimit

#: The client refills a little slower than the tenant, so clock skew between the two
#: buckets (they start at slightly different instants) never lets a call in early.
_SAFETY = 0.9


class SharedBucket:
    """A token bucket in a locked file, shared by every process pacing the same budget."""

    def __init__(self, path: Path, limit: RateLimit) -> None:
        self.path = path
        self._rate = limit.per_minute / 60.0 * _SAFETY
        self._capacity = float(limit.burst)

    @classmethod
    def for_budget(cls, limit: RateLimit, *key: str, directory: Path | None = None) -> SharedBucket:
        """The bucket of ``key`` (issuer, user, endpoint): one file per budget in ``directory``
        (default: the temp directory, so consecutive runs on this machine share it too)."""
        digest = hashlib.sha256("\n".join(key).encode()).hexdigest()[:16]
        return cls(Path(directory or tempfile.gettempdir()) / f"hybridcheck-pace-{digest}.json", limit)

    def take(self) -> float:
        """Take one token, first waiting until one is due if the bucket is empty; return the wait."""
        due = self._reserve(time.time())
        waited = max(0.0, due - time.time())
        wait_until_epoch(due)
        return waited

    def _reserve(self, now: float) -> float:
        """Book the next token; return when it is due (0 when it is there now).

        The balance may go negative: each waiting caller books its own future token, so
        concurrent callers queue instead of racing for the same one.
        """
        with open(self.path, "a+", encoding="utf-8") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            handle.seek(0)
            try:
                state = json.loads(handle.read() or "{}")
                tokens, at = float(state["tokens"]), float(state["at"])
            except (ValueError, KeyError, TypeError):
                tokens, at = self._capacity, now
            tokens = min(self._capacity, tokens + (now - at) * self._rate) - 1
            handle.seek(0)
            handle.truncate()
            handle.write(json.dumps({"tokens": tokens, "at": now}))
        return 0.0 if tokens >= 0 else now + (-tokens) / self._rate
