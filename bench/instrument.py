"""What the bench measures with: machine load, named phases, the tenant's own time, and timed
wrappers around the library's public seams (a Playwright page and its locators, the login
recipe's ``perform_step``, ``AuthorizeFlow.run``).

Nothing here changes what the library does; every wrapper passes calls through unchanged.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import resource
import statistics
import threading
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import hybridcheck.tenant.server as tenant_server
from hybridcheck.flows.authorize import AuthorizeFlow
from hybridcheck.flows.callback import CallbackServer
from hybridcheck.flows.login import LoginRecipe
from hybridcheck.profile import Profile
from hybridcheck.redact import Redactor
from hybridcheck.session import authorize_flow

def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


# --- machine load: measured, not assumed ------------------------------------------------------


def _cpu_jiffies() -> int:
    """Busy jiffies of all CPUs since boot, from /proc/stat."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return sum(fields) - idle


def _cpu_s(who: int) -> float:
    ru = resource.getrusage(who)
    return ru.ru_utime + ru.ru_stime


@dataclasses.dataclass
class LoadMeter:
    """System-wide CPU busy time vs what our own process tree used, over one measured span."""

    hz: int = os.sysconf("SC_CLK_TCK")
    cores: int = os.cpu_count() or 1

    def __enter__(self) -> LoadMeter:
        self._busy0 = _cpu_jiffies()
        self._ours0 = _cpu_s(resource.RUSAGE_CHILDREN) + _cpu_s(resource.RUSAGE_SELF)
        self._t0 = time.perf_counter()
        self.load_before = os.getloadavg()[0]
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall_s = time.perf_counter() - self._t0
        self.busy_s = (_cpu_jiffies() - self._busy0) / self.hz
        self.ours_s = _cpu_s(resource.RUSAGE_CHILDREN) + _cpu_s(resource.RUSAGE_SELF) - self._ours0
        self.load_after = os.getloadavg()[0]

    @property
    def summary(self) -> dict[str, float]:
        capacity = self.wall_s * self.cores
        return {
            "cpu_busy_pct": round(100 * self.busy_s / capacity, 1) if capacity else 0.0,
            "cpu_ours_s": round(self.ours_s, 1),
            "cpu_others_s": round(max(0.0, self.busy_s - self.ours_s), 1),
            "loadavg_before": round(self.load_before, 2),
            "loadavg_after": round(self.load_after, 2),
        }


# --- named phases of one flow -----------------------------------------------------------------

_phases: Counter[str] = Counter()


@contextlib.contextmanager
def phase(name: str) -> Iterator[None]:
    """Add the time spent inside to phase ``name`` (phases of one flow: see :func:`take_phases`)."""
    t0 = time.perf_counter()
    try:
        yield
    finally:
        _phases[name] += time.perf_counter() - t0


def clear_phases() -> None:
    _phases.clear()


def phases() -> dict[str, float]:
    """The seconds per phase since :func:`clear_phases`."""
    return dict(_phases)


def split_flow(record: dict[str, Any]) -> None:
    """``flow_other``: AuthorizeFlow.run beyond its timed steps (watcher, evidence, locator counts);
    ``authorizer_other``: Authorizer.run beyond page creation, the flow and redaction."""
    record["flow_other"] = record.get("flow_run", 0.0) - sum(
        record.get(k, 0.0) for k in ("goto", "wait_marker", "login_step", "page_text"))
    if "flow" in record:
        record["authorizer_other"] = record["flow"] - sum(
            record.get(k, 0.0) for k in ("new_page", "flow_run", "redact"))


# --- the embedded tenant's own time, and redaction -------------------------------------------


