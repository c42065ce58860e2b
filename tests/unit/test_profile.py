"""Tenant profiles: the shipped ones load; each kind of mistake names the file and the field."""

import dataclasses
import json

import pytest

from hybridcheck.deviations import Deviation
from hybridcheck.paths import ROOT
from hybridcheck.profile import (
    Api,
    Callback,
    Capabilities,
    Client,
    EmbeddedSettings,
    Expectations,
    Launch,
    Limits,
    Login,
    ProfileError,
    TestUser as User,  # not "Test*": pytest would try to collect it
    Timeouts,
    load_profile,
)

LOCAL = (ROOT / "tenants" / "local.toml").read_text()


def test_local_profile_loads_with_generated_secrets():
    profile = load_profile("local", env={})
    assert profile.embedded
    assert profile.main_client.client_secret and profile.user.password
    assert profile.main_client.bound("http://127.0.0.1:9").redirect_uris[0] == "http://127.0.0.1:9/callback"


def test_refresh_rotation_is_the_clients_own():
    """Declared per client only ([clients.*] refresh_rotation), and the embedded tenant serves it so."""
    from hybridcheck.embedded import tenant_config_from_profile

    profile = load_profile("local", env={})
    assert {role: c.refresh_rotation for role, c in profile.clients.items()} == {
        "main": False, "other": True, "wild": False}
    config = tenant_config_from_profile(profile, "http://127.0.0.1:9", frozenset())
    assert [c.rotate_refresh_tokens for c in config.clients] == [False, True, False]


def _schema_keys(node: dict) -> set[str]:
    return set(node["properties"])


def _fields(cls: type, resolved: dict[str, str] | None = None) -> set[str]:
    """The TOML keys ``cls`` is built from: its fields, a resolved one under its ``_env`` key."""
    resolved = resolved or {}
    return {resolved.get(f.name, f.name) for f in dataclasses.fields(cls)} - {""}


def test_every_section_is_a_dataclass_with_exactly_the_schema_keys():
    """The loader builds each section as ``Section(**table)``: a key the schema allows but the
    dataclass lacks would crash, a field the schema lacks could never be set. Defaults live in
    the dataclasses only (the schema states none)."""
    schema = json.loads((ROOT / "schemas" / "tenant-profile.schema.json").read_text())
    top = schema["properties"]
    sections = {
        "capabilities": (top["capabilities"], _fields(Capabilities)),
        "expectations": (top["expectations"], _fields(Expectations)),
        "embedded": (top["embedded"], _fields(EmbeddedSettings)),
        "launch": (top["launch"], _fields(Launch)),
        "callback": (top["callback"], _fields(Callback)),
        "timeouts": (top["timeouts"], _fields(Timeouts)),
        "limits": (top["limits"], _fields(Limits)),
        "api": (top["api"], _fields(Api)),
        "login": (top["login"], _fields(Login)),
        "user": (top["user"], _fields(User, {"password": "password_env"})),
        "clients.*": (schema["$defs"]["client"], _fields(Client, {"role": "", "client_secret": "client_secret_env"})),
        "deviations[]": (top["deviations"]["items"], _fields(Deviation)),
    }
    for name, (node, fields) in sections.items():
        assert _schema_keys(node) == fields, name
    assert '"default"' not in json.dumps(schema)


def test_absent_sections_and_keys_take_the_dataclass_defaults(tmp_path):
    text = "\n".join(line for line in LOCAL.splitlines() if not line.startswith("auth_method"))
    path = tmp_path / "p.toml"
    path.write_text(text.split("\n[capabilities]")[0] + "\n")
    profile = load_profile(str(path), env={})
    assert profile.capabilities == Capabilities() and profile.timeouts == Timeouts()
    assert profile.main_client.auth_method == Client.__dataclass_fields__["auth_method"].default


def test_auth0_example_loads_when_its_secrets_are_set():
    env = {"AUTH0_CLIENT_SECRET": "s3cret", "AUTH0_TEST_PASSWORD": "pw"}
    profile = load_profile(str(ROOT / "tenants" / "auth0.example.toml"), env=env)
    assert profile.issuer.endswith("/") and profile.main_client.client_secret == "s3cret"
    assert profile.login.recipe == "auth0-universal-login"


