"""auth0-limits mode: Auth0's Authentication API rate limits (auth0-facts.md "Rate limits").

/userinfo: a bucket of 10 per user, refilled at 5 a minute; all endpoints: 100 a second.
"""

from __future__ import annotations

import time
from dataclasses import replace

import httpx
import pytest
from tenant_kit import BASE_CONFIG, BOB, CLIENT, Driver

from hybridcheck.tenant import start_tenant


@pytest.fixture(scope="module")
def limited(tenants):
    return tenants.get(auth0_limits=True)


def access_token(driver: Driver) -> str:
    tokens = driver.exchange(driver.authorize(response_type="code", scope="openid email"))
    assert tokens.status_code == 200, tokens.text
    return tokens.json()["access_token"]


def test_eleventh_burst_call_to_userinfo_is_refused_per_user(limited, make_driver) -> None:
    alice, bob = make_driver(limited), Driver(limited, CLIENT, BOB)
    try:
        token = access_token(alice)
        started = time.time()
        burst = [alice.userinfo(token) for _ in range(10)]
        assert [r.status_code for r in burst] == [200] * 10
        assert [r.headers.get_list("x-ratelimit-limit") for r in burst] == [["10"]] * 10  # the user's bucket only
        assert [int(r.headers["x-ratelimit-remaining"]) for r in burst] == list(range(9, -1, -1))
        refused = alice.userinfo(token)
        assert refused.status_code == 429
        assert refused.json()["error"] == "too_many_requests"
        headers = refused.headers
        assert (headers["x-ratelimit-limit"], headers["x-ratelimit-remaining"]) == ("10", "0")
        assert started + 10 <= int(headers["x-ratelimit-reset"]) <= time.time() + 13  # next token in 12 s
        assert 1 <= int(headers["retry-after"]) <= 12
        other = bob.userinfo(access_token(bob))  # another user has a bucket of their own
        assert other.status_code == 200 and other.json()["sub"] == BOB.sub
        assert alice.userinfo(access_token(alice)).status_code == 429  # per user, not per token
    finally:
        bob.close()


def test_other_endpoints_carry_the_global_bucket_headers(limited) -> None:
    response = httpx.get(limited.url + "/.well-known/jwks.json")
    assert response.status_code == 200 and response.headers["x-ratelimit-limit"] == "100"


def test_default_tenant_has_no_limits(driver) -> None:
    token = access_token(driver)
    assert all(driver.userinfo(token).status_code == 200 for _ in range(12))
    assert "x-ratelimit-limit" not in driver.http.get("/.well-known/jwks.json").headers


def test_global_bucket_of_100_per_second() -> None:
    """Its own tenant: draining the global bucket must not disturb the other tests."""
    with start_tenant(replace(BASE_CONFIG, auth0_limits=True)) as tenant, httpx.Client(base_url=tenant.url) as http:
        statuses = [http.get("/.well-known/jwks.json").status_code for _ in range(300)]
        pages = [http.get("/authorize", params={"client_id": "client-a"}) for _ in range(20)]  # bucket near empty
    assert statuses[:100] == [200] * 100 and 429 in statuses
    page = next(page for page in pages if page.status_code == 429)
    assert 'id="error-code">too_many_requests<' in page.text and page.headers["x-ratelimit-limit"] == "100"
