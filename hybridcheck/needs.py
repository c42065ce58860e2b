"""What a suite test needs of the tenant profile, as markers; unmet needs skip with one reason format.

    @pytest.mark.needs_capability("prompt_none")           # [capabilities] prompt_none is true
    @pytest.mark.needs_client("other")                     # [clients.other] is registered
    @pytest.mark.needs_client("main", redirect_uris=2)     # ... with at least 2 redirect_uris
    @pytest.mark.needs_clients(2)                          # at least 2 clients registered

On a parameter too: ``pytest.param("other", marks=pytest.mark.needs_client("other"))``.

The needs are judged in ``pytest_runtest_setup``, before any fixture starts a browser or a
tenant, against the run's profile (``config.stash[PROFILE_KEY]``; without one, as in the
project's own tests, nothing is skipped). The reason names the profile and the field:

    profile auth0-example: capabilities.prompt_none is false
    profile auth0-example: no [clients.other]
    profile auth0-example: clients.main has 1 redirect_uri, the test needs 2
    profile auth0-example: 1 client (main), the test needs 2

A capability name the profile format does not have (a typo) is a usage error at
collection, never a silent skip. Only facts the profile states are needs; what the tenant
advertises (discovery) or answers is judged by the test itself.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

import pytest

from hybridcheck.keys import PROFILE_KEY
from hybridcheck.profile import Capabilities, Profile

#: Marker name → help line (``pytest --markers``).
MARKERS = {
    "needs_capability": "needs_capability(*names): skip unless the profile's [capabilities] say true for each "
                        "(hybridcheck.needs)",
    "needs_client": "needs_client(role, redirect_uris=1): skip unless the profile registers [clients.<role>] "
                    "with at least that many redirect_uris (hybridcheck.needs)",
    "needs_clients": "needs_clients(count): skip unless the profile registers at least count clients "
                     "(hybridcheck.needs)",
}

#: The capabilities a test can need: the boolean fields of [capabilities]. (Response types
#: and modes are the matrix's: @pytest.mark.matrix.)
CAPABILITIES = tuple(f.name for f in dataclasses.fields(Capabilities) if f.type in (bool, "bool"))


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _usage_problem(marker: pytest.Mark) -> str | None:
    """What is wrong with one need marker's arguments, or None."""
    args, kwargs = marker.args, marker.kwargs
    if marker.name == "needs_capability":
        unknown = [name for name in args if name not in CAPABILITIES]
        if unknown or not args or kwargs:
            return (f"needs_capability{args}: unknown capabilities {unknown or list(args)} "
                    f"(known: {', '.join(CAPABILITIES)})")
    elif marker.name == "needs_client":
        uris = kwargs.get("redirect_uris", 1)
        if len(args) != 1 or not isinstance(args[0], str) or set(kwargs) - {"redirect_uris"} \
                or not isinstance(uris, int) or uris < 1:
            return f"needs_client{args} {kwargs}: takes one role and redirect_uris=N (N >= 1)"
    elif marker.name == "needs_clients":
        if len(args) != 1 or not isinstance(args[0], int) or args[0] < 1 or kwargs:
            return f"needs_clients{args}: takes one count (>= 1)"
    return None


def usage_problems(markers: Iterable[pytest.Mark]) -> list[str]:
    """What is wrong with these need markers' arguments (empty when nothing is)."""
    return [problem for marker in markers if (problem := _usage_problem(marker))]


def unmet(profile: Profile, markers: Iterable[pytest.Mark]) -> str | None:
    """The skip reason for the first need ``profile`` does not meet, or None when it meets them all."""
    where = f"profile {profile.name}"
    for marker in markers:
        if marker.name == "needs_capability":
            for name in marker.args:
                if not getattr(profile.capabilities, name):
                    return f"{where}: capabilities.{name} is false"
        elif marker.name == "needs_client":
            (role,), wanted = marker.args, marker.kwargs.get("redirect_uris", 1)
            client = profile.clients.get(role)
            if client is None:
                return f"{where}: no [clients.{role}]"
            if len(client.redirect_uris) < wanted:
                return (f"{where}: clients.{role} has {_plural(len(client.redirect_uris), 'redirect_uri')}, "
                        f"the test needs {wanted}")
        elif marker.name == "needs_clients":
            (wanted,) = marker.args
            if len(profile.clients) < wanted:
                return (f"{where}: {_plural(len(profile.clients), 'client')} ({', '.join(profile.clients)}), "
                        f"the test needs {wanted}")
    return None


def _needs(item: pytest.Item) -> list[pytest.Mark]:
    return [marker for name in MARKERS for marker in item.iter_markers(name)]


def pytest_configure(config: pytest.Config) -> None:
    for name, help_text in MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {help_text}")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A need that names no capability (a typo) or has bad arguments stops the run here."""
    problems = sorted({f"{item.nodeid}: {problem}" for item in items for problem in usage_problems(_needs(item))})
    if problems:
        raise pytest.UsageError("bad hybridcheck.needs markers:\n  " + "\n  ".join(problems))


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Skip before any fixture runs when the run's profile does not meet the test's needs."""
    profile = item.config.stash.get(PROFILE_KEY, None)
    if profile is None:
        return
    reason = unmet(profile, _needs(item))
    if reason:
        pytest.skip(reason)
