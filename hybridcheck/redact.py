"""One redaction step for every artifact the suite writes.

Secrets (client secrets, passwords, codes, access/refresh tokens, ID-token signatures)
are replaced by a marker that keeps a short fingerprint, so two values can still be
compared in a report without either being readable.
"""

from __future__ import annotations

import hashlib
import threading
from urllib.parse import quote, quote_plus

import ahocorasick

_MARKER = "«redacted:{fp}»"
_MIN_SECRET_LENGTH = 4


def fingerprint(value: str) -> str:
    """Return the redaction marker for ``value``: a 6-hex-digit SHA-256 fingerprint."""
    digest = hashlib.sha256(value.encode("utf-8")).hexdigest()[:6]
    return _MARKER.format(fp=digest)


def _transit_forms(value: str) -> set[str]:
    """The forms a secret takes in transit: raw, percent-encoded, form-encoded."""
    return {value, quote(value, safe=""), quote_plus(value, safe=""), quote(value)}


class _Matcher:
    """An Aho-Corasick automaton over some secret forms: one scan, whatever their number."""

    def __init__(self, forms: dict[str, str]) -> None:
        self.forms = forms
        self._automaton = ahocorasick.Automaton()
        for form, marker in forms.items():
            self._automaton.add_word(form, (len(form), marker))
        self._automaton.make_automaton()

    def matches(self, text: str) -> list[tuple[int, int, str]]:
        """``(start, end, marker)`` of the longest non-overlapping forms found in ``text``."""
        return [(end + 1 - length, end + 1, marker) for end, (length, marker) in self._automaton.iter_long(text)]


def _replace(text: str, matches: list[tuple[int, int, str]]) -> str:
    """Replace the leftmost-longest of ``matches`` (spans may overlap across automatons)."""
    pieces, last = [], 0
    for start, end, marker in sorted(matches, key=lambda m: (m[0], -m[1])):
        if start >= last:
            pieces += [text[last:start], marker]
            last = end
    return "".join(pieces) + text[last:]


class Redactor:
    """Remembers every secret value the run has seen and scrubs text of all of them.

    Thread-safe: flows on several threads register values as they see them.
    A JWT is registered by its signature (the part that makes it a credential),
    so decoded headers and claims may still be shown.

    A run registers secrets between scrubs (every flow brings a new code and tokens), so
    the forms are kept in a few automatons of doubling size, merged like a binary counter:
    a new secret costs O(log n) amortised rebuild work and a scrub O(log n) linear scans,
    where one automaton rebuilt per scrub would make a run quadratic in its flows.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._secrets: dict[str, str] = {}
        self._raw: set[str] = set()
        self._pending: dict[str, str] = {}
        self._matchers: list[_Matcher] = []

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
                    if form not in self._secrets:
                        self._secrets[form] = self._pending[form] = marker

    def _current_matchers(self) -> list[_Matcher]:
        """Fold pending forms into the automatons (caller holds the lock)."""
        if self._pending:
            forms, self._pending = self._pending, {}
            while self._matchers and len(self._matchers[-1].forms) <= len(forms):
                forms = {**self._matchers.pop().forms, **forms}
            self._matchers.append(_Matcher(forms))
        return list(self._matchers)

    def scrub(self, text: str) -> str:
        """Replace every registered secret in ``text`` by its marker (longest match first)."""
        with self._lock:
            matchers = self._current_matchers()
        matches = [match for matcher in matchers for match in matcher.matches(text)]
        return _replace(text, matches) if matches else text

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
