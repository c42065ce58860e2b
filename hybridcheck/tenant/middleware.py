"""Robustness knobs from the configuration: added latency and a global rate limit.

The rate limit is one token bucket for the whole tenant, like Auth0's Authentication API
limit; a refused request gets HTTP 429 with ``Retry-After`` and Auth0's
``X-RateLimit-Limit`` / ``X-RateLimit-Remaining`` / ``X-RateLimit-Reset`` (epoch seconds)
headers — an error page on the HTML endpoints, JSON elsewhere. Every allowed response
carries the three ``X-RateLimit-*`` headers too.
"""

from __future__ import annotations

import asyncio
import math
import threading
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hybridcheck.tenant.pages import error_response
from hybridcheck.tenant.responses import json_response

_HTML_PATHS = ("/authorize", "/u/")


class TokenBucket:
    """``rate`` tokens a second, holding at most ``max(1, rate)``; thread-safe."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.capacity = max(1.0, rate)
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


class RateLimitMiddleware:
    """HTTP 429 once the global bucket is empty."""

    def __init__(self, app: ASGIApp, rate_per_second: float) -> None:
        self.app = app
        self.bucket = TokenBucket(rate_per_second)

    def _headers(self, tokens_left: float) -> dict[str, str]:
        bucket = self.bucket
        full_in = (bucket.capacity - tokens_left) / bucket.rate
        return {
            "X-RateLimit-Limit": str(math.floor(bucket.capacity)),
            "X-RateLimit-Remaining": str(math.floor(tokens_left)),
            "X-RateLimit-Reset": str(math.ceil(time.time() + full_in)),
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        allowed, tokens_left = self.bucket.take()
        headers = self._headers(tokens_left)
        if not allowed:
            retry_after = max(1, math.ceil((1.0 - tokens_left) / self.bucket.rate))
            headers["Retry-After"] = str(retry_after)
            description = "Too many requests. Try again later."
            if scope["path"].startswith(_HTML_PATHS):
                response = error_response("too_many_requests", description, 429)
                response.headers.update(headers)
            else:
                response = json_response({"error": "too_many_requests", "error_description": description},
                                         429, headers)
            await response(scope, receive, send)
            return
        extra = [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers.items()]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class LatencyMiddleware:
    """Waits ``delay_s`` before answering each HTTP request (without blocking others)."""

    def __init__(self, app: ASGIApp, delay_s: float) -> None:
        self.app = app
        self.delay_s = delay_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await asyncio.sleep(self.delay_s)
        await self.app(scope, receive, send)
