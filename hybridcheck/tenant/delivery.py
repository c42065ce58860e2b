"""Delivering an authorization response to the client by its response mode.

query / fragment: OAuth 2.0 Multiple Response Type Encoding Practices §2.1 (a 302 whose
Location carries the parameters form-encoded in the query or the fragment; a registered
redirect_uri keeps its own query, OAuth §3.1.2). form_post: Form Post Response Mode §2
(an auto-submitting HTML form, never cached).

With ``TenantConfig.authorization_response_iss`` every authorization response — success
or error, any mode — also carries ``iss``, the issuer exactly (RFC 9207 §2; RESP-6).
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

from starlette.responses import HTMLResponse, Response

from hybridcheck.tenant.context import Tenant
from hybridcheck.tenant.pages import form_post_page
from hybridcheck.tenant.responses import NO_STORE, redirect

# RFC 6749 §4.1.2.1: error_description uses %x20-21 / %x23-5B / %x5D-7E only.
_NOT_ALLOWED_IN_DESCRIPTION = re.compile(r'[^\x20-\x21\x23-\x5b\x5d-\x7e]')


def safe_description(text: str) -> str:
    """``text`` with every character RFC 6749 forbids in error_description replaced."""
    return _NOT_ALLOWED_IN_DESCRIPTION.sub("?", text.replace('"', "'"))


def response_url(redirect_uri: str, mode: str, params: dict[str, str]) -> str:
    """The redirect_uri with ``params`` added to its query (``mode="query"``) or fragment.

    The redirect_uri is used as a string, never re-serialised, so a registered query comes
    back unchanged. A fragment is only present under the ``fragment_kept_in_redirect_uri``
    defect; then fragment parameters are appended into it.
    """
    encoded = urlencode(params)
    if mode == "query":
        base, hash_sign, fragment = redirect_uri.partition("#")
        separator = "&" if "?" in base else "?"
        return f"{base}{separator}{encoded}{hash_sign}{fragment}"
    separator = "&" if "#" in redirect_uri else "#"
    return f"{redirect_uri}{separator}{encoded}"


def response_issuer(tenant: Tenant) -> str:
    """The ``iss`` of an authorization response: the issuer identifier exactly (RFC 9207 §2)."""
    if tenant.has_defect("authorization_response_iss_wrong"):
        return tenant.issuer.rstrip("/")
    return tenant.issuer


def deliver(tenant: Tenant, redirect_uri: str, mode: str, params: dict[str, str]) -> Response:
    """Send ``params`` to the client at ``redirect_uri`` by ``mode`` (query, fragment, form_post)."""
    if tenant.config.authorization_response_iss:
        params = {**params, "iss": response_issuer(tenant)}
    if tenant.has_defect("registered_query_dropped"):
        redirect_uri = redirect_uri.split("?", 1)[0]
    if mode == "form_post":
        if tenant.has_defect("form_post_as_query"):
            return redirect(response_url(redirect_uri, "query", params))
        headers = {} if tenant.has_defect("form_post_cacheable") else NO_STORE
        return HTMLResponse(form_post_page(redirect_uri, params), headers=headers)
    return redirect(response_url(redirect_uri, mode, params))
