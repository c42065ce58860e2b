"""The relying-party side: a real HTTP server on loopback that serves the redirect URIs.

``page.route()`` cannot see the target of an HTTP redirect, so responses are captured by
a server the browser really reaches. It records every request (method, path, query,
headers, form body). A fragment never reaches a server: the flow reads it from the
browser's URL. Every page it serves carries ``#hybridcheck-callback`` so a flow can wait
for "the browser is back at the client" with one locator.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from hybridcheck.evidence import CallbackHit

CALLBACK_MARKER_ID = "hybridcheck-callback"
_PAGE = (
    "<!doctype html><html><head><meta charset='utf-8'><title>hybridcheck callback</title></head>"
    f"<body><p id='{CALLBACK_MARKER_ID}'>hybridcheck: response received by the client</p></body></html>"
).encode()
_MAX_BODY = 1 << 20


class _Handler(BaseHTTPRequestHandler):
    server: "_RecordingServer"

    def _record_and_answer(self) -> None:
        length = min(int(self.headers.get("content-length") or 0), _MAX_BODY)
        body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        parts = urlsplit(self.path)
        hit = CallbackHit(
            method=self.command,
            path=parts.path,
            query=parts.query,
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
        )
        self.server.record(hit)
        content_type, body = self.server.published.get(parts.path, ("text/html; charset=utf-8", _PAGE))
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("Referrer-Policy", "no-referrer")
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _record_and_answer

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        """Silence the default stderr log: it would print codes and tokens."""


class _RecordingServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int]) -> None:
        super().__init__(address, _Handler)
        self._lock = threading.Lock()
        self._hits: list[CallbackHit] = []
        self.published: dict[str, tuple[str, bytes]] = {}

    def record(self, hit: CallbackHit) -> None:
        with self._lock:
            self._hits.append(hit)

    def hits(self) -> list[CallbackHit]:
        with self._lock:
            return list(self._hits)


class CallbackServer:
    """A loopback HTTP server recording every request; ``origin`` is ``http://HOST:PORT``.

    ``host`` is what the redirect URIs say: an address is bound as it is; a name (``localhost``,
    or one the browser maps to 127.0.0.1) binds 127.0.0.1.
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        bind_host = host if host in ("127.0.0.1", "::1") else "127.0.0.1"
        self._server = _RecordingServer((bind_host, port))
        self._thread = threading.Thread(target=self._server.serve_forever, name="hybridcheck-callback", daemon=True)
        display_host = f"[{host}]" if ":" in host else host
        self.origin = f"http://{display_host}:{self._server.server_address[1]}"
        #: Where a tenant on this machine reaches the server whatever name the browser maps (request_uri).
        self.bound_origin = f"http://{'[::1]' if bind_host == '::1' else bind_host}:{self._server.server_address[1]}"

    def __repr__(self) -> str:
        return f"<CallbackServer {self.origin}>"

    def start(self) -> "CallbackServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def publish(self, path: str, body: str, content_type: str) -> str:
        """Serve ``body`` at ``path`` (a request object for ``request_uri``, say); return its URL, by
        the bound address: the tenant fetches it itself, without the browser's host mapping."""
        self._server.published[path] = (content_type, body.encode("utf-8"))
        return self.bound_origin + path

    def mark(self) -> int:
        """A position in the log: :meth:`hits_since` returns what came after it."""
        return len(self._server.hits())

    def hits_since(self, mark: int) -> tuple[CallbackHit, ...]:
        return tuple(self._server.hits()[mark:])

    def __enter__(self) -> "CallbackServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
