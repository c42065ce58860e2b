"""The registry type of the reference tenant's named switches: its defects and its faults.

A switch is a name the tenant checks at exactly one place (``TenantConfig.has_defect`` /
``has_fault``). Both kinds come from the same sources — the tenant's config, a profile, a
comma-separated environment variable — and are refused the same way when a name is
unknown: one error naming the unknown ones and listing the known ones.

Standard library only, and imported by nothing that starts a server: the suite checks the
names a profile or the environment gives (``hybridcheck.profile``) without loading the
tenant's web stack (Starlette, uvicorn).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar


class Named(Protocol):
    """What the registry needs of an entry."""

    @property
    def name(self) -> str: ...

    @property
    def description(self) -> str: ...


@dataclass(frozen=True)
class Switch:
    """A switch with nothing more to say than what it breaks (a fault)."""

    name: str
    description: str  # one line: what the tenant does wrong


class UnknownSwitchError(ValueError):
    """Names not in a registry; the message names them and lists the known ones."""

    def __init__(self, kind: str, unknown: list[str], known: Iterable[str], origin: str = "") -> None:
        self.kind = kind
        self.unknown = unknown
        where = f" {origin}" if origin else ""
        super().__init__(f"unknown {kind}(s){where}: {', '.join(unknown)}. Known {kind}s: {', '.join(sorted(known))}")


S = TypeVar("S", bound=Named)


class SwitchRegistry(Mapping[str, S], Generic[S]):
    """Name → entry, in declaration order, with the environment variable that names some of them."""

    def __init__(self, kind: str, env_var: str, entries: Iterable[S],
                 error: type[UnknownSwitchError] = UnknownSwitchError) -> None:
        self.kind = kind  # "defect", "fault": the word the error messages use
        self.env_var = env_var
        self.error = error
        self._entries: dict[str, S] = {}
        for entry in entries:
            if entry.name in self._entries:
                raise ValueError(f"{kind} {entry.name!r} registered twice")
            self._entries[entry.name] = entry

    def __getitem__(self, name: str) -> S:
        return self._entries[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"<SwitchRegistry {self.kind}s: {len(self)} ({self.env_var})>"

    def check_known(self, names: Iterable[str], origin: str = "") -> frozenset[str]:
        """``names`` as a frozenset; :attr:`error` (``origin`` in its message) when one is unknown."""
        names = frozenset(names)
        unknown = sorted(name for name in names if name not in self._entries)
        if unknown:
            raise self.error(self.kind, unknown, self._entries, origin)
        return names

    def parse(self, value: str | None, origin: str = "") -> frozenset[str]:
        """A comma-separated list of names; blank or ``None`` gives none."""
        return self.check_known((name.strip() for name in (value or "").split(",") if name.strip()), origin)

    def from_env(self, environ: Mapping[str, str] | None = None) -> frozenset[str]:
        """The names in :attr:`env_var` (none when it is unset)."""
        env = os.environ if environ is None else environ
        return self.parse(env.get(self.env_var), f"in {self.env_var}")
