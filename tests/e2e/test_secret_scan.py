"""No secret the run saw survives in any artifact under reports/ (traces unzipped), not even a piece.

Values, their transit forms and credential shapes are looked for whole; then a window of
:data:`PIECE` characters slides over every secret (for a JWT, its signature), so what pytest
leaves of a value it shortened (``'embedd...<tail>'``) is caught in every file and zip member.
"""

import json
import re
import zipfile
from urllib.parse import quote, quote_plus

import pytest

from hybridcheck.tenant.defects import ENV_VAR as ENV_DEFECTS

pytestmark = pytest.mark.e2e


def _forms(value: str) -> set[str]:
    return {value, quote(value, safe=""), quote_plus(value)} | (
        {value.rsplit(".", 1)[1]} if value.count(".") == 2 and len(value.rsplit(".", 1)[1]) >= 16 else set()
    )


#: Credentials recognised by their shape, registered or not: a signed JWT, or a value given to a
#: credential's name in a query, form, JSON or header ("code=…", "\"access_token\": \"…\"", "Bearer …").
_SHAPES = re.compile(
    r"eyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]{16,}"
    r"|\b(?:code|access_token|refresh_token|id_token|client_secret|password|code_verifier)"
    r"(?:=|\"\s*:\s*\"|%3D)(?!«redacted|%C2%ABredacted)[\w.~+/%-]{12,}"
    r"|\bBearer (?!«redacted)[\w.~+/-]{12,}"
)


#: The length of a piece of a secret that must not survive (the scrub replaces 16 and more).
PIECE = 24
PROBE = "tests/e2e/leak_probe.py"


def _pieces(value: str) -> set[str]:
    """Every ``PIECE``-character substring of ``value`` (a JWT: of its signature)."""
    secret = value.rsplit(".", 1)[1] if value.count(".") == 2 else value
    return {secret[i:i + PIECE] for i in range(len(secret) - PIECE + 1)}


def _first_piece(text: str, pieces: set[str]) -> str | None:
    """The first of ``pieces`` found in ``text``: one set lookup per position, linear in the text."""
    return next((text[i:i + PIECE] for i in range(len(text) - PIECE + 1) if text[i:i + PIECE] in pieces), None)


def _artifact_texts(root):
    """``(where, text)`` of every file under ``root`` and of every member of its zips."""
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                for info in archive.infolist():
                    yield f"{path}!{info.filename}", archive.read(info).decode("utf-8", "replace")
        else:
            yield str(path), path.read_bytes().decode("utf-8", "replace")


def test_reports_hold_no_secret_of_a_failing_run(run_suite, tmp_path):
    reports, dump = tmp_path / "reports", tmp_path / "secrets.json"
    result = run_suite(
        "-p", "tests.e2e.leak_probe", PROBE, "-n", "2", "--req", "IDT-3,STATE-1,TOK-1,TOK-3,REF-4,RURI-2",
        f"--reports-dir={reports}", f"--junitxml={reports / 'junit.xml'}",
        f"--html={reports / 'report.html'}", "--self-contained-html", f"--alluredir={reports / 'allure-results'}",
        "--screenshot=only-on-failure", f"--output={reports / 'test-results'}", "--tracing=retain-on-failure",
        env={ENV_DEFECTS: "c_hash_full_digest,state_not_echoed", "HYBRIDCHECK_SECRETS_DUMP": str(dump)},
    )
    assert result.returncode == 1, result.stdout[-2000:]  # the defects fail their tests
    secrets = json.loads(dump.read_text())
    assert len(secrets) > 20  # client secrets, password, codes, tokens of every flow
    hits = [
        f"{where}: {value[:6]}…"
        for where, text in _artifact_texts(reports)
        for value in secrets
        for form in _forms(value)
        if form in text
    ]
    hits += [f"{where}: {match.group(0)[:24]}…" for where, text in _artifact_texts(reports)
             if "!src/" not in where  # a trace's copy of the test sources names credentials, holds none
             for match in _SHAPES.finditer(text)]
    assert not hits, hits[:20]
    pieces = set().union(*map(_pieces, secrets))
    holding = [f"{where}: {found[:6]}…" for where, text in _artifact_texts(reports)
               if (found := _first_piece(text, pieces))]
    assert not holding, f"{len(holding)} files hold a {PIECE}-character piece of a secret: {holding[:20]}"
    assert f"{PROBE}::" in result.stdout, "the probe ran and failed beside the suite"
    assert (reports / "requirements.json").is_file() and any(reports.rglob("*.zip")), "traces were written"
