"""The suite's command line as a user meets it: bad input, markers, unreachable tenants."""

import time

import pytest

from hybridcheck.paths import ROOT
from hybridcheck.tenant.defects import ENV_VAR as ENV_DEFECTS

pytestmark = pytest.mark.e2e

LOCAL = "tenants/local.toml"


def _write(tmp_path, text: str):
    path = tmp_path / "profile.toml"
    path.write_text(text)
    return path


def test_broken_profile_stops_before_any_test_with_exit_4(run_suite, tmp_path):
    text = (ROOT / LOCAL).read_text().replace('recipe = "local"', 'recipe = "magic"')
    result = run_suite("--tenant", str(_write(tmp_path, text)))
    assert result.returncode == 4, result.stdout + result.stderr
    assert "field login.recipe" in result.stderr and str(tmp_path) in result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_unknown_defect_is_a_usage_error_listing_the_known_ones(run_suite):
    result = run_suite(env={ENV_DEFECTS: "no_such_defect"})
    assert result.returncode == 4
    assert "no_such_defect" in result.stderr and "c_hash_full_digest" in result.stderr


CLIENT_AND_USER = """
[clients.main]
client_id = "x"
client_secret_env = "HC_TEST_SECRET"
redirect_uris = ["{callback}/callback"]
[user]
username = "u"
password_env = "HC_TEST_PASSWORD"
[login]
recipe = "local"
"""
UNREACHABLE = """
name = "unreachable"
issuer = "http://127.0.0.1:9/"
[callback]
port = 18799
""" + CLIENT_AND_USER
REFUSING_PEER = """
name = "refusing-peer"
issuer = "launched"
[launch]
command = ["python3", "-c", "raise SystemExit('peer refuses to start')"]
cwd = "."
[callback]
port = 0
""" + CLIENT_AND_USER
REAL_TENANT_ENV = {"HC_TEST_SECRET": "s", "HC_TEST_PASSWORD": "p"}


@pytest.mark.parametrize("text, workers, message", [
    (UNREACHABLE, [], "tenant unreachable at http://127.0.0.1:9/"),
    # the workers start the peer, fail, and the controller ends the run as one process would
    (REFUSING_PEER, ["-n", "2"], "did not print READY"),
], ids=["unreachable", "peer-not-starting-2-workers"])
def test_an_unusable_tenant_ends_the_run_quickly_with_one_message(run_suite, tmp_path, text, workers, message):
    started = time.monotonic()
    result = run_suite("--tenant", str(_write(tmp_path, text)), *workers, env=REAL_TENANT_ENV)
    assert time.monotonic() - started < 15
    output = result.stdout + result.stderr
    assert result.returncode == 6 and output.count(message) == 1, output
    assert "Traceback" not in output and "INTERNALERROR" not in output
    assert (tmp_path / "junit.xml").is_file()


def test_a_real_tenant_refuses_xdist_workers_with_one_message(run_suite, tmp_path):
    """Its callback port is registered at the tenant, so two workers cannot both listen on it."""
    result = run_suite("--tenant", str(_write(tmp_path, UNREACHABLE)), "-n", "2", env=REAL_TENANT_ENV)
    assert result.returncode == 4, result.stdout + result.stderr
    assert "callback port(s) 18799 are fixed" in result.stderr and "[callback] ports" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr


@pytest.mark.parametrize(
    "expression, expected_names",
    [
        ("smoke and form_post", {"test_response_has_exactly_the_requested_credentials", "test_code_exchange_returns_a_valid_token_response"}),
        ("c_hash", {"test_c_hash_matches_the_code"}),
        ("code_token and not fragment and response", None),
    ],
    ids=["smoke-form_post", "c_hash", "rt-and-family"],
)
def test_marker_expressions_select_what_they_say(run_suite, expression, expected_names):
    result = run_suite("-m", expression, "--collect-only", "-q")
    ids = [line for line in result.stdout.splitlines() if "::" in line]
    assert result.returncode == 0 and ids, result.stdout + result.stderr
    if "form_post" in expression or "not fragment" in expression:
        assert all("-form_post-" in i for i in ids), ids
    if "code_token" in expression:
        assert all("[code token-" in i for i in ids), ids
    if expected_names:
        assert {i.split("::")[1].split("[")[0] for i in ids} == expected_names


def _free_ports(count: int) -> list[int]:
    import socket

    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def test_fixed_callback_ports_one_per_worker_and_a_host_name_mapped_to_loopback(run_suite, tmp_path):
    """``[callback] ports``: each xdist worker listens on its own registered port, under a host
    name the browser maps to 127.0.0.1 (what a real tenant with two registered callbacks needs)."""
    ports = _free_ports(2)
    text = (ROOT / LOCAL).read_text().replace(
        'host = "localhost"', 'host = "rp.hybridcheck.test"', 1).replace("port = 0 ", f"ports = {ports} ", 1)
    reports = tmp_path / "reports"
    result = run_suite("--tenant", str(_write(tmp_path, text)), "-n", "2", "-m", "smoke",
                       f"--alluredir={reports / 'allure'}", reports_dir=reports)
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    evidence = "\n".join(p.read_text(errors="replace") for p in (reports / "allure").glob("*-attachment.json"))
    for port in ports:
        assert f"http://rp.hybridcheck.test:{port}/callback" in evidence, port
    one_port_too_few = run_suite("--tenant", str(_write(tmp_path, text)), "-n", "3", "-m", "smoke")
    assert one_port_too_few.returncode == 4 and "each of the 3 xdist workers needs its own" in one_port_too_few.stderr
