"""Back-channel HTTP: one client per run that records exchanges and respects rate limits.

A 429 is answered by waiting for ``Retry-After`` (seconds) or ``X-RateLimit-Reset`` (epoch
seconds, Auth0), a bounded number of times within a bounded total wait; after that the
exchange fails with a message that says "rate limit". A body beyond the size cap of
:mod:`hybridcheck.flows.capped` fails the exchange with ``ResponseTooLarge``. Every call
is counted per endpoint path so the terminal summary can show what a run cost the tenant.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Mapping
from urllib.parse import urlsplit

import httpx

from hybridcheck.clock import wait_until_epoch
from hybridcheck.flows.capped import request_capped
from hybridcheck.evidence import HttpExchange
from hybridcheck.redact import REDACTOR


class RateLimited(Exception):
    """The tenant kept answering 429 beyond the retry bound."""


def _retry_at(response: httpx.Response, now: float) -> float:
    """When a 429 says to come back (RFC 6585 §4, RFC 9110 §10.2.3; Auth0's X-RateLimit-Reset)."""
    retry_after = response.headers.get("retry-after", "")
    if retry_after.isdigit():
        return now + int(retry_after)
    reset = response.headers.get("x-ratelimit-reset", "")
    if reset.isdigit():
        return max(now, float(reset))
    return now + 1.0


class BackChannel:
    """An httpx client for token, refresh and UserInfo calls, counting and pacing them.

    Every exchange is also kept in ``recorded`` until the reporting layer drains
    it (:meth:`drain`) into the test's report: the back channel records, it does not report.
    """

    def __init__(
        self,
        client: httpx.Client,
        *,
        max_retries: int = 3,
        max_total_wait_s: float = 30.0,
    ) -> None:
        self._client = client
        self._max_retries = max_retries
        self._max_total_wait_s = max_total_wait_s
        self._lock = threading.Lock()
        self.calls: Counter[str] = Counter()
        self.rate_limited: Counter[str] = Counter()
        self.paced_s: Counter[str] = Counter()
        self.recorded: list[HttpExchange] = []

    def __repr__(self) -> str:
        return f"<BackChannel {sum(self.calls.values())} calls>"

    def _count(self, url: str, limited: bool) -> None:
        path = urlsplit(url).path or "/"
        with self._lock:
            self.calls[path] += 1
            if limited:
                self.rate_limited[path] += 1

    def note_paced(self, url: str, seconds: float) -> None:
        """Record time spent waiting for a published rate limit before calling ``url``."""
        with self._lock:
            self.paced_s[urlsplit(url).path or "/"] += seconds

    def send(
        self,
        method: str,
        url: str,
        *,
        form: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> HttpExchange:
        """Send one request (retrying 429s within the bounds) and return the exchange."""
        form = dict(form or {})
        headers = dict(headers or {})
        for name in ("client_secret", "code", "refresh_token", "code_verifier", "access_token"):
            REDACTOR.add(form.get(name))
        REDACTOR.add(headers.get("Authorization", "").partition(" ")[2])
        waited = 0.0
        for attempt in range(self._max_retries + 1):
            response = request_capped(self._client, method, url, data=form or None, headers=headers)
            limited = response.status_code == 429
            self._count(url, limited)
            if not limited:
                break
            now = time.time()
            retry_at = _retry_at(response, now)
            if attempt == self._max_retries or waited + (retry_at - now) > self._max_total_wait_s:
                raise RateLimited(
                    f"rate limit: {url} answered 429 {attempt + 1} times "
                    f"(waited {waited:.1f} s, bound {self._max_retries} retries / {self._max_total_wait_s:.0f} s)"
                )
            wait_until_epoch(retry_at)
            waited += retry_at - now
        exchange = HttpExchange(
            method=method,
            url=url,
            request_headers=headers,
            request_form=form,
            status=response.status_code,
            response_headers={k.lower(): v for k, v in response.headers.items()},
            body=response.text,
        )
        body = exchange.json or {}
        for name in ("access_token", "refresh_token", "id_token"):
            value = body.get(name)
            REDACTOR.add(value if isinstance(value, str) else None)
        with self._lock:
            self.recorded.append(exchange)
        return exchange

    def drain(self) -> list[HttpExchange]:
        """The exchanges recorded since the last drain (and forget them)."""
        with self._lock:
            drained, self.recorded = self.recorded, []
        return drained

    def post_form(self, url: str, form: Mapping[str, str], headers: Mapping[str, str] | None = None) -> HttpExchange:
        return self.send("POST", url, form=form, headers=headers)