class TenantClock:
    """Server-side handling time of the embedded tenant (its ASGI app, wrapped at build time)."""

    def __init__(self) -> None:
        self.total_s = 0.0
        self.requests = 0
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def installed(self) -> Iterator[TenantClock]:
        """Every tenant started inside is timed."""
        original = tenant_server.build_app

        def build_app(*args: Any, **kwargs: Any) -> Any:
            app = original(*args, **kwargs)
            stack = app.build_middleware_stack()

            async def timed(scope: Any, receive: Any, send: Any) -> None:
                t0 = time.perf_counter()
                try:
                    await stack(scope, receive, send)
                finally:
                    with self._lock:
                        self.total_s += time.perf_counter() - t0
                        self.requests += 1

            app.middleware_stack = timed
            return app

        tenant_server.build_app = build_app
        try:
            yield self
        finally:
            tenant_server.build_app = original

    def read(self) -> float:
        """Seconds the tenant spent handling requests so far."""
        with self._lock:
            return self.total_s


@contextlib.contextmanager
def timed_redaction() -> Iterator[None]:
    """``Redactor.scrub`` in its own phase, ``redact``."""
    original = Redactor.scrub

    def scrub(self: Any, text: str) -> str:
        with phase("redact"):
            return original(self, text)

    Redactor.scrub = scrub  # type: ignore[method-assign]
    try:
        yield
    finally:
        Redactor.scrub = original  # type: ignore[method-assign]


# --- a Playwright page whose waits are timed --------------------------------------------------


def _is_locator(value: Any) -> bool:
    return callable(getattr(value, "wait_for", None)) and callable(getattr(value, "or_", None))


def _unwrap(value: Any) -> Any:
    return value._target if isinstance(value, _Passthrough) else value


def _passing(method: Any) -> Any:
    """``method`` with wrapped locators in its arguments unwrapped and a locator it returns wrapped."""

    def call(*args: Any, **kwargs: Any) -> Any:
        result = method(*map(_unwrap, args), **{k: _unwrap(v) for k, v in kwargs.items()})
        return TimedLocator(result) if _is_locator(result) else result

    return call


class _Passthrough:
    """Everything not defined on the wrapper goes to the wrapped Playwright object; a locator
    it hands out comes back wrapped, so the waits on it are timed too."""

    def __init__(self, target: Any) -> None:
        self._target = target

    def __getattr__(self, name: str) -> Any:
        if name == "_target":  # not set yet (copy, pickle): no recursion
            raise AttributeError(name)
        value = getattr(self._target, name)
        if _is_locator(value):
            return TimedLocator(value)
        return _passing(value) if callable(value) else value

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self._target!r}>"


class TimedLocator(_Passthrough):
    """A Playwright locator: ``wait_for`` is phase ``wait_marker``, ``inner_text`` phase ``page_text``."""

    def wait_for(self, *args: Any, **kwargs: Any) -> Any:
        with phase("wait_marker"):
            return self._target.wait_for(*args, **kwargs)

    def inner_text(self, *args: Any, **kwargs: Any) -> Any:
        with phase("page_text"):
            return self._target.inner_text(*args, **kwargs)


class TimedPage(_Passthrough):
    """A Playwright page: ``goto`` is phase ``goto``; its locators are :class:`TimedLocator`."""

    def goto(self, *args: Any, **kwargs: Any) -> Any:
        with phase("goto"):
            return self._target.goto(*args, **kwargs)


# --- the flow and the login recipe, timed at their public methods -----------------------------


class TimedRecipe(LoginRecipe):
    """The profile's login recipe, unchanged, with each login step timed (``login_step``)."""

    def perform_step(self, page: Any, user: Any) -> bool:
        with phase("login_step"):
            return super().perform_step(page, user)


class TimedFlow(AuthorizeFlow):
    """The project's AuthorizeFlow, unchanged, with ``run`` timed (``flow_run``)."""

    def run(self, page: Any, request: Any, *, screenshot: bool = False) -> Any:
        with phase("flow_run"):
            return super().run(page, request, screenshot=screenshot)


def _fields(instance: Any) -> dict[str, Any]:
    return {f.name: getattr(instance, f.name) for f in dataclasses.fields(instance)}


def timed_flow(profile: Profile, callback: CallbackServer) -> TimedFlow:
    """The suite's flow for ``profile`` (``hybridcheck.session.authorize_flow``), timed; for ``open_session(flow=...)``."""
    flow = authorize_flow(profile, callback)
    return TimedFlow(**{**_fields(flow), "recipe": TimedRecipe(**_fields(flow.recipe))})
