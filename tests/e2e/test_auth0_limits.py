"""The suite against the reference tenant in auth0-limits mode: its UserInfo calls draw no 429."""

import re

import pytest

from .conftest import ROOT

pytestmark = pytest.mark.e2e


def test_userinfo_checks_stay_inside_auth0s_burst(run_suite, tmp_path):
    """TOK-6 (header style per response type, the two POST styles once) and SESS-6's five
    scopes: ten calls, Auth0's burst."""
    profile = tmp_path / "auth0-limits.toml"
    profile.write_text((ROOT / "tenants" / "local.toml").read_text() + "\n[embedded]\nauth0_limits = true\n")
    result = run_suite("--tenant", str(profile), "--req", "TOK-6,SESS-6")
    assert result.returncode == 0, result.stdout[-2000:]
    assert re.search(r"^\s+10  /userinfo$", result.stdout, re.MULTILINE), result.stdout[-1000:]
    assert "answered 429" not in result.stdout
