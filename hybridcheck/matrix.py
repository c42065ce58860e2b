"""The response type × response mode matrix the suites run over (REQUIREMENTS.md, "Matrix").

Every case is always generated, so test ids are stable across tenants; what a profile
leaves out or a tenant does not advertise is skipped with the reason at run time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pytest

from hybridcheck.checks.discovery import unadvertised_reason
from hybridcheck.evidence import ProviderMetadata, response_type_values
from hybridcheck.profile import HYBRID_RESPONSE_TYPES, RESPONSE_MODES, Profile

RT_MARKERS = {
    "code id_token": "code_id_token",
    "code token": "code_token",
    "code id_token token": "code_id_token_token",
}


@dataclass(frozen=True)
class FlowCase:
    """One cell of the matrix: a hybrid response type and a response mode."""

    response_type: str
    response_mode: str  # "fragment" or "form_post"

    @property
    def id(self) -> str:
        return f"{self.response_type}-{self.response_mode}"

    @property
    def values(self) -> frozenset[str]:
        return response_type_values(self.response_type)

    @property
    def has_id_token(self) -> bool:
        return "id_token" in self.values

    @property
    def has_token(self) -> bool:
        return "token" in self.values


def cases(needs: Iterable[str] = (), lacks: Iterable[str] = (), modes: Iterable[str] = RESPONSE_MODES) -> list[FlowCase]:
    """The matrix cells whose RT contains every value of ``needs`` and none of ``lacks``."""
    needed, excluded, modes = set(needs), set(lacks), tuple(modes)
    return [
        FlowCase(rt, rm)
        for rt in HYBRID_RESPONSE_TYPES
        for rm in modes
        if needed <= response_type_values(rt) and not excluded & response_type_values(rt)
    ]


def as_params(selected: Iterable[FlowCase]) -> list[object]:
    """``pytest.param`` per case, carrying the RT and RM markers (``-m "code_token and form_post"``)."""
    return [
        pytest.param(
            case,
            id=case.id,
            marks=[getattr(pytest.mark, RT_MARKERS[case.response_type]), getattr(pytest.mark, case.response_mode)],
        )
        for case in selected
    ]


def unusable_reason(cell: FlowCase, profile: Profile, provider: ProviderMetadata) -> str | None:
    """Why ``cell`` cannot run here (profile capabilities, then discovery), or None."""
    caps = profile.capabilities
    if cell.response_type not in caps.response_types or cell.response_mode not in caps.response_modes:
        return f"profile {profile.name} does not test {cell.id} (capabilities)"
    return unadvertised_reason(provider.discovery, cell.response_type, cell.response_mode)
