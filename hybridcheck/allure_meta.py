"""What Allure needs besides the results: categories, the executor, readable names, severities
and links to the specifications. Pure functions; :mod:`hybridcheck.reporting` writes and applies them.
"""

from __future__ import annotations

import os
import re
import textwrap
from typing import Any

from hybridcheck.requirements import Requirement

#: A requirement family's name as the catalogue's sections call it.
FAMILY_NAMES = {
    "DISC": "Discovery and keys",
    "RESP": "Authorization response",
    "STATE": "State",
    "NONCE": "Nonce",
    "IDT": "ID token",
    "TOK": "Token endpoint",
    "REF": "Refresh tokens",
    "RURI": "Redirect URI",
    "FRAG": "Fragments",
    "SESS": "Session and request parameters",
}

#: The documents the catalogue's sources name, and where to read them.
SPECS = {
    "Core": "https://openid.net/specs/openid-connect-core-1_0.html",
    "Discovery": "https://openid.net/specs/openid-connect-discovery-1_0.html",
    "Core Discovery": "https://openid.net/specs/openid-connect-discovery-1_0.html",
    "MRT": "https://openid.net/specs/oauth-v2-multiple-response-types-1_0.html",
    "FP": "https://openid.net/specs/oauth-v2-form-post-response-mode-1_0.html",
    "OAuth": "https://www.rfc-editor.org/rfc/rfc6749",
    "Security BCP": "https://www.rfc-editor.org/rfc/rfc9700",
}
_RFC = re.compile(r"RFC (\d{4})(?: §([\d.]+))?")
_SECTION = re.compile(r"^(Core Discovery|Security BCP|Discovery|Core|MRT|FP|OAuth)\b(?: §([\d.]+))?")

#: Allure's categories (``categories.json``): what a reader of a nightly wants to tell apart.
CATEGORIES: list[dict[str, Any]] = [
    {"name": "Tenant unavailable or misconfigured", "matchedStatuses": ["broken", "failed", "skipped"],
     "messageRegex": r"(?s).*(tenant unreachable|misconfigured|pre-flight|did not reach the client|not JSON|unusable).*"},
    {"name": "Rate limited", "matchedStatuses": ["broken", "failed"], "messageRegex": r"(?s).*(HTTP 429|rate limit).*"},
    {"name": "Known deviation fixed: remove the entry", "matchedStatuses": ["failed", "broken"],
     "messageRegex": r"(?s).*XPASS.*known deviation.*"},
    {"name": "Known deviation", "matchedStatuses": ["skipped"], "messageRegex": r"(?s).*known deviation.*"},
    {"name": "Conformance failure", "matchedStatuses": ["failed"], "messageRegex": r"(?s).*\[[A-Z]+-\d+\].*"},
    {"name": "Warning (SHOULD not met)", "matchedStatuses": ["passed"], "messageRegex": r"(?s).*\[[A-Z]+-\d+\].*"},
    {"name": "Not applicable to this tenant", "matchedStatuses": ["skipped"]},
    {"name": "Broken test or suite error", "matchedStatuses": ["broken"]},
]


def title(text: str, width: int = 120) -> str:
    """``text`` in at most ``width`` characters, cut at a word boundary."""
    return textwrap.shorten(text, width=width, placeholder=" …")


def story(req: Requirement) -> str:
    return f"{req.id}: {title(req.title, 90)}"


def severity(req: Requirement) -> str:
    """Allure severity: an Auth0 expectation the profile switches on is ``normal``; a rule of a
    specification is ``critical`` (a relying party depends on it)."""
    return "normal" if req.title.startswith("Auth0 expectation") else "critical"


def spec_links(source: str) -> list[tuple[str, str]]:
    """(URL, name) of every specification section ``source`` names (``Core §3.3.2.11; OAuth §4.1.2.1``)."""
    links: list[tuple[str, str]] = []
    for part in (p.strip() for p in source.split(";")):
        rfc = _RFC.search(part)
        named = _SECTION.match(part)
        if rfc:
            number, section = rfc.groups()
            links.append((f"https://www.rfc-editor.org/rfc/rfc{number}" + (f"#section-{section}" if section else ""),
                          part))
        elif named and named.group(1) in SPECS:
            url = SPECS[named.group(1)]
            section = named.group(2)
            if section and url.startswith("https://www.rfc-editor.org/"):
                url += f"#section-{section}"
            links.append((url, part))
    return links


def executor(environ: dict[str, str] | None = None) -> dict[str, Any]:
    """``executor.json``: the CI run that produced the results (GitHub Actions), else this machine."""
    env = os.environ if environ is None else environ
    if env.get("GITHUB_RUN_ID"):
        server = env.get("GITHUB_SERVER_URL", "https://github.com")
        url = f"{server}/{env.get('GITHUB_REPOSITORY', '')}/actions/runs/{env['GITHUB_RUN_ID']}"
        return {"name": "GitHub Actions", "type": "github", "url": url, "buildName": f"run {env['GITHUB_RUN_ID']}",
                "buildUrl": url, "buildOrder": int(env.get("GITHUB_RUN_NUMBER", "0") or 0)}
    return {"name": "hybridcheck", "type": "local", "buildName": "local run"}
