"""``[embedded] faults`` and ``HYBRIDCHECK_FAULTS``: checked names, embedded tenant only, one place each."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hybridcheck.embedded import tenant_config_from_profile
from hybridcheck.paths import ROOT
from hybridcheck.profile import ProfileError, load_profile
from hybridcheck.tenant.faults import ENV_VAR, FAULTS

LOCAL = (ROOT / "tenants" / "local.toml").read_text()
LOCAL_PATH = str(ROOT / "tenants" / "local.toml")
AUTH0 = (ROOT / "tenants" / "auth0.example.toml").read_text()
AUTH0_SECRETS = {"AUTH0_CLIENT_SECRET": "s3cret", "AUTH0_TEST_PASSWORD": "pw"}


def _profile(tmp_path: Path, text: str) -> str:
    path = tmp_path / "profile.toml"
    path.write_text(text)
    return str(path)


def _with_embedded(settings: str) -> str:
    assert "\n[embedded]" not in LOCAL
    return f"{LOCAL}\n[embedded]\n{settings}\n"


def test_the_registry_alone_names_the_faults():
    """The schema takes any names; the loader checks them against the tenant's registry."""
    schema = json.loads((ROOT / "schemas" / "tenant-profile.schema.json").read_text())
    assert "enum" not in schema["properties"]["embedded"]["properties"]["faults"]["items"]
    assert all(load_profile(LOCAL_PATH, env={ENV_VAR: name}).embedded_settings.faults == {name} for name in FAULTS)


def test_profile_and_env_faults_reach_the_tenant_config(tmp_path):
    path = _profile(tmp_path, _with_embedded('faults = ["huge_response"]'))
    profile = load_profile(path, env={ENV_VAR: "jwks_malformed"})
    assert profile.embedded_settings.faults == {"huge_response", "jwks_malformed"}
    config = tenant_config_from_profile(profile, "http://127.0.0.1:9", frozenset())
    assert config.faults == {"huge_response", "jwks_malformed"} and not config.defects


@pytest.mark.parametrize(
    "text, env, message",
    [
        (_with_embedded('faults = ["nope"]'), {}, "field embedded.faults: unknown fault(s): nope. Known faults: discovery_not_json"),
        (LOCAL, {ENV_VAR: "nope"}, f"unknown fault(s) in {ENV_VAR}: nope. Known faults: discovery_not_json"),
        (AUTH0, {**AUTH0_SECRETS, ENV_VAR: "huge_response"}, "faults switch the embedded tenant only"),
    ],
    ids=["unknown-in-profile", "unknown-in-env", "real-tenant"],
)
def test_bad_faults_are_profile_errors(tmp_path, text, env, message):
    with pytest.raises(ProfileError) as info:
        load_profile(_profile(tmp_path, text), env=env)
    assert message in str(info.value)
