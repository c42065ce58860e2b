"""What a test receives has a short repr that says what it is, never what it carries.

pytest prints a failing test's arguments with ``repr`` and shortens the middle, so a repr that
shows a response value leaks a piece of it past the value-based scrub.
"""

from types import SimpleNamespace

import httpx
import pytest

from hybridcheck.evidence import (
    AuthorizationRequest,
    AuthorizationResponse,
    BrowserRequest,
    BrowserResponse,
    CallbackHit,
    CompletedFlow,
    DecodedJwt,
    HttpExchange,
    TokenResponse,
)
from hybridcheck.flows.authorize import AuthorizeFlow
from hybridcheck.flows.http import BackChannel
from hybridcheck.flows.token import TokenClient
from hybridcheck.target import Authorizer, Target

SECRET = "c2VjcmV0LXZhbHVlLXRoYXQtbXVzdC1uZXZlci1zaG93"
JWT = f"eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.{SECRET}"


def _request() -> AuthorizationRequest:
    return AuthorizationRequest("http://op/authorize", "client", "http://rp/cb", "code id_token",
                                state=SECRET, nonce=SECRET, code_verifier=SECRET)


def _response() -> AuthorizationResponse:
    params = {"code": SECRET, "id_token": JWT}
    return AuthorizationResponse(
        _request(), "fragment", params, f"http://rp/cb#code={SECRET}", fragment=params, raw_channel=f"code={SECRET}",
        browser_requests=(BrowserRequest("GET", f"http://rp/cb#code={SECRET}", "document"),),
        callback_hits=(CallbackHit("POST", "/cb", "", {}, f"code={SECRET}"),), page_text=SECRET,
    )


def _tokens() -> TokenResponse:
    return TokenResponse(HttpExchange("POST", "http://op/token", {"authorization": f"Basic {SECRET}"},
                                      {"code": SECRET}, 200, {}, f'{{"access_token": "{SECRET}"}}'))


def _authorizer() -> Authorizer:
    target = Target(SimpleNamespace(name="local"), "http://op/", {"main": SimpleNamespace(client_secret=SECRET)})
    return Authorizer(target, SimpleNamespace(discovery={}), SimpleNamespace(), lambda: None, [_response()])


HOLDERS = {
    "AuthorizationRequest": _request,
    "AuthorizationResponse": _response,
    "BrowserRequest": lambda: BrowserRequest("GET", f"http://rp/cb?code={SECRET}", "document", f"code={SECRET}"),
    "BrowserResponse": lambda: BrowserResponse(f"http://rp/cb?code={SECRET}", 302, {"location": SECRET}),
    "CallbackHit": lambda: CallbackHit("POST", "/cb", f"code={SECRET}", {"cookie": SECRET}, f"code={SECRET}"),
    "DecodedJwt": lambda: DecodedJwt.parse(JWT),
    "HttpExchange": lambda: _tokens().exchange,
    "TokenResponse": _tokens,
    "CompletedFlow": lambda: CompletedFlow(_response(), _tokens()),
    "Target": lambda: _authorizer().target,
    "Authorizer": _authorizer,
    "AuthorizeFlow": lambda: AuthorizeFlow(SimpleNamespace(), SimpleNamespace(), SimpleNamespace(password=SECRET)),
    "TokenClient": lambda: TokenClient(BackChannel(httpx.Client()), {}, {"main": SimpleNamespace(client_secret=SECRET)}),
}


@pytest.mark.parametrize("name", HOLDERS)
def test_repr_is_short_and_shows_no_value(name):
    shown = repr(HOLDERS[name]())
    assert shown.startswith(f"<{name}") and len(shown) < 120, shown
    assert not any(SECRET[i:i + 8] in shown for i in range(len(SECRET) - 7)), shown
