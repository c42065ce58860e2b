"""The claims parameter and request objects: SESS-7, SESS-8 (Core §5.5, §6)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from hybridcheck.checks.base import fail
from hybridcheck.checks.views import describe
from hybridcheck.evidence import AuthorizationResponse

_UNSUPPORTED = frozenset({"request_not_supported", "request_uri_not_supported"})
#: How a request object travels → its Discovery §3 flag and that flag's default.
_CARRIER_FLAGS = {"value": ("request_parameter_supported", False), "reference": ("request_uri_parameter_supported", True)}


def unsigned_objects_not_offered(discovery: Mapping[str, Any], by: str) -> str | None:
    """Why an unsigned request object sent by ``by`` (``value``/``reference``) cannot be judged (SESS-8).

    A tenant that processes request objects (the Discovery §3 flag, with its default) but does
    not list ``none`` in ``request_object_signing_alg_values_supported`` may refuse an unsigned
    object as invalid (Core §6.1, §6.3.2): neither processing it nor ``request_not_supported``
    is owed. ``None`` when the object must be processed or refused as unsupported.
    """
    flag, default = _CARRIER_FLAGS[by]
    algs = discovery.get("request_object_signing_alg_values_supported")
    if discovery.get(flag, default) is True and "none" not in (algs or []):
        advertised = f"it lists {algs}" if algs is not None else "the member is absent"
        return (f"the tenant processes request objects ({flag}) but does not advertise 'none' in "
                f"request_object_signing_alg_values_supported ({advertised}): unsigned objects are not offered")
    return None


def check_claims_parameter_honoured(
    id_token_claims: Mapping[str, Any],
    userinfo: Mapping[str, Any],
    requested: Mapping[str, Mapping[str, Any]],
    user_claims: Mapping[str, Any],
) -> None:
    """SESS-7: claims asked for with the ``claims`` parameter come back where they were asked
    (``id_token`` → the ID token, ``userinfo`` → UserInfo), with the user's values (Core §5.5)."""
    places = {"id_token": id_token_claims, "userinfo": userinfo}
    for member, claims in requested.items():
        for name in claims:
            if name in user_claims and places[member].get(name) != user_claims[name]:
                fail("SESS-7", f"the claims parameter's {member} member is honoured (Core §5.5)",
                     expected={name: user_claims[name]}, actual={name: places[member].get(name, "<absent>")},
                     computed_from=f"{member} claims returned: {sorted(places[member])}")


def check_request_object_honoured(resp: AuthorizationResponse, inner_state: str, outer_state: str) -> None:
    """SESS-8: a request object is processed (its ``state`` wins over the outer one, Core §6.3.3)
    or refused as unsupported; never silently ignored."""
    if resp.is_error:
        if resp.params.get("error") in _UNSUPPORTED:
            return
        fail("SESS-8", "an unsupported request object is refused with request(_uri)_not_supported",
             expected=sorted(_UNSUPPORTED), actual=resp.params.get("error"))
    if resp.channel == "none":
        fail("SESS-8", "a request object is processed or refused to the client", expected="a response at the client",
             actual=describe(resp))
    state = resp.params.get("state")
    if state == outer_state:
        fail("SESS-8", "the request object is not ignored in favour of the outer parameters",
             expected=f"state from the object {inner_state!r}", actual=f"the outer state {outer_state!r}")
    if state != inner_state:
        fail("SESS-8", "the request object's parameters are used", expected=inner_state, actual=state)


def check_request_object_redirect_uri(resp: AuthorizationResponse, inner_redirect_uri: str) -> None:
    """SESS-8: a ``redirect_uri`` given only inside the request object is honoured (OIDF
    ensure-request-object-with-redirect-uri), or the object is refused as unsupported."""
    if resp.channel == "none" or resp.params.get("error") in _UNSUPPORTED:
        return  # refused: without the object's redirect_uri the tenant cannot redirect
    expected = urlsplit(inner_redirect_uri).path
    hit = resp.callback_hits[-1].path if resp.callback_hits else None
    if hit != expected or resp.is_error:
        fail("SESS-8", "a redirect_uri inside the request object is honoured", expected=inner_redirect_uri,
             actual=describe(resp))
