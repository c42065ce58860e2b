"""Auth0's wildcard callback URLs (RURI-4; Auth0 "Wildcards for Subdomains").

A registered callback may hold ONE ``*``, in the leftmost label of the host, for ``http``
and ``https`` only, optionally with a prefix and suffix in that label
(``https://prefix-*-suffix.example.com/cb``). It stands for exactly one DNS label —
letters, digits and ``-``, never a dot — so ``https://*.example.com/cb`` matches
``https://a.example.com/cb`` but not ``https://a.b.example.com/cb``, not the bare
``https://example.com/cb``, not ``https://a.example.com.evil.test/cb``. Everything else —
scheme, the rest of the host, port, path and query — must be identical, character for
character, as for an exact callback (OAuth §3.1.2.3).

Pure functions: the tenant's defects switch the two lax variants on (see
:mod:`hybridcheck.tenant.callbacks`).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_LABEL = "[A-Za-z0-9-]+"  # one DNS label (RFC 1123 letters, digits, hyphen)
_LABELS = "[A-Za-z0-9.-]+"  # several labels: only the wildcard_matches_any_depth defect
_LABEL_AFFIX = re.compile(r"[A-Za-z0-9-]*")


def is_wildcard(uri: str) -> bool:
    return "*" in uri


def check_callback(uri: str) -> None:
    """Raise ``ValueError`` for a wildcard callback that breaks Auth0's rules; exact ones pass."""
    if not is_wildcard(uri):
        return
    parts = urlsplit(uri)
    label, dot, _ = parts.netloc.partition(".")
    prefix, _, suffix = label.partition("*")
    problems = [
        (parts.scheme not in ("http", "https"), "only http and https callbacks may hold a wildcard"),
        (uri.count("*") != 1, "only one '*' is allowed"),
        ("*" not in label or not dot, "the '*' must stand in the leftmost label of a host with a parent domain"),
        ("@" in parts.netloc, "no user information in a wildcard callback"),
        (not (_LABEL_AFFIX.fullmatch(prefix) and _LABEL_AFFIX.fullmatch(suffix)),
         "the wildcard label may only add letters, digits and '-' around the '*'"),
    ]
    reasons = [reason for broken, reason in problems if broken]
    if reasons:
        raise ValueError(f"invalid wildcard callback {uri!r}: {'; '.join(reasons)}")


def wildcard_matches(uri: str, pattern: str, *, any_depth: bool = False, bare_domain: bool = False) -> bool:
    """Whether ``uri`` matches the wildcard callback ``pattern`` (already checked).

    ``any_depth`` lets the ``*`` span dots (a.b.example.com); ``bare_domain`` lets the
    whole wildcard label and its dot be absent (example.com). Both are defects.
    """
    if not is_wildcard(pattern):
        return False
    before, _, after = pattern.partition("*")
    label = _LABELS if any_depth else _LABEL
    if re.fullmatch(re.escape(before) + label + re.escape(after), uri):
        return True
    if bare_domain:
        scheme_end = before.index("://") + 3
        parent = after.partition(".")[2]  # the host after the wildcard label, then port, path, query
        return uri == before[:scheme_end] + parent
    return False
