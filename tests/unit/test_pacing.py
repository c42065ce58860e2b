"""Pacing: UserInfo calls stay inside a published limit shared by every process of a run."""

import multiprocessing
from pathlib import Path
from typing import Any

import pytest

from hybridcheck.flows.pacing import SharedBucket
from hybridcheck.paths import TENANTS_DIR
from hybridcheck.profile import AUTH0_USERINFO_LIMIT, RateLimit, load_profile

LOCAL = (TENANTS_DIR / "local.toml").read_text()
FAST = RateLimit(per_minute=1200, burst=3)  # 20 a second, so a test waits tens of milliseconds


def _take(path: str, count: int, limit: RateLimit = FAST) -> list[float]:
    bucket = SharedBucket(Path(path), limit)
    return [bucket.take() for _ in range(count)]


def test_burst_goes_at_once_then_each_call_waits_for_its_token(tmp_path):
    """Two a second (a token every 0.55 s with the safety margin): a loaded machine's pauses
    between the calls do not refill the bucket before the fourth."""
    waits = _take(str(tmp_path / "bucket.json"), 4, RateLimit(per_minute=120, burst=3))
    assert waits[:3] == [0.0, 0.0, 0.0]
    assert waits[3] > 0.2


def _worker(path: str, limit: RateLimit, barrier: Any, results: Any) -> None:
    barrier.wait()
    results.put(_take(path, 2, limit))


def test_processes_sharing_a_budget_queue_on_one_bucket(tmp_path):
    """Two xdist workers against one tenant: 2 x 2 calls from a burst of 3 means one of them waits.

    Both start together and refill is one token a second, so no token comes back meanwhile.
    """
    path, slow = str(tmp_path / "bucket.json"), RateLimit(per_minute=60, burst=3)
    spawn = multiprocessing.get_context("spawn")
    barrier, results = spawn.Barrier(2), spawn.Queue()
    workers = [spawn.Process(target=_worker, args=(path, slow, barrier, results)) for _ in range(2)]
    for worker in workers:
        worker.start()
    waits = results.get(timeout=30) + results.get(timeout=30)
    for worker in workers:
        worker.join(timeout=30)
    assert sum(wait > 0 for wait in waits) == 1


def test_budget_file_is_per_issuer_user_and_endpoint():
    one = SharedBucket.for_budget(FAST, "https://a.example/", "u", "userinfo").path
    assert one == SharedBucket.for_budget(FAST, "https://a.example/", "u", "userinfo").path
    assert one != SharedBucket.for_budget(FAST, "https://b.example/", "u", "userinfo").path


@pytest.mark.parametrize("extra, expected", [
    ("", None),
    ("\n[embedded]\nauth0_limits = true\n", AUTH0_USERINFO_LIMIT),
    ("\n[limits]\nuserinfo_per_minute = 30\nuserinfo_burst = 4\n", RateLimit(per_minute=30, burst=4)),
], ids=["none", "auth0-limits-mode", "stated"])
def test_profile_states_the_userinfo_limit(tmp_path, extra, expected):
    path = tmp_path / "p.toml"
    path.write_text(LOCAL + extra)
    assert load_profile(str(path), env={}).userinfo_limit == expected
