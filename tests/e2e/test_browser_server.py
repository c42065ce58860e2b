"""The suite on a Playwright browser server (as on a grid) instead of a browser it launches itself."""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from hybridcheck.paths import ROOT

pytestmark = pytest.mark.e2e


def _group_gone(pgid: int, within_s: float) -> bool:
    """True once no process of group ``pgid`` is left (signal 0 only checks)."""
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)  # polling the process table: no event for "the whole group exited"
    return False


@pytest.fixture
def browser_server(tmp_path) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """``playwright run-server`` on a free port: (its ws:// endpoint, the process).

    ``--unsafe`` lets the client choose the executable and args (this machine's Chromium,
    ``--host-resolver-rules``); ``DEBUG=pw:server`` makes it log each browser it launches.
    """
    log = (tmp_path / "server.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "playwright", "run-server", "--host", "127.0.0.1", "--port", "0", "--unsafe"],
        cwd=ROOT, env={**os.environ, "DEBUG": "pw:server"}, stdout=subprocess.PIPE, stderr=log, text=True,
        start_new_session=True,
    )
    assert server.stdout is not None
    line = server.stdout.readline()  # "Listening on ws://127.0.0.1:PORT/", or "" if it died
    assert line.startswith("Listening on ws://"), (line, (tmp_path / "server.log").read_text())
    try:
        yield line.split()[-1], server
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.communicate(timeout=10)
        log.close()
        assert _group_gone(server.pid, 10), "run-server left processes behind"


def test_smoke_tests_pass_on_a_browser_the_server_launches(run_suite, browser_server, tmp_path):
    endpoint, _ = browser_server
    result = run_suite("-m", "smoke", "-k", "fragment", "--browser-ws-endpoint", endpoint, timeout=300)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert f"browser from the Playwright server at {endpoint}" in output
    assert " 6 passed" in output
    assert 'engaged launch mode for "chromium"' in (tmp_path / "server.log").read_text()
