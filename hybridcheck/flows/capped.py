"""Bounded reads of back-channel answers: a tenant cannot make the suite read without end.

Discovery documents, JWK Sets, token and UserInfo responses are a few kilobytes. The
suite reads at most
:data:`MAX_BODY_BYTES` of any of them; a larger answer ends that exchange with
:class:`ResponseTooLarge`, whose message names the request, the cap and what was seen,
instead of holding megabytes in memory, in evidence and in every report.
"""

from __future__ import annotations

from typing import Any

import httpx

#: 1 MiB: a hundred times a large real answer, far below what would strain a run.
MAX_BODY_BYTES = 1024 * 1024


class ResponseTooLarge(Exception):
    """An answer whose body is larger than the cap; the message says which and how large."""


def _too_large(method: str, url: str, max_bytes: int, seen: str) -> ResponseTooLarge:
    return ResponseTooLarge(
        f"{method} {url}: response body larger than the suite's {max_bytes}-byte cap ({seen}); "
        "discovery, JWKS, token and UserInfo responses are a few kB"
    )


def request_capped(
    client: httpx.Client, method: str, url: str, *, max_bytes: int = MAX_BODY_BYTES, **kwargs: Any
) -> httpx.Response:
    """Send a request with ``client`` and read at most ``max_bytes`` of the (decoded) body.

    A ``Content-Length`` above the cap is refused before the body is read; otherwise the
    body is read in chunks and refused as soon as it passes the cap (a compressed body
    counts decoded). The returned response is fully read; its body is the decoded one,
    so ``Content-Encoding`` is left out of its headers. ``kwargs`` go to ``client.stream``.
    """
    with client.stream(method, url, **kwargs) as response:
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            raise _too_large(method, url, max_bytes, f"Content-Length: {declared}")
        body = bytearray()
        for chunk in response.iter_bytes():
            body += chunk
            if len(body) > max_bytes:
                raise _too_large(method, url, max_bytes, f"more than {max_bytes} bytes read, no Content-Length")
    headers = [(name, value) for name, value in response.headers.multi_items() if name.lower() != "content-encoding"]
    return httpx.Response(response.status_code, headers=headers, content=bytes(body), request=response.request)
