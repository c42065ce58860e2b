"""The ``state`` parameter: echoed exactly, never invented, carried by errors (STATE-1 to STATE-3)."""

from __future__ import annotations

from urllib.parse import quote, quote_plus, unquote, unquote_plus

from hybridcheck.checks.base import fail
from hybridcheck.checks.views import describe
from hybridcheck.evidence import AuthorizationResponse


def _shown(value: str | None) -> str:
    """A state value with repr and length, so invisible differences show."""
    return "<absent>" if value is None else f"{value!r} ({len(value)} characters)"


def _diagnosis(sent: str, returned: str) -> str:
    """A hint at how ``returned`` was derived from ``sent``, when it is a known mistake."""
    if returned in (unquote(sent), unquote_plus(sent)):
        return "; it is the sent value percent-decoded once more"
    if returned in (quote(sent, safe=""), quote_plus(sent, safe="")):
        return "; it is the sent value percent-encoded once more"
    if sent.startswith(returned):
        return f"; it is the sent value truncated after {len(returned)} characters"
    return ""


def _state_mismatch(resp: AuthorizationResponse) -> str | None:
    """How the returned state differs from the sent one, or ``None`` when it is identical."""
    sent = resp.request.state
    if sent is None:
        raise ValueError("the request sent no state to compare with")
    returned = resp.params.get("state")
    if returned == sent:
        return None
    if returned is None:
        return f"{_shown(returned)}: {describe(resp)}"
    return _shown(returned) + _diagnosis(sent, returned)


def check_state_echoed(resp: AuthorizationResponse) -> None:
    """STATE-1: the response carries the request's ``state`` byte-for-byte (RFC 6749 §4.1.2).

    Shown with repr and length, with a hint when the value was decoded or encoded once
    more, or truncated.
    """
    mismatch = _state_mismatch(resp)
    if mismatch:
        fail("STATE-1", "state is returned exactly as sent", expected=_shown(resp.request.state), actual=mismatch)


def check_no_state_returned(resp: AuthorizationResponse) -> None:
    """STATE-2: a request without ``state`` gets no ``state`` back (RFC 6749 §4.1.2).

    Whether the response arrived at all is judged by other checks.
    """
    if resp.request.state is not None:
        raise ValueError("check_no_state_returned applies to requests sent without state")
    places = {"response": resp.params, "callback query": resp.query, "fragment": resp.fragment, "form": resp.form}
    found = {place: values["state"] for place, values in places.items() if "state" in values}
    if found:
        fail(
            "STATE-2",
            "no state is returned when none was sent",
            expected="no state parameter",
            actual=f"state in {found}",
        )


def check_error_carries_state(resp: AuthorizationResponse) -> None:
    """STATE-3: an error redirected to the client carries the request's ``state`` (RFC 6749 §4.1.2.1).

    Passes when nothing was redirected (an error page at the tenant, channel ``none``).
    """
    if resp.channel == "none":
        return
    if not resp.is_error:
        fail(
            "STATE-3",
            "an error response redirected to the client carries state",
            expected="an error response",
            actual=describe(resp),
        )
    mismatch = _state_mismatch(resp)
    if mismatch:
        fail(
            "STATE-3",
            "an error response redirected to the client carries state",
            expected=_shown(resp.request.state),
            actual=mismatch,
        )
