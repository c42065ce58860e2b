"""Rate limits shaped like Auth0's Authentication API (auth0-facts.md "Rate limits").

Token buckets: a bucket holds at most ``capacity`` tokens, refills at ``rate`` tokens a
second, and each request takes one. A refused request gets HTTP 429 with Auth0's
``X-RateLimit-Limit`` (the capacity), ``X-RateLimit-Remaining`` and ``X-RateLimit-Reset``
(epoch seconds: when the next token is there for a refusal, when the bucket is full again
for an allowed request) plus ``Retry-After``; JSON ``{"error": "too_many_requests"}`` on
the API endpoints, the error page on the HTML ones (``/authorize``, ``/u/...``).

``TenantConfig.auth0_limits`` switches on the documented production limits: all
endpoints together 100 requests a second (:class:`hybridcheck.tenant.middleware.RateLimitMiddleware`),
and ``/userinfo`` 5 requests a minute per user with bursts up to 10 (:class:`PerKeyBuckets`,
checked by :mod:`hybridcheck.tenant.userinfo` once it knows the user).
"""

from __future__ import annotations

import math
import threading
import time

from starlette.responses import Response

from hybridcheck.tenant.pages import error_response
from hybridcheck.tenant.responses import json_response

AUTH0_GLOBAL_PER_SECOND = 100.0  # Authentication API, all endpoints together
USERINFO_BURST = 10  # /userinfo, per user ID
USERINFO_PER_MINUTE = 5

_HTML_PATHS = ("/authorize", "/u/")
_DESCRIPTION = "Too many requests. Try again later."


class TokenBucket:
    """``rate`` tokens a second, holding at most ``capacity`` (default ``max(1, rate)``); thread-safe."""

    def __init__(self, rate: float, capacity: float | None = None) -> None:
        self.rate = rate
        self.capacity = max(1.0, rate) if capacity is None else float(capacity)
        self._tokens = self.capacity
        self._updated = time.monotonic()
        self._lock = threading.Lock()

    def take(self) -> tuple[bool, float]:
        """Take one token if there is one; returns (allowed, tokens left)."""
        with self._lock:
            now = time.monotonic()
            self._tokens = min(self.capacity, self._tokens + (now - self._updated) * self.rate)
            self._updated = now
            allowed = self._tokens >= 1.0
            if allowed:
                self._tokens -= 1.0
            return allowed, self._tokens

    def headers(self, allowed: bool, tokens_left: float) -> dict[str, str]:
        """Auth0's ``X-RateLimit-*`` headers, plus ``Retry-After`` for a refusal."""
        if allowed:
            wait_s = (self.capacity - tokens_left) / self.rate
        else:
            wait_s = (1.0 - tokens_left) / self.rate
        headers = {
            "X-RateLimit-Limit": str(math.floor(self.capacity)),
            "X-RateLimit-Remaining": str(math.floor(tokens_left)),
            "X-RateLimit-Reset": str(math.ceil(time.time() + wait_s)),
        }
        if not allowed:
            headers["Retry-After"] = str(max(1, math.ceil(wait_s)))
        return headers


class PerKeyBuckets:
    """One :class:`TokenBucket` per key (a user's ``sub``), made on first use."""

    def __init__(self, rate: float, capacity: float) -> None:
        self.rate = rate
        self.capacity = capacity
        self._buckets: dict[str, TokenBucket] = {}
        self._lock = threading.Lock()

    def take(self, key: str) -> tuple[bool, dict[str, str]]:
        """Take a token from ``key``'s bucket: (allowed, the headers to send)."""
        with self._lock:
            bucket = self._buckets.setdefault(key, TokenBucket(self.rate, self.capacity))
        allowed, tokens_left = bucket.take()
        return allowed, bucket.headers(allowed, tokens_left)


def userinfo_buckets() -> PerKeyBuckets:
    """Auth0's ``/userinfo`` limit: bursts of 10, then 5 a minute, per user ID."""
    return PerKeyBuckets(rate=USERINFO_PER_MINUTE / 60.0, capacity=USERINFO_BURST)


def too_many_requests(path: str, headers: dict[str, str]) -> Response:
    """The 429 answer: the error page on HTML endpoints, Auth0's JSON error elsewhere."""
    if path.startswith(_HTML_PATHS):
        response = error_response("too_many_requests", _DESCRIPTION, 429)
        response.headers.update(headers)
        return response
    return json_response({"error": "too_many_requests", "error_description": _DESCRIPTION}, 429, headers)
