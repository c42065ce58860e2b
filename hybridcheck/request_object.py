"""Unsigned request objects (OIDC Core §6.1): the request's parameters as a JWT with ``alg: none``."""

from __future__ import annotations

import jwt

from hybridcheck.evidence import AuthorizationRequest


def unsigned_request_object(request: AuthorizationRequest, audience: str) -> str:
    """A request object carrying every parameter of ``request`` (``iss`` = client, ``aud`` = issuer).

    Unsigned (``alg: none``) as the OIDF modules oidcc-request-uri-unsigned and
    oidcc-unsigned-request-object-supported-correctly-or-rejected-as-unsupported send it;
    PyJWT writes the JWS, nothing is hand-rolled.
    """
    claims = {"iss": request.client_id, "aud": audience, **request.params()}
    return jwt.encode(claims, None, algorithm="none")
