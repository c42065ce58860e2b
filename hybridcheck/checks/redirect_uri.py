"""Exact redirect_uri matching and fragments: RURI-1..3, FRAG-1..2 (OAuth §3.1.2; RFC 9700 §4.1).

A refused redirect URI must leave the browser at the tenant: no navigation, redirect,
form POST or fetch may reach the URI sent, and no code or token may travel anywhere but
the tenant. Fragments never reach a server, so a redirect's target is judged by the
browser's requests (origin + path) and the tenant's ``Location`` headers, not only by
what the callback server received.
"""

from __future__ import annotations

from collections.abc import Sequence
from posixpath import normpath
from urllib.parse import unquote, urlsplit

from hybridcheck.checks.base import fail
from hybridcheck.checks.response import check_flow_succeeded, response_credentials
from hybridcheck.checks.views import CREDENTIALS, describe, masked, queries_holding
from hybridcheck.evidence import AuthorizationResponse, parse_form

#: What a response value may never leak into in fragment mode (FRAG-2): credentials and state.
_RESPONSE_VALUES = (*CREDENTIALS, "state")


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{(parts.hostname or '').lower()}" + (f":{parts.port}" if parts.port else "")


def _endpoint(url: str) -> tuple[str, str]:
    """Origin and normalised path (decoded, dot-segments removed): where a request really lands."""
    path = normpath(unquote(urlsplit(url).path or "/"))
    return origin(url), path.replace("//", "/")


def _tenant_origin(resp: AuthorizationResponse) -> str:
    return origin(resp.request.authorization_endpoint)


def _carries_credential(url: str, body: str | None) -> bool:
    parts = urlsplit(url)
    values = parse_form(parts.query) | parse_form(parts.fragment) | parse_form(body or "")
    return any(values.get(name) for name in CREDENTIALS)


def _leaks(resp: AuthorizationResponse) -> list[str]:
    """Every way the flow left the tenant: a redirect pointing away, a credential sent
    elsewhere, anything the client's callback server received."""
    tenant = _tenant_origin(resp)
    found = [
        f"HTTP {r.status} from {r.url} redirects to {r.headers['location']}"
        for r in resp.browser_responses
        if "location" in r.headers and origin(r.headers["location"]) not in (tenant, "://")
    ]
    found += [
        f"{r.method} {r.url} carries a credential"
        for r in resp.browser_requests
        if origin(r.url) != tenant and _carries_credential(r.url, r.post_data)
    ]
    found += [f"the callback server received {h.method} {h.path}" for h in resp.callback_hits]
    return found


def check_redirect_uri_refused(resp: AuthorizationResponse, sent: str | None, req_id: str = "RURI-2") -> None:
    """RURI-2: a near-miss (or missing) redirect_uri is refused and the browser is never sent to it.

    Passes only when no response reached the client, no request left the tenant for the
    URI sent (or any other), and no tenant redirect points away from the tenant.
    """
    rule = f"redirect_uri {sent!r} is refused, the browser never sent there"
    if resp.channel != "none":
        fail(req_id, rule, expected="an error at the tenant, no response at the client", actual=describe(resp))
    leaks = _leaks(resp)
    if sent is not None:
        target = _endpoint(sent)
        reached = [r.url for r in resp.browser_requests if _endpoint(r.url) == target]
        if reached:
            fail(req_id, rule, expected=f"no request to {sent}", actual=masked(resp, f"requests to {reached}"))
    if leaks:
        fail(req_id, rule, expected="every request stays at the tenant", actual=masked(resp, "; ".join(leaks)))


def check_refusal_shown_at_tenant(resp: AuthorizationResponse) -> None:
    """RURI-3: the refusal is an error shown by the tenant (no redirect); the page is the evidence."""
    tenant = _tenant_origin(resp)
    if resp.channel != "none" or origin(resp.final_url) != tenant:
        fail("RURI-3", "a refused redirect_uri shows an error at the tenant", expected=f"a page at {tenant}",
             actual=describe(resp))
    if not resp.page_text.strip():
        fail("RURI-3", "the tenant's refusal says something", expected="an error page with text",
             actual=f"an empty page at {resp.final_url}")


