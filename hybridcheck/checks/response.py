"""The authorization response: components, delivery by mode, refusals, error responses and the
raw response (RESP-1 to RESP-8)."""

from __future__ import annotations

import re
from collections import Counter
from urllib.parse import urlsplit

from hybridcheck.checks.base import fail, warn
from hybridcheck.checks.views import (
    CREDENTIALS,
    credential_sightings,
    describe,
    error_of,
    masked,
    queries_holding,
    query_credentials,
    urls_seen,
)
from hybridcheck.evidence import AuthorizationRequest, AuthorizationResponse, BrowserResponse, parse_form

#: What the RT's ``token`` asks for (Core §3.2.2.5); ``expires_in`` is OPTIONAL beside them.
_TOKEN_PARAMS = ("access_token", "token_type")
#: RFC 6749 §4.2.2 / Appendix A.14: ``expires-in = 1*DIGIT``, a lifetime in seconds.
_SECONDS = re.compile(r"[0-9]+")
_RESPONSE_TYPE_ERRORS = ("invalid_request", "unsupported_response_type")
_TOKEN_BEARING = frozenset({"token", "id_token"})
_FRONT_CHANNEL_CREDENTIALS = ("code", "id_token", "access_token")


def check_flow_succeeded(resp: AuthorizationResponse, req_id: str) -> None:
    """``req_id``: the response reached the client with a ``code`` and no ``error``.

    The success precondition of requirements such as SESS-5 and RURI-1, whose source
    (from the catalogue) is the one reported.
    """
    if resp.channel == "none":
        fail(
            req_id,
            "the authorization flow completes at the client",
            expected="a response at the redirect_uri",
            actual=describe(resp),
        )
    if resp.is_error:
        fail(
            req_id, "the authorization flow completes at the client", expected="a code, no error", actual=error_of(resp)
        )
    if not resp.params.get("code"):
        fail(req_id, "the authorization flow completes at the client", expected="a code", actual=describe(resp))


def _component_problems(resp: AuthorizationResponse) -> list[str]:
    """What makes the response's credentials differ from those its RT asks for."""
    rt = resp.request.response_type_values
    params = resp.params
    problems = [] if params.get("code") else ["no code"]
    if "id_token" in rt and not params.get("id_token"):
        problems.append("no id_token although the response type has id_token")
    if "id_token" not in rt and "id_token" in params:
        problems.append("an id_token the response type does not ask for")
    if "token" in rt:
        problems += [
            f"no {name} although the response type has token" for name in _TOKEN_PARAMS if not params.get(name)
        ]
        token_type = params.get("token_type")
        if token_type and token_type.lower() != "bearer":
            problems.append(f"token_type {token_type!r} is not Bearer (RFC 6750 §4, RFC 6749 §7.1)")
        expires_in = params.get("expires_in")
        if expires_in is not None and not _SECONDS.fullmatch(expires_in):
            problems.append(f"expires_in {expires_in!r} is not a number of seconds (RFC 6749 §4.2.2, §A.14)")
    else:
        problems += [f"{name} although the response type has no token" for name in _TOKEN_PARAMS if name in params]
    if "refresh_token" in params:
        problems.append("a refresh_token from the authorization endpoint (never allowed)")
    return problems


def check_response_components(resp: AuthorizationResponse) -> None:
    """RESP-1: exactly the credentials the response type asks for (Core §3.3.2.5).

    ``code`` always; ``id_token`` iff the RT has ``id_token``; ``access_token`` and
    ``token_type`` (Bearer, case-insensitive per RFC 6749 §5.1/§7.1) iff the RT has
    ``token``; ``expires_in`` is OPTIONAL ("RECOMMENDED", RFC 6749 §4.2.2), a number of
    seconds (``1*DIGIT``, §A.14) when present; never ``refresh_token``. Other parameters
    (``iss`` of RFC 9207, ``scope``, ``session_state``, ``state``) are allowed.
    """
    rule = "the authorization response carries exactly the requested credentials"
    if resp.channel == "none" or resp.is_error:
        fail(
            "RESP-1",
            rule,
            expected=f"a successful response for response_type {resp.request.response_type!r}",
            actual=error_of(resp) if resp.is_error else describe(resp),
        )
    problems = _component_problems(resp)
    if problems:
        fail(
            "RESP-1",
            rule,
            expected=f"the components of response_type {resp.request.response_type!r}",
            actual=f"{'; '.join(problems)} (parameters returned: {sorted(resp.params)})",
        )


def _redirect_query(resp: AuthorizationResponse) -> dict[str, str]:
    """The query the registered redirect_uri carries itself (returned unchanged, RURI-1)."""
    return parse_form(urlsplit(resp.request.redirect_uri or "").query)