BROKEN = {
    "missing-field": (LOCAL.replace('username = "tester@hybridcheck.test"\n', ""), "field user: 'username' is a required property"),
    "unknown-response-type": (
        LOCAL.replace('response_types = ["code id_token",', 'response_types = ["id_token token",'),
        "field capabilities.response_types[0]",
    ),
    "bad-redirect-uri": (LOCAL.replace('"{callback}/other"', '"not a url"'), "field clients.other.redirect_uris[0]"),
    "bad-issuer": (LOCAL.replace('issuer = "embedded"', 'issuer = "ftp://x"'), "field issuer"),
    "unknown-recipe": (LOCAL.replace('recipe = "local"', 'recipe = "magic"'), "field login.recipe"),
    "selectors-without-selectors": (LOCAL.replace('recipe = "local"', 'recipe = "selectors"'), "field login"),
    "not-toml": ("name = ", "not valid TOML"),
    "rotation-under-capabilities": (LOCAL.replace("refresh_tokens = true\n", "refresh_tokens = true\nrefresh_rotation = true\n"),
                                    "field capabilities: Additional properties are not allowed ('refresh_rotation'"),
}


@pytest.mark.parametrize("text, message", BROKEN.values(), ids=BROKEN.keys())
def test_broken_profile_names_file_and_field(tmp_path, text, message):
    path = tmp_path / "broken.toml"
    path.write_text(text)
    with pytest.raises(ProfileError) as error:
        load_profile(str(path), env={})
    assert str(path) in str(error.value)
    assert message in str(error.value)


def test_real_tenant_with_unset_secret_names_the_variable(tmp_path):
    text = (ROOT / "tenants" / "auth0.example.toml").read_text()
    path = tmp_path / "auth0.toml"
    path.write_text(text)
    with pytest.raises(ProfileError, match="clients.main.client_secret_env: environment variable AUTH0_CLIENT_SECRET is not set"):
        load_profile(str(path), env={"AUTH0_TEST_PASSWORD": "pw"})


def test_real_tenant_needs_a_fixed_callback_port(tmp_path):
    text = (ROOT / "tenants" / "auth0.example.toml").read_text().replace("port = 8765", "port = 0")
    path = tmp_path / "auth0.toml"
    path.write_text(text)
    with pytest.raises(ProfileError, match="field callback.port"):
        load_profile(str(path), env={"AUTH0_CLIENT_SECRET": "s", "AUTH0_TEST_PASSWORD": "p"})


def _auth0(tmp_path, callback: str):
    text = (ROOT / "tenants" / "auth0.example.toml").read_text()
    start = text.index("\n[callback]\n") + 1
    end = text.index("\n[", start)
    path = tmp_path / "auth0.toml"
    path.write_text(text[:start] + "[callback]\n" + callback + "\n" + text[end:])
    return load_profile(str(path), env={"AUTH0_CLIENT_SECRET": "s", "AUTH0_TEST_PASSWORD": "p"})


def test_one_registered_callback_port_per_worker(tmp_path):
    callback = _auth0(tmp_path, "ports = [8765, 8766]").callback
    assert callback.registered_ports == (8765, 8766)
    assert (callback.port_for(0), callback.port_for(1)) == (8765, 8766)
    assert callback.origin(8766) == "http://127.0.0.1:8766" and callback.loopback
    with pytest.raises(ProfileError, match="field callback.ports: give either port"):
        _auth0(tmp_path, "port = 8765\nports = [8766]")
    with pytest.raises(ProfileError, match="callback"):
        _auth0(tmp_path, "ports = [8765, 8765]")


def test_a_callback_host_may_be_a_name_but_not_any_string(tmp_path):
    callback = _auth0(tmp_path, 'host = "rp.hybridcheck.test"\nport = 8765').callback
    assert not callback.loopback and callback.origin(8765) == "http://rp.hybridcheck.test:8765"
    for bad in ("rp_under.example", "http://rp.example", "rp"):
        with pytest.raises(ProfileError, match="callback.host"):
            _auth0(tmp_path, f'host = "{bad}"\nport = 8765')


def test_unknown_profile_name_lists_the_known_ones():
    with pytest.raises(ProfileError, match="known: .*local"):
        load_profile("no-such-tenant", env={})