def check_equivalent_redirect_uri(resp: AuthorizationResponse, registered: str) -> None:
    """RURI-2 (equivalent URIs, RFC 3986 §6.2.2-3): refused, or delivered to the registered URI itself."""
    if resp.channel == "none":
        return
    hits = [(h.method, h.path) for h in resp.callback_hits]
    if _endpoint(resp.final_url) != _endpoint(registered):
        fail("RURI-2", "an equivalent redirect_uri delivers to the registered URI or is refused",
             expected=registered, actual=masked(resp, f"{resp.final_url} (callback hits {hits})"))


def check_registered_redirect_uri_used(resp: AuthorizationResponse) -> None:
    """RURI-1: the registered redirect_uri succeeds, and a registered query comes back unchanged (OAuth §3.1.2)."""
    check_flow_succeeded(resp, "RURI-1")
    sent = resp.request.redirect_uri or ""
    parts = urlsplit(sent)
    last = resp.callback_hits[-1]
    if last.path != parts.path:
        fail("RURI-1", "the response goes to the registered redirect_uri", expected=parts.path, actual=last.path)
    registered_query = parse_form(parts.query)
    received = parse_form(last.query)
    changed = {k: received.get(k, "<absent>") for k, v in registered_query.items() if received.get(k) != v}
    if changed:
        fail("RURI-1", "the registered query comes back unchanged", expected=registered_query, actual=changed)
    if resp.channel != "query" and last.query != parts.query:
        fail("RURI-1", "beside a fragment/form_post response the registered query is kept exactly",
             expected=parts.query, actual=masked(resp, last.query))


def check_client_fragment_not_returned(resp: AuthorizationResponse, client_fragment: str) -> None:
    """FRAG-1: a redirect_uri with ``#fragment`` is refused or the fragment dropped; it never comes back,
    and response values are never merged into it (OAuth §3.1.2; Auth0 removes it)."""
    if resp.channel == "none":
        return
    final_fragment = urlsplit(resp.final_url).fragment
    fragment_names = set(parse_form(client_fragment))
    if client_fragment in final_fragment or fragment_names & set(resp.fragment):
        fail("FRAG-1", "the client's fragment never comes back", expected=f"no {client_fragment!r} in the fragment",
             actual=masked(resp, f"final URL fragment {final_fragment!r}"))
    if resp.channel == "form_post" and final_fragment:
        fail("FRAG-1", "the form_post target carries no fragment", expected="no fragment",
             actual=masked(resp, final_fragment))


def check_fragment_only(resp: AuthorizationResponse, registered: Sequence[str]) -> None:
    """FRAG-2: in fragment mode response values are only in the fragment: never in the callback's
    query, in the query of any URL the browser visited on the way (a hop inside the tenant too),
    in a Referer, or in anything the callback server logged (MRT §2.1).

    ``state`` is judged everywhere but in visited URLs' queries: the request itself carries it.
    """
    check_flow_succeeded(resp, "FRAG-2")
    values = {resp.params[name] for name in _RESPONSE_VALUES if resp.params.get(name)}
    registered_queries = {urlsplit(uri).query for uri in registered}
    places = [(f"callback query of {h.method} {h.path}", h.query) for h in resp.callback_hits
              if h.query not in registered_queries]
    places += [(f"Referer of {h.method} {h.path}", h.headers.get("referer", "")) for h in resp.callback_hits]
    places += [(f"Referer of {r.method} {r.url}", r.referer or "") for r in resp.browser_requests]
    places += [(f"body of callback {h.method} {h.path}", h.body) for h in resp.callback_hits]
    leaked = [where for where, text in places if any(v in text or v in unquote(text) for v in values)]
    leaked += queries_holding(resp, response_credentials(resp))
    if leaked:
        fail("FRAG-2", "fragment-mode values appear only in the fragment", expected="nowhere else",
             actual=masked(resp, "; ".join(sorted(set(leaked)))))


def check_wildcard_match_delivered(resp: AuthorizationResponse, sent: str) -> None:
    """RURI-4: a URI the registered wildcard covers (one label in its place) succeeds, delivered there."""
    check_flow_succeeded(resp, "RURI-4")
    if _endpoint(resp.final_url) != _endpoint(sent):
        fail("RURI-4", "a one-level wildcard match is delivered to the URI sent", expected=sent,
             actual=masked(resp, resp.final_url))
