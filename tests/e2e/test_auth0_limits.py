"""The suite against the reference tenant in auth0-limits mode: its UserInfo calls draw no 429."""

import re

import pytest

from hybridcheck.paths import ROOT

pytestmark = pytest.mark.e2e


def test_userinfo_checks_draw_no_429_under_auth0s_limits(run_suite, tmp_path):
    """TOK-6 (header style per response type, the front-channel access token of the two RTs
    with ``token``, the two POST styles once, one invalid token) and SESS-6's five scopes:
    thirteen calls, three past Auth0's burst of ten, so the suite paces itself and draws no 429."""
    profile = tmp_path / "auth0-limits.toml"
    profile.write_text((ROOT / "tenants" / "local.toml").read_text() + "\n[embedded]\nauth0_limits = true\n")
    result = run_suite("--tenant", str(profile), "--req", "TOK-6,SESS-6")
    assert result.returncode == 0, result.stdout[-2000:]
    assert re.search(r"^\s+13  /userinfo  \(paced to the published limit", result.stdout, re.MULTILINE), \
        result.stdout[-1000:]
    assert "answered 429" not in result.stdout