def response_credentials(resp: AuthorizationResponse) -> list[str]:
    """The credential values the response delivered (code, ID token, access token ...)."""
    return [resp.params[name] for name in CREDENTIALS if resp.params.get(name)]


def _fragment_problems(resp: AuthorizationResponse) -> list[str]:
    """Parameters in the callback URL's query beyond the registered redirect_uri's own query,
    and response values in the query of any URL the browser visited (tenant hops included).

    The tenant may add nothing to the query in fragment mode, so any such parameter,
    whether it repeats a response parameter or not, is a response value in the wrong place.
    """
    own = _redirect_query(resp)
    problems = [f"{name} in the query of the callback URL" for name, value in resp.query.items()
                if own.get(name) != value]
    return problems + [f"a response value in {where}" for where in queries_holding(resp, response_credentials(resp))]


def _form_post_problems(resp: AuthorizationResponse) -> list[str]:
    """Form-post delivery faults: the POST itself, and credential values in any URL."""
    target = urlsplit(resp.request.redirect_uri or "")
    posts = [hit for hit in resp.callback_hits if hit.method == "POST"]
    problems = [] if len(posts) == 1 else [f"{len(posts)} POST requests to the callback, not one"]
    for hit in posts:
        if (hit.path, hit.query) != (target.path, target.query):
            problems.append(
                f"POST to {hit.path}{'?' + hit.query if hit.query else ''}, not to {target.path}"
                f"{'?' + target.query if target.query else ''}"
            )
        if hit.content_type.split(";")[0].strip().lower() != "application/x-www-form-urlencoded":
            problems.append(f"POST with content-type {hit.content_type!r}")
    credentials = [(name, resp.params[name]) for name in _FRONT_CHANNEL_CREDENTIALS if resp.params.get(name)]
    problems += [
        f"the {name} value in the URL {masked(resp, url)}"
        for url in urls_seen(resp)
        for name, value in credentials
        if value in url or value in parse_form(urlsplit(url).query).values()
    ]
    return problems


def check_delivered_by_mode(resp: AuthorizationResponse) -> None:
    """RESP-2 (RESP-3 when no response_mode was sent): the response arrived by the mode expected.

    MRT §2.1, §5 and FP §2. ``fragment``: the parameters are in the callback URL's
    fragment, nothing is added to its query beyond the registered redirect_uri's own, and
    no response value is in the query of any URL the browser visited on the way (a
    redirect hop inside the tenant too: MRT §2.1 "never in the query").
    ``form_post``: one POST of ``application/x-www-form-urlencoded`` to the exact
    redirect_uri (path and query), and no code or token value in any URL the browser
    requested. Without ``response_mode`` the hybrid default is the fragment (RESP-3).
    """
    request = resp.request
    req_id = "RESP-3" if request.response_mode is None else "RESP-2"
    expected = request.expected_mode
    rule = f"the response is delivered by {expected}" + ("" if request.response_mode else " (the default)")
    if resp.channel != expected:
        fail(
            req_id,
            rule,
            expected=f"channel {expected}",
            actual=describe(resp),
            computed_from=f"response_mode {request.response_mode!r}, response_type {request.response_type!r}",
        )
    if expected == "fragment":
        problems = _fragment_problems(resp)
    elif expected == "form_post":
        problems = _form_post_problems(resp)
    else:
        problems = []
    if problems:
        fail(
            req_id,
            rule,
            expected=f"every parameter by {expected} only",
            actual="; ".join(problems),
            computed_from=f"redirect_uri {request.redirect_uri!r}",
        )


def _on_redirect_uri(url: str, redirect_uri: str) -> bool:
    """Whether ``url`` is the redirect_uri (scheme, host, port and path; query ignored)."""
    return urlsplit(url)[:3] == urlsplit(redirect_uri)[:3]


def form_post_page(resp: AuthorizationResponse) -> BrowserResponse | None:
    """The tenant document that carried the auto-submitting form, if it was recorded.

    The last 2xx document response before the first response on the redirect_uri (the
    callback's own answer to the POST) that is not itself on the redirect_uri; redirect
    hops (3xx) cannot carry a form. Without a recorded callback response, the last 2xx
    response off the redirect_uri.
    """
    redirect_uri = resp.request.redirect_uri or ""
    responses = list(resp.browser_responses)
    first_callback = next((i for i, r in enumerate(responses) if _on_redirect_uri(r.url, redirect_uri)), len(responses))
    candidates = [r for r in responses[:first_callback] if 200 <= r.status < 300]
    return candidates[-1] if candidates else None


def _cache_directives(page: BrowserResponse) -> list[str]:
    """The directive names of the page's Cache-Control header, lower-case."""
    value = next((v for k, v in page.headers.items() if k.lower() == "cache-control"), "")
    return [part.split("=")[0].strip().lower() for part in value.split(",") if part.strip()]


