"""``python -m hybridcheck.tenant``: runs alone, refuses unknown defects with exit code 2."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import httpx
from tenant_kit import stop_process

from hybridcheck.tenant import DEFECTS
from hybridcheck.tenant.defects import ENV_VAR as ENV_DEFECTS


def run_module(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    # SIGINT back to its default: a runner that starts jobs in the background hands them an ignored one
    return subprocess.Popen([sys.executable, "-m", "hybridcheck.tenant", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env={**os.environ, **(env or {})},
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def test_unknown_defect_exits_2_with_the_known_names() -> None:
    process = run_module("--defects", "state_not_echoed,nope")
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 2
    assert "nope" in stderr and all(name in stderr for name in DEFECTS)


def test_unknown_defect_from_the_environment() -> None:
    process = run_module(env={ENV_DEFECTS: "nope"})
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 2 and "nope" in stderr


def read_banner(process: subprocess.Popen[str]) -> list[str]:
    """The lines printed up to "Ctrl-C stops it."."""
    lines = [process.stdout.readline()]
    while lines[-1] and not lines[-1].startswith("Ctrl-C"):
        lines.append(process.stdout.readline())
    return lines


def test_serves_until_interrupted() -> None:
    process = run_module("--port", "0", "--client-secret", "s3cret", "--defects", "c_hash_sha512")
    try:
        banner = read_banner(process)
        issuer = banner[0].rsplit(" ", 1)[-1].strip()
        assert issuer.startswith("http://127.0.0.1:") and issuer.endswith("/")
        assert httpx.get(issuer + ".well-known/openid-configuration").json()["issuer"] == issuer
        text = "".join(banner)
        assert "hybridcheck-demo" in text and "s3cret" in text and "c_hash_sha512" in text
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=30)
        assert process.returncode == 0
    finally:
        stop_process(process)


def test_auth0_limits_and_iss_flags() -> None:
    process = run_module("--port", "0", "--auth0-limits", "--authorization-response-iss",
                         "--redirect-uri", "http://*.localhost:8765/callback")
    try:
        banner = read_banner(process)
        issuer = banner[0].rsplit(" ", 1)[-1].strip()
        assert any("rate limits" in line and "/userinfo" in line for line in banner)
        response = httpx.get(issuer + ".well-known/openid-configuration")
        assert response.headers["x-ratelimit-limit"] == "100"
        assert response.json()["authorization_response_iss_parameter_supported"] is True
    finally:
        stop_process(process)


def test_invalid_wildcard_callback_exits_2() -> None:
    process = run_module("--port", "0", "--redirect-uri", "https://a.*.example.com/cb")
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 2 and "leftmost label" in stderr
