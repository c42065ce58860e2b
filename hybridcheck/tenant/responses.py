"""Small response helpers shared by the endpoints: no-store JSON and plain redirects."""

from __future__ import annotations

import string
from typing import Any
from urllib.parse import quote

from starlette.responses import JSONResponse, Response

# OAuth §5.1 (token responses), FP §2 / Security BCP (pages carrying credentials).
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def json_response(body: dict[str, Any], status_code: int = 200, headers: dict[str, str] | None = None) -> Response:
    """A JSON answer that is never cached."""
    return JSONResponse(body, status_code=status_code, headers={**NO_STORE, **(headers or {})})


def redirect(url: str) -> Response:
    """A 302 to ``url`` as given: only spaces, controls and non-ASCII are percent-encoded."""
    return Response(status_code=302, headers={"Location": quote(url, safe=string.punctuation)})
