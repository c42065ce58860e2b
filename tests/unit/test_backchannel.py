"""The back channel honours 429 within its bounds and counts every call (real HTTP on loopback)."""

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from hybridcheck.flows.http import BackChannel, RateLimited


class _Limiter(BaseHTTPRequestHandler):
    """Answers 429 to the first ``server.refusals`` requests, then 200 JSON."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length") or 0))
        server = self.server
        server.seen += 1
        if server.seen <= server.refusals:
            self.send_response(429)
            for name, value in server.limit_headers.items():
                self.send_header(name, value)
            self.end_headers()
            return
        body = b'{"access_token": "at-value-123", "token_type": "Bearer"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def limiter() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Limiter)
    server.seen, server.refusals, server.limit_headers = 0, 0, {}
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _url(server: ThreadingHTTPServer) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}/oauth/token"


@pytest.mark.parametrize(
    "headers",
    [{"Retry-After": "0"}, {"X-RateLimit-Reset": "0", "X-RateLimit-Limit": "10", "X-RateLimit-Remaining": "0"}],
    ids=["retry-after", "x-ratelimit-reset"],
)
def test_two_429_then_200_succeeds_and_is_counted(limiter, headers):
    limiter.refusals, limiter.limit_headers = 2, headers
    with httpx.Client() as client:
        channel = BackChannel(client)
        exchange = channel.post_form(_url(limiter), {"grant_type": "x"})
    assert exchange.status == 200 and exchange.json["token_type"] == "Bearer"
    assert channel.calls["/oauth/token"] == 3 and channel.rate_limited["/oauth/token"] == 2


def test_429_forever_fails_within_the_bound_saying_rate_limit(limiter):
    limiter.refusals, limiter.limit_headers = 10**6, {"Retry-After": "0"}
    started = time.monotonic()
    with httpx.Client() as client, pytest.raises(RateLimited, match="rate limit: .* answered 429 4 times"):
        BackChannel(client, max_retries=3).post_form(_url(limiter), {})
    assert time.monotonic() - started < 5


def test_a_wait_longer_than_the_bound_fails_at_once(limiter):
    limiter.refusals, limiter.limit_headers = 1, {"Retry-After": "3600"}
    started = time.monotonic()
    with httpx.Client() as client, pytest.raises(RateLimited, match="rate limit"):
        BackChannel(client, max_total_wait_s=5).post_form(_url(limiter), {})
    assert time.monotonic() - started < 2
