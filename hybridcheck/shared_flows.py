"""One captured flow judged by many checks: the evidence tests that only read it share.

The OpenID Foundation's ``oidcc-server`` module runs one flow through many conditions; the
suite does the same per worker. A test that only reads the evidence of a request asks for
it through ``shared_authorize`` / ``shared_complete`` (the plugin's fixtures) instead of
``authorize`` / ``complete``: the first test of a worker to ask for a *request shape* runs the
flow, and every later test of that worker asking for the same shape judges that same evidence.
A shape is the cell, the client, the request's overrides and whether the browser carries the
SSO session; ``state``, ``nonce`` and PKCE values are fresh per flow. Tests that change state
(a code replayed, a refresh token rotated or revoked, a session re-authenticated), tests whose
request is their own, and tests that take a flow's tokens back to the tenant (UserInfo: its
answer depends on what happened since) keep asking ``authorize`` / ``complete``.

A shared flow captures its evidence at once, when it is made: the authorization response, the
exchange of its code, and what its first reader derives from it (:meth:`SharedFlows.derived`).
Later tests read; what other tests do to the tenant meanwhile (a replayed code revoking the
grant, say) cannot change what they judge.

The evidence is shared, the verdicts are not: each test applies its own preconditions with its
own requirement ID, so a flow that fails fails every test that judges it, each under its ID.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hybridcheck.evidence import AuthorizationResponse, HttpExchange, TokenResponse
from hybridcheck.matrix import FlowCase
from hybridcheck.target import Authorizer

#: What makes two requests the same for their evidence: cell, client, session, overrides.
Shape = tuple[FlowCase | None, str, bool, tuple[tuple[str, Any], ...]]


def shape_of(case: FlowCase | None, client: str, with_session: bool, overrides: dict[str, Any]) -> Shape:
    return case, client, with_session, tuple(sorted(overrides.items()))


@dataclass
class SharedFlow:
    """One shape's evidence: the authorization response and, once a test asked, its code's
    exchange and what was derived from it (:meth:`SharedFlows.derived`: a refresh, say)."""

    authorization: AuthorizationResponse
    tokens: TokenResponse | None = None  # the code's exchange, made with the flow; None without a code
    derived: dict[str, TokenResponse] = field(default_factory=dict)

    @property
    def exchanges(self) -> list[HttpExchange]:
        """The back-channel exchanges of this flow, for the reports."""
        responses = ([self.tokens] if self.tokens else []) + list(self.derived.values())
        return [response.exchange for response in responses]


@dataclass
class SharedFlows:
    """A worker's shared flows, by shape; ``authorizers`` runs them with or without the SSO session."""

    authorizers: Callable[[bool], Authorizer]
    exchange: Callable[[AuthorizationResponse, str], TokenResponse]
    flows: dict[Shape, SharedFlow] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"<SharedFlows {len(self.flows)} shapes>"

    def authorization(self, case: FlowCase | None, *, client: str = "main", with_session: bool = True,
                      **overrides: Any) -> SharedFlow:
        """The shape's flow, run now (and its code exchanged) if this worker has not run it yet."""
        shape = shape_of(case, client, with_session, overrides)
        if shape not in self.flows:
            response = self.authorizers(with_session)(case, client=client, **overrides)
            tokens = self.exchange(response, client) if "code" in response.params else None
            self.flows[shape] = SharedFlow(response, tokens)
        return self.flows[shape]

    def derived(self, authorization: AuthorizationResponse, name: str,
                compute: Callable[[], TokenResponse]) -> TokenResponse:
        """``compute()`` for the shared flow of ``authorization``, once per flow and ``name`` (the
        refresh of its refresh token, say); an authorization no test shares gets ``compute()``."""
        flow = next((f for f in self.flows.values() if f.authorization is authorization), None)
        if flow is None:
            return compute()
        if name not in flow.derived:
            flow.derived[name] = compute()
        return flow.derived[name]