def check_form_post_not_cached(resp: AuthorizationResponse) -> None:
    """RESP-2 (a warning): the page carrying the form_post form is sent with ``Cache-Control: no-store``.

    The form holds the code and tokens; a cached copy would keep them. The Form Post spec
    does not demand the header (FP §2 only shows it in its example; Security BCP §4.3 is
    about leaks), so a missing one is a practice finding, a warning; the page is found
    by :func:`form_post_page`.
    """
    if resp.request.expected_mode != "form_post":
        raise ValueError(f"check_form_post_not_cached applies to form_post, not {resp.request.expected_mode}")
    page = form_post_page(resp)
    if page is None:
        warn(
            "RESP-2",
            "the form_post page is sent with Cache-Control: no-store",
            expected="a tenant page carrying the form",
            actual="no 2xx tenant document was recorded before the callback",
            computed_from=f"{len(resp.browser_responses)} browser responses",
            source="FP §2",
        )
        return
    directives = _cache_directives(page)
    if "no-store" not in directives:
        headers = {k: v for k, v in page.headers.items() if k.lower() in ("cache-control", "pragma", "expires")}
        warn(
            "RESP-2",
            "the form_post page is sent with Cache-Control: no-store",
            expected="Cache-Control: no-store",
            actual=f"cache headers {headers}",
            computed_from=f"the form page {masked(resp, page.url)}",
            source="FP §2",
        )


def check_query_mode_refused(resp: AuthorizationResponse) -> None:
    """RESP-4: ``response_mode=query`` with a token-bearing RT is never answered with tokens in the query.

    MRT §5 forbids the query for responses holding tokens (they would leak into logs and
    Referer headers; Security BCP §4.3). Passes when the tenant shows or returns an error,
    or accepts the request and answers in the fragment (the RT's default); fails when a
    code or token of any kind is a query parameter of any URL the browser requested, or
    a success came by another channel.
    """
    request = resp.request
    if request.response_mode != "query" or not _TOKEN_BEARING & request.response_type_values:
        raise ValueError("check_query_mode_refused needs response_mode=query with a token or id_token RT")
    rule = "response_mode=query with a token-bearing response type never puts tokens in the query"
    leaks = query_credentials(resp)
    if leaks:
        fail("RESP-4", rule, expected="no code or token in any query string", actual="; ".join(leaks))
    if resp.channel not in ("none", "fragment") and not resp.is_error:
        fail("RESP-4", rule, expected="an error, or the response in the fragment", actual=describe(resp))


def check_response_type_error(resp: AuthorizationResponse) -> None:
    """RESP-5: a missing or unsupported ``response_type`` gets an error, never a success.

    RFC 6749 §4.1.2.1 (``invalid_request`` / ``unsupported_response_type``); OIDF
    ResponseTypeMissing. An error page at the tenant (channel ``none``) passes too: with
    no valid response type there may be no safe way to redirect.
    """
    rule = "a missing or unsupported response_type gets an error"
    sightings = credential_sightings(resp)
    if sightings:
        fail(
            "RESP-5",
            rule,
            expected="no code or token anywhere",
            actual="; ".join(sightings),
            computed_from=f"response_type {resp.request.response_type!r}",
        )
    if resp.channel != "none" and resp.params.get("error") not in _RESPONSE_TYPE_ERRORS:
        fail(
            "RESP-5",
            rule,
            expected=f"error in {list(_RESPONSE_TYPE_ERRORS)}",
            actual=error_of(resp) if resp.is_error else describe(resp),
            computed_from=f"response_type {resp.request.response_type!r}",
        )


#: Parameters of a successful response beside its credentials (OAuth §4.2.2): never beside an
#: ``error``. Anything else is an extension parameter (OAuth §8.2, §11.2; ``session_state`` of
#: OIDC Session Management §3, ``iss`` of RFC 9207) and allowed.
_SUCCESS_COMPANIONS = ("token_type", "expires_in", "scope")
#: RFC 6749 §4.1.2.1: error and error_description use %x20-21 / %x23-5B / %x5D-7E only,
#: error_uri %x21 / %x23-5B / %x5D-7E (a URI-reference, no space).
_NQSCHAR = re.compile(r"[\x20-\x21\x23-\x5b\x5d-\x7e]*")
_ERROR_CHARSETS = {
    "error": _NQSCHAR,
    "error_description": _NQSCHAR,
    "error_uri": re.compile(r"[\x21\x23-\x5b\x5d-\x7e]*"),
}


def error_modes(request: AuthorizationRequest) -> frozenset[str]:
    """The response modes an error to ``request`` may come back by (MRT §5; FP §2).

    The mode asked (the RT's default without one). ``response_mode=query`` with a
    token-bearing RT is itself refused (RESP-4): its error may come by the query asked or
    by the RT's default, the fragment.
    """
    if request.response_mode == "query" and _TOKEN_BEARING & request.response_type_values:
        return frozenset({"query", "fragment"})
    return frozenset({request.expected_mode})


