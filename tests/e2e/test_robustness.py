"""The suite against a malformed or slow tenant: precise failures, a surviving session, reports written.

Each run is a small selection against the embedded tenant with one fault of
:mod:`hybridcheck.tenant.faults` switched on (``HYBRIDCHECK_FAULTS``), or with latency
from the profile's ``[embedded]`` and timeouts from its ``[timeouts]``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from hybridcheck.paths import ROOT

pytestmark = pytest.mark.e2e

EXIT_TENANT_UNAVAILABLE = 6
ONE_CELL = ("-m", "code_id_token and fragment")
#: Tracebacks allowed in a run's output (pytest's own failure reports contain none).
MAX_TRACEBACKS = 1

FAULT_RUNS = {
    # fault: (selection, exit code, what the output must say)
    "discovery_not_json": (("--req", "DISC-1"), EXIT_TENANT_UNAVAILABLE,
                           "discovery at http://127.0.0.1:{port}/.well-known/openid-configuration is not JSON"),
    "jwks_malformed": (("--req", "DISC-1"), EXIT_TENANT_UNAVAILABLE,
                       """JWKS at http://127.0.0.1:{port}/.well-known/jwks.json is unusable: 'keys' is "nope\""""),
    "token_response_not_json": (("--req", "TOK-1", *ONE_CELL), 1,
                                "the token response from http://127.0.0.1:{port}/oauth/token is JSON (OAuth §5.1)"),
    "id_token_not_jwt": (("--req", "IDT-1", *ONE_CELL), 1,
                         "[IDT-1] the id_token in the authorization response is a JWT (Core §2; RFC 7519 §7.2)"),
    "huge_response": (("--req", "TOK-1", *ONE_CELL), 1,
                      "POST http://127.0.0.1:{port}/oauth/token: response body larger than the suite's 1048576-byte cap"),
}


def _reports(tmp_path: Path) -> tuple[str, ...]:
    return (f"--html={tmp_path / 'reports' / 'report.html'}", "--self-contained-html")


def _message_found(output: str, template: str) -> bool:
    """``template`` in ``output``, its ``{port}`` standing for the embedded tenant's port."""
    head, _, tail = template.partition("{port}")
    if not tail:
        return head in output
    return any(part.split("/", 1)[0].isdigit() and ("/" + part.split("/", 1)[1]).startswith(tail)
               for part in output.split(head)[1:])


@pytest.mark.parametrize("fault", sorted(FAULT_RUNS))
def test_a_fault_gives_precise_failures_and_the_session_survives(run_suite, tmp_path, fault):
    selection, exit_code, message = FAULT_RUNS[fault]
    result = run_suite(*selection, *_reports(tmp_path), env={"HYBRIDCHECK_FAULTS": fault}, timeout=180,
                       reports_dir=tmp_path / "reports")
    output = result.stdout + result.stderr
    assert result.returncode == exit_code, output[-3000:]
    assert _message_found(output, message), output[-3000:]
    assert "INTERNALERROR" not in output
    assert output.count("Traceback") <= MAX_TRACEBACKS
    assert (tmp_path / "reports" / "junit.xml").is_file() and (tmp_path / "reports" / "report.html").is_file()
    if exit_code == 1:  # tests ran: their outcomes are in requirements.json
        assert (tmp_path / "reports" / "requirements.json").is_file()


def _slow_profile(tmp_path: Path, timeouts: str) -> str:
    text = (ROOT / "tenants" / "local.toml").read_text()
    assert "\n[embedded]" not in text and "\n[timeouts]" not in text
    path = tmp_path / "slow.toml"
    path.write_text(f"{text}\n[embedded]\nlatency_s = 2.0\n\n[timeouts]\n{timeouts}\n")
    return str(path)


def test_two_seconds_of_latency_stay_green_with_the_profile_timeouts(run_suite, tmp_path):
    profile = _slow_profile(tmp_path, "navigation_ms = 20000\nhttp_s = 8")
    result = run_suite("--tenant", profile, "-m", "smoke and code_id_token and fragment", *_reports(tmp_path),
                       timeout=300)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    assert " 2 passed," in output  # one RT x RM cell: RESP-1 and TOK-1


def test_a_back_channel_timeout_below_the_latency_is_the_profiles(run_suite, tmp_path):
    """The profile's ``http_s`` is the back channel's timeout: 1 s against 2 s of latency fails, at once."""
    result = run_suite("--tenant", _slow_profile(tmp_path, "http_s = 1"), "--req", "DISC-1", timeout=120)
    output = result.stdout + result.stderr
    assert result.returncode == EXIT_TENANT_UNAVAILABLE, output[-3000:]
    assert "tenant unreachable at http://127.0.0.1:" in output and "ReadTimeout" in output
    assert "INTERNALERROR" not in output and "Traceback" not in output


def test_a_refusal_on_a_page_no_recipe_knows_is_judged_once_the_page_settles(run_suite, tmp_path):
    """Another tenant's error page (fault ``error_page_unmarked``) carries none of the recipe's
    markers: each refused near miss is judged when the page is quiet, not at ``navigation_ms``
    (60 s here: the bounded run below would not finish if any case waited for it)."""
    text = (ROOT / "tenants" / "local.toml").read_text()
    path = tmp_path / "unmarked.toml"
    path.write_text(f'{text}\n[embedded]\nfaults = ["error_page_unmarked"]\n\n[timeouts]\nnavigation_ms = 60000\n')
    reports = tmp_path / "reports"
    result = run_suite("--tenant", str(path), "--req", "RURI-2", *ONE_CELL, f"--alluredir={reports / 'allure'}",
                       reports_dir=reports, timeout=240)
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    assert result.result is not None and len(result.result.cases) >= 10
    evidence = "\n".join(p.read_text(errors="replace") for p in (reports / "allure").glob("*-attachment.json"))
    assert '"stopped": "settled"' in evidence and '"stopped": "timeout"' not in evidence
