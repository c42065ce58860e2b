"""Delivering an authorization response to the client by its response mode.

query / fragment: OAuth 2.0 Multiple Response Type Encoding Practices §2.1 (a 302 whose
Location carries the parameters form-encoded in the query or the fragment; a registered
redirect_uri keeps its own query, OAuth §3.1.2). form_post: Form Post Response Mode §2
(an auto-submitting HTML form, never cached).

With ``TenantConfig.authorization_response_iss`` every authorization response — success
or error, any mode — also carries ``iss``, the issuer exactly (RFC 9207 §2; RESP-6).
Every parameter is sent once (OAuth §3.1; RESP-8), and the browser goes straight from the
tenant to the client: no hop carries a response value in a query (MRT §2.1; RESP-2).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlencode

from starlette.responses import HTMLResponse, Response

from hybridcheck.tenant.callbacks import is_registered
from hybridcheck.tenant.context import Tenant
from hybridcheck.tenant.pages import error_response, form_post_page
from hybridcheck.tenant.responses import NO_STORE, redirect
from hybridcheck.tenant.store import new_secret_value

#: The tenant path of :func:`continue_hop` (a route of :mod:`hybridcheck.tenant.app`).
HOP_PATH = "u/continue"

# RFC 6749 §4.1.2.1: error_description uses %x20-21 / %x23-5B / %x5D-7E only.
# Oracle: deliberately not shared with the checks (checks/response.py keeps its own charset).
_NOT_ALLOWED_IN_DESCRIPTION = re.compile(r'[^\x20-\x21\x23-\x5b\x5d-\x7e]')


def safe_description(text: str) -> str:
    """``text`` with every character RFC 6749 forbids in error_description replaced."""
    return _NOT_ALLOWED_IN_DESCRIPTION.sub("?", text.replace('"', "'"))


def response_url(redirect_uri: str, mode: str, pairs: Iterable[tuple[str, str]]) -> str:
    """The redirect_uri with ``pairs`` added to its query (``mode="query"``) or fragment.

    The redirect_uri is used as a string, never re-serialised, so a registered query comes
    back unchanged. A fragment is only present under the ``fragment_kept_in_redirect_uri``
    defect; then fragment parameters are appended into it.
    """
    encoded = urlencode(list(pairs))
    if mode == "query":
        base, hash_sign, fragment = redirect_uri.partition("#")
        separator = "&" if "?" in base else "?"
        return f"{base}{separator}{encoded}{hash_sign}{fragment}"
    separator = "&" if "#" in redirect_uri else "#"
    return f"{redirect_uri}{separator}{encoded}"


def response_issuer(tenant: Tenant, *, error: bool) -> str:
    """The ``iss`` of an authorization response: the issuer identifier exactly (RFC 9207 §2)."""
    if tenant.has_defect("authorization_response_iss_wrong"):
        return tenant.issuer.rstrip("/")
    if error and tenant.has_defect("error_response_iss_wrong"):
        return tenant.endpoint("authorize")
    return tenant.issuer


def response_pairs(tenant: Tenant, params: dict[str, str]) -> list[tuple[str, str]]:
    """The parameters as sent: each name once (OAuth §3.1; RESP-8)."""
    pairs = list(params.items())
    if "code" in params and tenant.has_defect("duplicate_code_parameter"):
        pairs.insert(0, ("code", new_secret_value()))  # a decoy a first-value parser takes
    if "state" in params and tenant.has_defect("duplicate_state_parameter"):
        pairs.append(("state", params["state"]))
    return pairs


def deliver(tenant: Tenant, redirect_uri: str, mode: str, params: dict[str, str]) -> Response:
    """Send ``params`` to the client at ``redirect_uri`` by ``mode`` (query, fragment, form_post)."""
    if tenant.config.authorization_response_iss:
        params = {**params, "iss": response_issuer(tenant, error="error" in params)}
    if tenant.has_defect("registered_query_dropped"):
        redirect_uri = redirect_uri.split("?", 1)[0]
    pairs = response_pairs(tenant, params)
    if mode == "form_post":
        if tenant.has_defect("form_post_as_query"):
            return redirect(response_url(redirect_uri, "query", pairs))
        headers = {} if tenant.has_defect("form_post_cacheable") else NO_STORE
        return HTMLResponse(form_post_page(redirect_uri, pairs), headers=headers)
    url = response_url(redirect_uri, mode, pairs)
    if mode == "fragment" and "code" in params and tenant.has_defect("code_in_tenant_hop_query"):
        return redirect(tenant.endpoint(HOP_PATH + "?" + urlencode({"code": params["code"], "to": url})))
    return redirect(url)


def continue_hop(tenant: Tenant, to: str | None) -> Response:
    """``GET /u/continue?to=URL``: the second leg of a tenant-internal redirect hop.

    Only the ``code_in_tenant_hop_query`` defect sends the browser here (with the code in
    this URL's query, against MRT §2.1); ``to`` must be a registered callback of a client,
    so the hop is never an open redirect.
    """
    base = (to or "").split("#", 1)[0]
    if not to or not any(is_registered(tenant, client, base) for client in tenant.config.clients):
        return error_response("invalid_request", "Unknown continuation.")
    return redirect(to)
