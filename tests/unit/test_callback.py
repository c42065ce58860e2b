"""The callback server records every request it receives, binds loopback only, and stops cleanly."""

import httpx

from hybridcheck.flows.callback import CALLBACK_MARKER_ID, CallbackServer


def test_records_get_and_form_post_with_headers_and_body():
    with CallbackServer() as server:
        mark = server.mark()
        with httpx.Client() as client:
            page = client.get(f"{server.origin}/callback?a=1&b=x%20y")
            client.post(f"{server.origin}/callback", data={"code": "abc", "state": "s t"})
        hits = server.hits_since(mark)
    assert CALLBACK_MARKER_ID in page.text and page.headers["cache-control"] == "no-store"
    assert [(h.method, h.path, h.query) for h in hits] == [("GET", "/callback", "a=1&b=x%20y"), ("POST", "/callback", "")]
    assert hits[1].body == "code=abc&state=s+t"
    assert hits[1].content_type == "application/x-www-form-urlencoded"


def test_binds_loopback_and_frees_the_port_on_stop():
    server = CallbackServer().start()
    assert server.origin.startswith("http://127.0.0.1:")
    server.stop()
    again = CallbackServer(port=int(server.origin.rsplit(":", 1)[1])).start()
    again.stop()
