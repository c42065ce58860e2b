"""One redaction step for every artifact the suite writes.

Secrets (client secrets, passwords, codes, access/refresh tokens, ID-token signatures)
are replaced by a marker that keeps a short fingerprint, so two values can still be
compared in a report without either being readable.

A piece of a secret is a secret too: pytest and other tools shorten long values
(``'eyJhbGciOi...Q3PXmDHGxC'``), and what is left must not survive. Any run of
:data:`PART_LENGTH` or more characters of a registered secret is replaced by the secret's
fingerprint with an ellipsis, ``«redacted:xxxxxx…»``; a whole value keeps ``«redacted:xxxxxx»``.
"""

from __future__ import annotations

import hashlib
import threading
from urllib.parse import quote, quote_plus

import ahocorasick

_MARKER = "«redacted:{fp}»"
_PART_MARKER = "«redacted:{fp}…»"
_MIN_SECRET_LENGTH = 4
#: The shortest piece of a secret that is redacted wherever it appears.
PART_LENGTH = 16

Span = tuple[int, int, str]  # (start, end, marker)


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()[:6]


def fingerprint(value: str) -> str:
    """Return the redaction marker for ``value``: a 6-hex-digit SHA-256 fingerprint."""
    return _MARKER.format(fp=_digest(value))


def part_marker(value: str) -> str:
    """The marker for a piece of ``value``: its fingerprint with an ellipsis."""
    return _PART_MARKER.format(fp=_digest(value))


def _transit_forms(value: str) -> set[str]:
    """The forms a secret takes in transit: raw, percent-encoded, form-encoded."""
    return {value, quote(value, safe=""), quote_plus(value, safe=""), quote(value)}


#: Pieces are found from their blocks: a run of PART_LENGTH characters of a form holds a whole
#: BLOCK-character block that starts at a multiple of BLOCK in the form.
BLOCK = PART_LENGTH // 2


def _windows(form: str) -> list[str]:
    """Every :data:`PART_LENGTH`-character substring of ``form``: a run of that length or more
    of ``form`` contains one at each of its positions, so their matches cover the run exactly."""
    return [form[i:i + PART_LENGTH] for i in range(len(form) - PART_LENGTH + 1)]


def _blocks(form: str) -> list[str]:
    """The :data:`BLOCK`-character blocks of ``form`` at multiples of BLOCK: a window of ``form``
    starting at offset ``a`` holds the block at the first multiple of BLOCK from ``a``."""
    return [form[offset:offset + BLOCK] for offset in range(0, len(form) - BLOCK + 1, BLOCK)]


class _Matcher:
    """Two Aho-Corasick automatons over some secrets: one scan each, whatever their number.

    ``forms`` (whole transit forms) are matched leftmost-longest. ``parts`` (forms whose pieces
    are secret too) are registered by their aligned blocks, an eighth of their windows: this is
    the automaton a growing run rebuilds. A block found in a text is a place a window may be;
    the :class:`Redactor` looks the windows around it up.
    """

    def __init__(self, forms: dict[str, str], parts: dict[str, str]) -> None:
        self.forms = forms
        self.parts = parts
        self._whole = ahocorasick.Automaton()
        for form, marker in forms.items():
            self._whole.add_word(form, (len(form), marker))
        self._whole.make_automaton()
        self._blocks = ahocorasick.Automaton(ahocorasick.STORE_LENGTH)
        for form in parts:
            for block in _blocks(form):
                self._blocks.add_word(block)
        if parts:
            self._blocks.make_automaton()

    def matches(self, text: str) -> list[Span]:
        """Spans of the longest non-overlapping whole forms found in ``text``."""
        return [(end + 1 - length, end + 1, marker) for end, (length, marker) in self._whole.iter_long(text)]

    def block_ends(self, text: str, start: int, end: int) -> list[int]:
        """Where a block of a part form ends (one past its last character) in ``text[start:end]``."""
        if not self.parts:
            return []
        return [last + 1 for last, _ in self._blocks.iter(text, start, end)]


def _window_starts(text: str, matchers: list[_Matcher], reach: list[tuple[int, int]]) -> set[int]:
    """Where a window of a part form may start in ``text``: around every block found, within
    the stretch of ``reach`` the block lies in (a window elsewhere would be clipped away)."""
    return {start for low, high in reach for matcher in matchers for end in matcher.block_ends(text, low, high)
            for start in range(max(low, end - PART_LENGTH), min(end - BLOCK, high - PART_LENGTH) + 1)}


def _windows_at(text: str, starts: set[int], windows: dict[str, str]) -> list[Span]:
    """The registered windows of ``text`` that start at one of ``starts``, in text order."""
    found = ((start, windows.get(text[start:start + PART_LENGTH])) for start in sorted(starts))
    return [(start, start + PART_LENGTH, marker) for start, marker in found if marker is not None]


