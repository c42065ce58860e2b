"""The last redaction pass: every file the run wrote under ``reports/`` is scrubbed of secrets.

Messages and evidence are redacted where they are made; this pass catches whatever a
plugin wrote on its own (JUnit system-out, pytest-html's captured output, Allure's
parameters, Playwright traces). Text files are rewritten in place; zip archives
(Playwright traces) have their text entries rewritten. Images cannot be scrubbed: the
suite only screenshots pages that show no secret (tenant error pages, the callback page).
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from hybridcheck.redact import Redactor


def _scrub_text(data: bytes, redactor: Redactor) -> bytes | None:
    """Scrubbed bytes, or None when ``data`` is not UTF-8 text or holds no secret."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    scrubbed = redactor.scrub(text)
    return scrubbed.encode("utf-8") if scrubbed != text else None


def _scrub_zip(path: Path, redactor: Redactor) -> bool:
    with zipfile.ZipFile(path) as archive:
        entries = [(info, archive.read(info)) for info in archive.infolist()]
    changed = False
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as rewritten:
        for info, data in entries:
            scrubbed = _scrub_text(data, redactor)
            changed |= scrubbed is not None
            rewritten.writestr(info, scrubbed if scrubbed is not None else data)
    if changed:
        path.write_bytes(out.getvalue())
    return changed


def scrub_tree(root: Path, redactor: Redactor) -> int:
    """Scrub every file under ``root``; return how many were rewritten."""
    rewritten = 0
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        if zipfile.is_zipfile(path):
            rewritten += _scrub_zip(path, redactor)
            continue
        scrubbed = _scrub_text(path.read_bytes(), redactor)
        if scrubbed is not None:
            path.write_bytes(scrubbed)
            rewritten += 1
    return rewritten
