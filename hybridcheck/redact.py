"""One redaction step for every artifact the suite writes.

Secrets (client secrets, passwords, codes, access/refresh tokens, ID-token signatures)
are replaced by a marker that keeps a short fingerprint, so two values can still be
compared in a report without either being readable.
"""

from __future__ import annotations

import hashlib
import re
import threading
from urllib.parse import quote, quote_plus

_MARKER = "«redacted:{fp}»"
_MIN_SECRET_LENGTH = 4


def fingerprint(value: str) -> str:
    """Return the redaction marker for ``value``: a 6-hex-digit SHA-256 fingerprint."""
    digest = hashlib.sha256(value.encode("utf-8")).hexdigest()[:6]
    return _MARKER.format(fp=digest)


def _transit_forms(value: str) -> set[str]:
    """The forms a secret takes in transit: raw, percent-encoded, form-encoded."""
    return {value, quote(value, safe=""), quote_plus(value, safe=""), quote(value)}


class Redactor:
    """Remembers every secret value the run has seen and scrubs text of all of them.

    Thread-safe: flows on several threads register values as they see them.
    A JWT is registered by its signature (the part that makes it a credential),
    so decoded headers and claims may still be shown.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._secrets: dict[str, str] = {}
        self._raw: set[str] = set()
        self._pattern: re.Pattern[str] | None = None

    def add(self, value: str | None) -> None:
        """Register a secret value (ignored when empty or too short to be one)."""
        if not value or len(value) < _MIN_SECRET_LENGTH:
            return
        candidates = {value}
        if value.count(".") == 2:  # a JWS compact token: its signature too
            signature = value.rsplit(".", 1)[1]
            if len(signature) >= _MIN_SECRET_LENGTH:
                candidates.add(signature)
        with self._lock:
            self._raw.add(value)
            for candidate in candidates:
                marker = fingerprint(candidate)
                for form in _transit_forms(candidate):
                    self._secrets.setdefault(form, marker)
            self._pattern = None

    def scrub(self, text: str) -> str:
        """Replace every registered secret in ``text`` by its marker."""
        with self._lock:
            if not self._secrets:
                return text
            if self._pattern is None:
                ordered = sorted(self._secrets, key=len, reverse=True)
                self._pattern = re.compile("|".join(re.escape(s) for s in ordered))
            pattern, secrets = self._pattern, self._secrets
        return pattern.sub(lambda m: secrets[m.group(0)], text)

    def values(self) -> list[str]:
        """The raw secret values registered (to hand to another process's redactor)."""
        with self._lock:
            return sorted(self._raw)

    def __contains__(self, value: str) -> bool:
        with self._lock:
            return value in self._secrets


#: The process-wide redactor every report, log and failure message goes through.
REDACTOR = Redactor()


def redact(text: str) -> str:
    """Scrub ``text`` with the process-wide redactor."""
    return REDACTOR.scrub(text)
