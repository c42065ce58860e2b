"""Near-miss redirect URIs: the ways an attacker's URI can resemble a registered one (RURI-2).

OAuth 2.0 (RFC 6749 §3.1.2.2-3) and the Security BCP (RFC 9700 §4.1.3) require *exact
string matching* of a redirect URI against the registered ones. Each variant here
differs from a registered URI in one way a lax matcher gets wrong, and must be refused.

Two variants are *equivalent* under URL normalisation (RFC 3986 §6.2.2-3): scheme and
host case, and an explicit default port. They name the same resource, so a tenant that
accepts them is not redirecting anywhere else; a tenant that refuses them is strict, not
wrong. They are kept apart (``equivalent=True``) and judged by "never delivered anywhere
but the registered URI", not by "refused".

Percent-encoded and dot-segment paths are different: normalisation would make some of
them equal to the registered path, but exact string matching refuses them, and a lax
matcher that decodes before comparing is the bug being probed (RFC 9700 §4.1.3).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass, replace
from urllib.parse import SplitResult, urlsplit, urlunsplit

#: A host outside every tenant and client. The browser maps it to loopback
#: (``--host-resolver-rules``), so a tenant that redirects there reaches the callback server.
FOREIGN_HOST = "attacker.hybridcheck.test"
_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class NearMiss:
    """A redirect URI that differs from ``registered`` in the way ``id`` names."""

    id: str
    uri: str | None  # None: the request carries no redirect_uri at all
    registered: str
    why: str
    equivalent: bool = False
    must_match: bool = False  # a URI a wildcard registration must accept (RURI-4)


def _port(parts: SplitResult) -> int:
    return parts.port or _DEFAULT_PORTS.get(parts.scheme, 0)


def _netloc(host: str, port: int | None, userinfo: str = "") -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"{userinfo}{shown}" + (f":{port}" if port is not None else "")


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _with(parts: SplitResult, **changes: str) -> str:
    return urlunsplit(parts._replace(**changes))


def _encode_first_character(path: str) -> str:
    """``/callback`` → ``/%63allback``: same characters after decoding, another string."""
    rest = path.lstrip("/")
    return "/" + f"%{ord(rest[0]):02X}" + rest[1:] if rest else "/%78"


def _path_and_host_variants(registered: str) -> list[NearMiss]:
    """The variants of one registered URI's scheme, authority and path (and an added query)."""
    parts = urlsplit(registered)
    host, port, path = parts.hostname or "", parts.port, parts.path or "/"
    other_scheme = "http" if parts.scheme == "https" else "https"
    query_added = (parts.query + "&" if parts.query else "") + "x=1"
    variants = [
        NearMiss("trailing-slash-removed", _with(parts, path=path.rstrip("/")), registered, "the trailing slash removed")
        if path.endswith("/") and path != "/"
        else NearMiss("trailing-slash-added", _with(parts, path=path + "/"), registered, "a trailing slash added"),
        NearMiss("extra-path-segment", _with(parts, path=path.rstrip("/") + "/extra"), registered,
                 "the registered URI as a prefix of a longer path"),
        NearMiss("path-prefix", _with(parts, path=path.rstrip("/")[:-1] or "/x"), registered,
                 "a prefix of the registered path"),
        NearMiss("path-case", _with(parts, path=path.swapcase()), registered, "the path's case changed (case-sensitive)"),
        NearMiss("other-port", _with(parts, netloc=_netloc(host, _port(parts) + 1)), registered, "another port"),
        NearMiss("other-scheme", _with(parts, scheme=other_scheme), registered, f"{other_scheme} for {parts.scheme}"),
        NearMiss("query-added", _with(parts, query=query_added), registered, "a query parameter added"),
        NearMiss("userinfo-authority", _with(parts, netloc=_netloc(host, port, "attacker@")), registered,
                 "userinfo in the authority (https://x@host)"),
        NearMiss("registered-as-userinfo", _with(parts, netloc=_netloc(FOREIGN_HOST, port, parts.netloc + "@")),
                 registered, "the registered authority as the userinfo of a foreign host"),
        NearMiss("encoded-path", _with(parts, path=_encode_first_character(path)), registered,
                 "a percent-encoded path character"),
        NearMiss("dot-segment", _with(parts, path="/extra/.." + path), registered, "a dot-segment path (/extra/..)"),
        NearMiss("foreign-host", _with(parts, netloc=_netloc(FOREIGN_HOST, port)), registered,
                 "a completely unregistered URI"),
        NearMiss("scheme-case", _with(parts, scheme=parts.scheme.upper()), registered,
                 "the scheme in upper case (RFC 3986 §6.2.2.1: case-insensitive)", equivalent=True),
    ]
    if host and not _is_ip(host):
        variants.append(NearMiss("other-subdomain", _with(parts, netloc=_netloc("attacker." + host, port)), registered,
                                 "another subdomain"))
        if host != host.upper():
            variants.append(NearMiss("host-case", _with(parts, netloc=_netloc(host.upper(), port)), registered,
                                     "the host in upper case (RFC 3986 §6.2.2.1)", equivalent=True))
    if port is None and parts.scheme in _DEFAULT_PORTS:
        variants.append(NearMiss("explicit-default-port", _with(parts, netloc=_netloc(host, _DEFAULT_PORTS[parts.scheme])),
                                 registered, "the default port written out (RFC 3986 §6.2.3)", equivalent=True))
    return variants


