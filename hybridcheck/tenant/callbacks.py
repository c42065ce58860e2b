"""Is a redirect_uri one of the client's callback URLs? (OAuth §3.1.2.3; Auth0.)

Correct behaviour: an exact string comparison with every registered callback, plus
Auth0's one-label subdomain wildcards (:mod:`hybridcheck.tenant.wildcards`, RURI-4).
The lax matchers real providers have shipped are defects, off by default (RURI-2, RURI-4).
"""

from __future__ import annotations

import posixpath
import re
from urllib.parse import urlsplit

from hybridcheck.tenant.config import ClientConfig
from hybridcheck.tenant.context import Tenant
from hybridcheck.tenant.wildcards import is_wildcard, wildcard_matches

_DOT_SEGMENT = re.compile(r"(^|/)\.\.?(/|$)")


def is_registered(tenant: Tenant, client: ClientConfig, uri: str) -> bool:
    """Whether ``uri`` (fragment already removed) is an allowed callback of ``client``.

    A wildcard entry matches only by the wildcard rules (its own text, ``*`` and all, is
    not a callback); an exact entry by string equality, or by a lax matcher's defect. Another
    client's callbacks are never this client's (OAuth §3.1.2.2: registered by the client).
    """
    if tenant.has_defect("other_client_redirect_uri_accepted") and any(
            uri in other.redirect_uris for other in tenant.config.clients):
        return True
    return any(_wildcard_match(tenant, uri, registered) if is_wildcard(registered)
               else uri == registered or _lax_match(tenant, uri, registered)
               for registered in client.redirect_uris)


def _wildcard_match(tenant: Tenant, uri: str, registered: str) -> bool:
    """RURI-4: one label in place of the ``*``; the two lax variants are defects."""
    return wildcard_matches(uri, registered,
                            any_depth=tenant.has_defect("wildcard_matches_any_depth"),
                            bare_domain=tenant.has_defect("wildcard_matches_bare_domain"))


def _lax_match(tenant: Tenant, uri: str, registered: str) -> bool:
    """The lax matchers real providers have shipped, one defect each (RURI-2); all off by default."""
    sent, reg = urlsplit(uri), urlsplit(registered)

    def same_but(**parts: str) -> bool:
        return sent._replace(**parts) == reg._replace(**parts)

    if tenant.has_defect("redirect_uri_prefix_match") and uri.startswith(registered):
        return True
    if tenant.has_defect("redirect_uri_trailing_slash_insensitive") and (
            sent._replace(path=sent.path.rstrip("/")) == reg._replace(path=reg.path.rstrip("/"))):
        return True
    if tenant.has_defect("redirect_uri_path_case_insensitive") and (
            sent._replace(path=sent.path.lower()) == reg._replace(path=reg.path.lower())):
        return True
    if tenant.has_defect("redirect_uri_query_ignored") and same_but(query=""):
        return True
    if tenant.has_defect("redirect_uri_port_ignored") and same_but(netloc="") and (
            _without_port(sent.netloc) == _without_port(reg.netloc)):
        return True
    if tenant.has_defect("redirect_uri_scheme_ignored") and same_but(scheme=""):
        return True
    if tenant.has_defect("redirect_uri_subdomain_wildcard") and same_but(netloc="") and (
            sent.netloc.endswith("." + reg.netloc)):
        return True
    if tenant.has_defect("redirect_uri_userinfo_accepted") and same_but(netloc="") and (
            sent.netloc.rpartition("@")[2] == reg.netloc):
        return True
    return tenant.has_defect("redirect_uri_dot_segments_normalised") and bool(_DOT_SEGMENT.search(sent.path)) and (
        sent._replace(path=posixpath.normpath(sent.path)) == reg)


def _without_port(netloc: str) -> str:
    return re.sub(r":[0-9]*$", "", netloc)
