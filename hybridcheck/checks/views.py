"""Read-only views of evidence that several checks share.

Where credentials showed up (response channels, any URL the browser visited, the
callback server's log), a short account of a response for failure messages with every
credential value replaced by its redaction fingerprint, and claim comparisons.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from hybridcheck.evidence import AuthorizationResponse, parse_form
from hybridcheck.redact import Redactor

#: Response parameters that are credentials: none may appear where it was not asked for.
CREDENTIALS = ("code", "id_token", "access_token", "refresh_token")
_PAGE_TEXT_SHOWN = 300


def urls_seen(resp: AuthorizationResponse) -> list[str]:
    """Every URL the browser requested, then the final URL."""
    return [request.url for request in resp.browser_requests] + [resp.final_url]


def _query_places(resp: AuthorizationResponse) -> list[tuple[str, Mapping[str, str]]]:
    """(where, parameters) of every query the browser sent or the callback server received, once each."""
    places: dict[str, Mapping[str, str]] = {}
    for url in urls_seen(resp):
        places.setdefault(f"the query of {url}", parse_form(urlsplit(url).query))
    for hit in resp.callback_hits:
        places.setdefault(f"the query of callback {hit.method} {hit.path}", parse_form(hit.query))
    return list(places.items())


def _other_places(resp: AuthorizationResponse) -> list[tuple[str, Mapping[str, str]]]:
    """(where, parameters) of the response channels, the final fragment and the callback bodies."""
    places: list[tuple[str, Mapping[str, str]]] = [
        ("the response parameters", resp.params),
        ("the callback fragment", resp.fragment),
        ("the form_post body", resp.form),
        ("the final URL's fragment", parse_form(urlsplit(resp.final_url).fragment)),
    ]
    return places + [
        (f"the body of callback {hit.method} {hit.path}", parse_form(hit.body)) for hit in resp.callback_hits
    ]


def _sightings(
    resp: AuthorizationResponse, places: Iterable[tuple[str, Mapping[str, str]]], names: Iterable[str]
) -> list[str]:
    """``"code, id_token in <where>"`` for each place holding a (non-empty) credential of ``names``."""
    wanted = tuple(names)
    found = []
    for where, values in places:
        present = [name for name in wanted if values.get(name)]
        if present:
            found.append(masked(resp, f"{', '.join(present)} in {where}"))
    return found


def query_credentials(resp: AuthorizationResponse, names: Iterable[str] = CREDENTIALS) -> list[str]:
    """Where a credential is a query parameter of a visited URL or of a callback hit."""
    return _sightings(resp, _query_places(resp), names)


def queries_holding(resp: AuthorizationResponse, values: Iterable[str]) -> list[str]:
    """Each visited URL (redirect hops at the tenant included) whose query holds one of ``values``,
    raw or percent-decoded, masked for messages."""
    wanted = [value for value in values if value]
    found = []
    for url in dict.fromkeys(urls_seen(resp)):
        query = urlsplit(url).query
        if any(value in query or value in parse_form(query).values() for value in wanted):
            found.append(masked(resp, f"the query of {url}"))
    return found


def credential_sightings(resp: AuthorizationResponse, names: Iterable[str] = CREDENTIALS) -> list[str]:
    """Every place a credential appears: response channels, any URL's query, fragment, callback bodies."""
    return _sightings(resp, _other_places(resp) + _query_places(resp), names)


def credential_values(resp: AuthorizationResponse) -> list[str]:
    """Every credential value the evidence holds, wherever it was seen."""
    sources = [values for _, values in _other_places(resp) + _query_places(resp)] + [resp.query]
    repeated = [value for name, value in resp.raw_pairs if name in CREDENTIALS and value]  # a decoy copy (RESP-8)
    return [values[name] for values in sources for name in CREDENTIALS if values.get(name)] + repeated


def masked(resp: AuthorizationResponse, text: str) -> str:
    """``text`` with every credential value of ``resp`` replaced by its redaction fingerprint.

    The fingerprint is the one reports use, so values stay comparable across a report.
    """
    redactor = Redactor()
    for value in credential_values(resp):
        redactor.add(value)
    return redactor.scrub(text)


def describe(resp: AuthorizationResponse) -> str:
    """One line on where the response went and what it carried (credentials masked)."""
    if resp.channel == "none":
        text = " ".join(resp.page_text.split())[:_PAGE_TEXT_SHOWN]
        account = f"no response reached the client; the browser stayed at {resp.final_url}; page text: {text!r}"
    else:
        account = f"channel {resp.channel}, parameters {resp.params}"
    return masked(resp, account)


def error_of(resp: AuthorizationResponse) -> str:
    """``error`` (and ``error_description``) of an error response, for messages."""
    description = resp.params.get("error_description")
    error = f"error={resp.params.get('error')!r}"
    return f"{error} error_description={description!r}" if description is not None else error


def claim_mismatches(claims: Mapping[str, Any], expected: Mapping[str, Any]) -> dict[str, Any]:
    """The expected claims that are absent or different, by name, with what was found."""
    absent = "<absent>"
    return {
        name: claims.get(name, absent)
        for name, value in expected.items()
        if name not in claims or claims[name] != value
    }