def _query_variants(registered: str) -> list[NearMiss]:
    """The variants of a registered URI's own query (OIDF redirect-uri-query-*)."""
    parts = urlsplit(registered)
    return [
        NearMiss("query-removed", _with(parts, query=""), registered, "the registered query removed"),
        NearMiss("query-changed", _with(parts, query=parts.query + "-changed"), registered,
                 "the registered query's value changed"),
        NearMiss("query-extended", _with(parts, query=parts.query + "&x=1"), registered,
                 "a parameter added to the registered query"),
    ]


def _unregistered_port(variant: NearMiss, registered: set[str | None]) -> NearMiss:
    """The "other port" variant on the next port no registered URI uses (a tenant may have one
    callback port per worker registered)."""
    uri = variant.uri or ""
    while uri in registered:
        parts = urlsplit(uri)
        uri = _with(parts, netloc=_netloc(parts.hostname or "", _port(parts) + 1))
    return replace(variant, uri=uri)


def near_misses(registered: Sequence[str], other_clients: Sequence[str] = ()) -> list[NearMiss]:
    """Every redirect URI the client with ``registered`` URIs must be refused, plus the equivalent ones.

    The scheme, authority and path variants come from its first registered URI; the query
    variants from the first one that has a query, whatever its position; one URI another
    client registered (``other_clients``) is not this client's (OAuth §3.1.2.2); and a
    request without ``redirect_uri`` is refused too: OIDC makes it REQUIRED, even with a
    single registered URI (Core §3.1.2.1). A variant that equals a registered URI, or an
    earlier variant, is left out: it is not a (new) miss.
    """
    first = registered[0]
    variants = _path_and_host_variants(first)
    with_query = next((uri for uri in registered if urlsplit(uri).query), None)
    if with_query is not None:
        variants += _query_variants(with_query)
    foreign = [uri for uri in other_clients if uri not in registered]
    if foreign:
        variants.append(NearMiss("other-client", foreign[0], foreign[0], "another client's registered redirect_uri"))
    variants.append(NearMiss("missing", None, first, "no redirect_uri (REQUIRED, Core §3.1.2.1)"))
    seen: set[str | None] = set(registered)
    variants = [_unregistered_port(v, seen) if v.id == "other-port" else v for v in variants]
    kept = []
    for variant in variants:
        if variant.uri is None or variant.uri not in seen:
            kept.append(variant)
            seen.add(variant.uri)
    return kept


def wildcard_cases(pattern: str) -> list[NearMiss]:
    """RURI-4 (Auth0 "Wildcards for Subdomains"): what a registered ``*`` in the leftmost host
    label matches — exactly one label — and the look-alikes it must not match."""
    parts = urlsplit(pattern)
    host, port = parts.hostname or "", parts.port
    parent = host.split(".", 1)[1]
    one_label = host.replace("*", "app", 1)
    other_scheme = "http" if parts.scheme == "https" else "https"
    return [
        NearMiss("one-level", _with(parts, netloc=_netloc(one_label, port)), pattern,
                 "one subdomain level in the wildcard's place", must_match=True),
        NearMiss("two-levels", _with(parts, netloc=_netloc(host.replace("*", "a.b", 1), port)), pattern,
                 "two subdomain levels in the wildcard's place"),
        NearMiss("bare-parent-domain", _with(parts, netloc=_netloc(parent, port)), pattern,
                 "the parent domain without any subdomain"),
        NearMiss("suffix-appended-host", _with(parts, netloc=_netloc(f"{one_label}.{FOREIGN_HOST}", port)), pattern,
                 "a matching host with a foreign domain appended"),
        NearMiss("wildcard-other-scheme", _with(parts, scheme=other_scheme, netloc=_netloc(one_label, port)), pattern,
                 f"{other_scheme} for {parts.scheme}"),
        NearMiss("wildcard-other-port", _with(parts, netloc=_netloc(one_label, _port(parts) + 1)), pattern,
                 "another port"),
    ]