def _leftmost_longest(matches: list[Span]) -> list[Span]:
    """The leftmost-longest of ``matches`` (spans may overlap across automatons), in text order."""
    chosen: list[Span] = []
    last = 0
    for start, end, marker in sorted(matches, key=lambda m: (m[0], -m[1])):
        if start >= last:
            chosen.append((start, end, marker))
            last = end
    return chosen


def _window_reach(length: int, taken: list[Span]) -> list[tuple[int, int]]:
    """The stretches of a text of ``length`` that hold every window touching a character no
    ``taken`` span (sorted, free of overlaps) covers: the gaps between them, each widened by
    ``PART_LENGTH - 1`` on both sides, overlapping stretches merged. Windows wholly inside a
    taken span would be clipped away anyway, and scanning around them keeps a scrub linear in
    the text rather than in the secrets it holds."""
    reach: list[tuple[int, int]] = []
    position = 0
    for start, end, _ in [*taken, (length, length, "")]:
        if start > position:
            low, high = max(0, position - PART_LENGTH + 1), min(length, start + PART_LENGTH - 1)
            if reach and low <= reach[-1][1]:
                reach[-1] = (reach[-1][0], high)
            else:
                reach.append((low, high))
        position = max(position, end)
    return reach


def _runs(windows: list[Span]) -> list[Span]:
    """Overlapping or touching windows merged into runs, each with its first window's marker."""
    runs: list[Span] = []
    for start, end, marker in sorted(windows):
        if runs and start <= runs[-1][1]:
            runs[-1] = (runs[-1][0], max(end, runs[-1][1]), runs[-1][2])
        else:
            runs.append((start, end, marker))
    return runs


def _outside(runs: list[Span], taken: list[Span]) -> list[Span]:
    """The parts of ``runs`` no ``taken`` span covers (both sorted, each free of overlaps)."""
    left: list[Span] = []
    first = 0
    for start, end, marker in runs:
        while first < len(taken) and taken[first][1] <= start:
            first += 1
        position, index = start, first
        while index < len(taken) and taken[index][0] < end:
            if taken[index][0] > position:
                left.append((position, taken[index][0], marker))
            position = max(position, taken[index][1])
            index += 1
        if position < end:
            left.append((position, end, marker))
    return left


def _replace(text: str, spans: list[Span]) -> str:
    """``text`` with each of ``spans`` (sorted, free of overlaps) replaced by its marker."""
    pieces, last = [], 0
    for start, end, marker in spans:
        pieces += [text[last:start], marker]
        last = end
    return "".join(pieces) + text[last:]


class Redactor:
    """Remembers every secret value the run has seen and scrubs text of all of them.

    Thread-safe: flows on several threads register values as they see them.
    A JWT is registered by its signature (the part that makes it a credential),
    so decoded headers and claims may still be shown; pieces count only of the signature.

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
        self._pending_parts: dict[str, str] = {}
        self._matchers: list[_Matcher] = []
        self._windows: dict[str, str] = {}  # every window of a part form -> its piece marker

    def add(self, value: str | None) -> None:
        """Register a secret value (ignored when empty or too short to be one)."""
        if not value or len(value) < _MIN_SECRET_LENGTH:
            return
        candidates, pieced = {value}, value
        if value.count(".") == 2:  # a JWS compact token: its signature too, and only its pieces
            pieced = value.rsplit(".", 1)[1]
            if len(pieced) >= _MIN_SECRET_LENGTH:
                candidates.add(pieced)
        with self._lock:
            self._raw.add(value)
            for candidate in candidates:
                marker = fingerprint(candidate)
                for form in _transit_forms(candidate):
                    if form not in self._secrets:
                        self._secrets[form] = self._pending[form] = marker
                        if candidate == pieced and len(form) >= PART_LENGTH:
                            self._pending_parts[form] = piece = part_marker(candidate)
                            for window in _windows(form):
                                self._windows.setdefault(window, piece)

    def _current_matchers(self) -> list[_Matcher]:
        """Fold pending forms into the automatons (caller holds the lock)."""
        if self._pending:
            forms, self._pending = self._pending, {}
            parts, self._pending_parts = self._pending_parts, {}
            while self._matchers and len(self._matchers[-1].forms) <= len(forms):
                merged = self._matchers.pop()
                forms, parts = {**merged.forms, **forms}, {**merged.parts, **parts}
            self._matchers.append(_Matcher(forms, parts))
        return list(self._matchers)

    def scrub(self, text: str) -> str:
        """Replace every registered secret in ``text`` by its marker (longest match first), then
        every run of :data:`PART_LENGTH` or more characters of one by its piece marker."""
        with self._lock:
            matchers = self._current_matchers()
        whole = _leftmost_longest([match for matcher in matchers for match in matcher.matches(text)])
        reach = _window_reach(len(text), whole)
        runs = _runs(_windows_at(text, _window_starts(text, matchers, reach), self._windows))
        if not whole and not runs:
            return text
        return _replace(text, sorted(whole + _outside(runs, whole)))

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
