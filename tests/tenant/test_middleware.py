"""Robustness settings: the global rate limit (Auth0-style 429) and added latency."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest


@pytest.fixture(scope="module")
def limited(tenants):
    return tenants.get(rate_limit_per_second=2.0)


def test_rate_limit_answers_429_with_auth0_headers(limited) -> None:
    with httpx.Client(base_url=limited.url) as http:
        responses = [http.get("/.well-known/jwks.json") for _ in range(6)]
        page = http.get("/authorize", params={"client_id": "client-a"})
    statuses = [r.status_code for r in responses]
    assert statuses[0] == 200 and 429 in statuses
    allowed = responses[0]
    assert allowed.headers["x-ratelimit-limit"] == "2"
    refused = next(r for r in responses if r.status_code == 429)
    assert refused.json()["error"] == "too_many_requests"
    assert int(refused.headers["retry-after"]) >= 1
    assert refused.headers["x-ratelimit-remaining"] == "0"
    assert time.time() - 1 <= int(refused.headers["x-ratelimit-reset"]) <= time.time() + 3
    assert page.status_code == 429 and 'id="error-code">too_many_requests<' in page.text


def test_rate_limit_refills(limited) -> None:
    with httpx.Client(base_url=limited.url) as http:
        while http.get("/.well-known/jwks.json").status_code != 429:
            pass
        time.sleep(0.55)  # 2 tokens a second: one is back after 0.5 s
        assert http.get("/.well-known/jwks.json").status_code == 200


def test_latency_is_added_without_blocking_other_requests(tenants) -> None:
    slow = tenants.get(latency_s=0.3)
    started = time.monotonic()
    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda _: httpx.get(slow.url + "/.well-known/jwks.json").status_code, range(8)))
    elapsed = time.monotonic() - started
    assert statuses == [200] * 8
    assert 0.3 <= elapsed < 1.2  # all eight waited once, side by side
