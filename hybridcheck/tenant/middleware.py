"""Robustness knobs from the configuration: added latency and a global rate limit.

The rate limit is one token bucket for the whole tenant, like Auth0's Authentication API
limit (100 requests a second in ``auth0_limits`` mode, or ``rate_limit_per_second``); a
refused request gets HTTP 429 with Auth0's headers (:mod:`hybridcheck.tenant.limits`).
Every allowed response carries the three ``X-RateLimit-*`` headers too, unless the
endpoint already set them from a narrower bucket (``/userinfo`` per user).
"""

from __future__ import annotations

import asyncio

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hybridcheck.tenant.limits import TokenBucket, too_many_requests


class RateLimitMiddleware:
    """HTTP 429 once the global bucket is empty."""

    def __init__(self, app: ASGIApp, rate_per_second: float) -> None:
        self.app = app
        self.bucket = TokenBucket(rate_per_second)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        allowed, tokens_left = self.bucket.take()
        headers = self.bucket.headers(allowed, tokens_left)
        if not allowed:
            await too_many_requests(scope["path"], headers)(scope, receive, send)
            return
        extra = [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers.items()]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                added = [(name, value) for name, value in extra if name not in present]
                message = {**message, "headers": [*message.get("headers", []), *added]}
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