def why_no_error_response(resp: AuthorizationResponse, demanded_by: str) -> str | None:
    """Why ``resp`` holds no error response at the client to judge; ``None`` when it does.

    The precondition of the error-response rules (STATE-3, RESP-6, RESP-7, RESP-8): when the
    provoked error never came, the requirement that demanded it (``demanded_by``: NONCE-2,
    RESP-5, SESS-1 ...) reports that, once; these rules have nothing to judge.
    """
    if resp.channel == "none":
        return (f"no error response reached the client (the tenant kept the browser at {resp.final_url}); "
                f"{demanded_by} judges that outcome")
    if not resp.is_error:
        return f"the tenant answered without an error ({describe(resp)}); {demanded_by} judges that outcome"
    return None


def _error_shape_problems(resp: AuthorizationResponse) -> list[str]:
    """What makes an error response differ from OAuth §4.1.2.1 / Core §3.3.2.6 (RESP-7)."""
    modes = error_modes(resp.request)
    problems = [] if resp.channel in modes else [f"delivered by {resp.channel}, not by {' or '.join(sorted(modes))}"]
    if not resp.params.get("error"):
        problems.append("an empty error parameter")
    problems += [f"a credential: {where}" for where in credential_sightings(resp)]
    beside = [name for name in _SUCCESS_COMPANIONS if name in resp.params]
    if beside:
        problems.append(f"success parameters {beside} beside the error")
    for name, charset in _ERROR_CHARSETS.items():
        value = resp.params.get(name)
        if value is not None and not charset.fullmatch(value):
            bad = sorted({ch for ch in value if not charset.fullmatch(ch)})
            problems.append(f"{name} has characters RFC 6749 §4.1.2.1 does not allow: {bad!r}")
    return problems


def check_error_response_shape(resp: AuthorizationResponse) -> None:
    """RESP-7: an error response comes by the mode asked, carries ``error``, never a code or token,
    beside it only ``error_description``, ``error_uri``, ``state``, ``iss`` or extension parameters
    (``session_state`` ...), and uses only the characters RFC 6749 §4.1.2.1 allows.

    OAuth §4.1.2.1 (the parameters and their character sets), Core §3.3.2.6 (hybrid errors
    come back like the success would: the fragment, or form_post when asked, MRT §5/FP §2).
    """
    rule = "an error response comes by the mode asked with error and only the allowed companions"
    if resp.channel == "none" or not resp.is_error:
        fail("RESP-7", rule, expected="an error response at the client", actual=describe(resp))
    problems = _error_shape_problems(resp)
    if problems:
        fail("RESP-7", rule, expected=f"error by {' or '.join(sorted(error_modes(resp.request)))}, no success "
             "parameter, RFC 6749 characters", actual=masked(resp, "; ".join(problems)),
             computed_from=f"parameters {sorted(resp.params)}")


def check_no_repeated_parameters(resp: AuthorizationResponse) -> None:
    """RESP-8: no parameter appears more than once in the authorization response, success or error.

    OAuth §3.1 ("Request and response parameters MUST NOT be included more than once");
    Core §3.3.2.5. Judged on the raw pairs of the channel (fragment, form body or query),
    not on a dict made from them, which would hide a decoy ``code`` or ``state``.
    """
    rule = "no parameter appears more than once in the authorization response"
    if resp.channel == "none":
        fail("RESP-8", rule, expected="a response at the client", actual=describe(resp))
    counts = Counter(name for name, _ in resp.raw_pairs)
    repeated = {name: count for name, count in counts.items() if count > 1}
    if repeated:
        fail("RESP-8", rule, expected="each parameter once", actual=f"repeated: {repeated}",
             computed_from=masked(resp, f"the raw {resp.channel} pairs {[name for name, _ in resp.raw_pairs]}"),
             source="OAuth §3.1")


def check_authorization_response_iss(resp: AuthorizationResponse, issuer: str, *, advertised: bool) -> None:
    """RESP-6: where the response carries ``iss`` (or discovery advertises
    ``authorization_response_iss_parameter_supported``), it equals the issuer exactly (RFC 9207 §2).

    A response that carries an ID token may leave ``iss`` out even when advertised: the ID
    token's ``iss`` already identifies the issuer (RFC 9207 leaves such responses, like JARM
    ones, to the issuer inside the signed token), so only its absence elsewhere fails.
    """
    iss = resp.params.get("iss")
    if iss is None and (not advertised or "id_token" in resp.params):
        return
    if iss != issuer:
        fail("RESP-6", "the authorization response's iss is the issuer (RFC 9207 §2)", expected=issuer,
             actual=iss if iss is not None else "<absent, although discovery advertises it>")
