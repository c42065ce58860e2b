"""Token endpoint and UserInfo calls (OAuth §4.1.3, §6; Core §3.1.3, §5.3), returning evidence."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import replace
from typing import Literal
from urllib.parse import quote

from hybridcheck.evidence import HttpExchange, TokenResponse
from hybridcheck.flows.http import BackChannel
from hybridcheck.flows.pacing import SharedBucket
from hybridcheck.profile import Client

UserInfoStyle = Literal["get-header", "post-header", "post-body"]


def client_authentication(client: Client, method: str | None = None) -> tuple[dict[str, str], dict[str, str]]:
    """Form fields and headers that authenticate ``client`` (OAuth §2.3.1).

    ``client_secret_basic`` form-encodes id and secret before base64 (RFC 6749 §2.3.1).
    """
    method = method or client.auth_method
    if method == "client_secret_basic":
        pair = f"{quote(client.client_id, safe='')}:{quote(client.client_secret, safe='')}"
        return {}, {"Authorization": "Basic " + base64.b64encode(pair.encode()).decode()}
    return {"client_id": client.client_id, "client_secret": client.client_secret}, {}


def one_client_per_auth_method(clients: Mapping[str, Client]) -> dict[str, str]:
    """The role of the first client (in profile order) for each auth method the clients use."""
    roles: dict[str, str] = {}
    for role, client in clients.items():
        roles.setdefault(client.auth_method, role)
    return roles


def with_wrong_secret(client: Client) -> Client:
    """``client`` with a secret the tenant never issued (the right one with a suffix)."""
    return replace(client, client_secret=client.client_secret + "-wrong")


def exchange_code(
    channel: BackChannel,
    token_endpoint: str,
    client: Client,
    code: str,
    redirect_uri: str | None,
    *,
    code_verifier: str | None = None,
    auth_method: str | None = None,
) -> TokenResponse:
    """``grant_type=authorization_code`` (OAuth §4.1.3); ``redirect_uri=None`` leaves it out."""
    form, headers = client_authentication(client, auth_method)
    form.update(grant_type="authorization_code", code=code)
    if redirect_uri is not None:
        form["redirect_uri"] = redirect_uri
    if code_verifier is not None:
        form["code_verifier"] = code_verifier
    return TokenResponse(channel.post_form(token_endpoint, form, headers))


def refresh(
    channel: BackChannel,
    token_endpoint: str,
    client: Client,
    refresh_token: str,
    *,
    scope: str | None = None,
    auth_method: str | None = None,
) -> TokenResponse:
    """``grant_type=refresh_token`` (OAuth §6); ``scope=None`` asks for the original scopes."""
    form, headers = client_authentication(client, auth_method)
    form.update(grant_type="refresh_token", refresh_token=refresh_token)
    if scope is not None:
        form["scope"] = scope
    return TokenResponse(channel.post_form(token_endpoint, form, headers))


def userinfo(channel: BackChannel, endpoint: str, access_token: str, style: UserInfoStyle) -> HttpExchange:
    """Call UserInfo the way ``style`` names (Core §5.3.1; RFC 6750 §2.1, §2.2)."""
    if style == "post-body":
        return channel.send("POST", endpoint, form={"access_token": access_token})
    headers = {"Authorization": f"Bearer {access_token}"}
    return channel.send("GET" if style == "get-header" else "POST", endpoint, headers=headers)


class TokenClient:
    """The back-channel calls of one target: token endpoint and UserInfo, by client role."""

    def __init__(
        self,
        channel: BackChannel,
        discovery: dict,
        clients: dict[str, Client],
        userinfo_pacer: SharedBucket | None = None,
    ) -> None:
        self.channel = channel
        self.userinfo_pacer = userinfo_pacer
        self.token_endpoint: str = discovery.get("token_endpoint", "")
        self.userinfo_endpoint: str = discovery.get("userinfo_endpoint", "")
        self._clients = clients

    def __repr__(self) -> str:
        return f"<TokenClient {len(self._clients)} clients>"

    def exchange(
        self,
        code: str,
        redirect_uri: str | None,
        *,
        client: str | Client = "main",
        code_verifier: str | None = None,
        auth_method: str | None = None,
    ) -> TokenResponse:
        """Exchange ``code`` as ``client`` (a role of the profile, or a :class:`Client` as given)."""
        return exchange_code(
            self.channel,
            self.token_endpoint,
            self._client(client),
            code,
            redirect_uri,
            code_verifier=code_verifier,
            auth_method=auth_method,
        )

    def refresh(
        self,
        refresh_token: str,
        *,
        scope: str | None = None,
        client: str | Client = "main",
        auth_method: str | None = None,
    ) -> TokenResponse:
        """Refresh as ``client``; ``scope=None`` asks for the original scopes."""
        return refresh(self.channel, self.token_endpoint, self._client(client), refresh_token, scope=scope,
                       auth_method=auth_method)

    def _client(self, client: str | Client) -> Client:
        return self._clients[client] if isinstance(client, str) else client

    def userinfo(self, access_token: str, style: UserInfoStyle = "get-header") -> HttpExchange:
        """Call UserInfo, first waiting for the tenant's published budget if the profile states one."""
        if self.userinfo_pacer is not None:
            self.channel.note_paced(self.userinfo_endpoint, self.userinfo_pacer.take())
        return userinfo(self.channel, self.userinfo_endpoint, access_token, style)
