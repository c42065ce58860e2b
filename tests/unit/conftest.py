"""The glue's pytester tests (``test_glue_*.py``): the real plugin, in-process, on a synthetic suite.

``suite`` writes test files into a ``suites/`` directory of the pytester sandbox, points the
plugin's ``SUITES_DIR`` there (so the run counts as a suite run: profile loaded, collection
policy on) and runs pytest in this process: no subprocess, no browser, no tenant (the
synthetic tests request none of the fixtures that start one).
"""

from __future__ import annotations

import importlib
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import hybridcheck.plugin as plugin
from hybridcheck import history, results
from hybridcheck.paths import ROOT
from hybridcheck.tenant.defects import ENV_VAR as ENV_DEFECTS
from hybridcheck.tenant.faults import ENV_VAR as ENV_FAULTS

# Imported here, before pytester snapshots sys.modules: each in-process run then reuses them
# (and their caches, such as the browser choice) instead of importing them again.
for _companion in plugin.pytest_plugins:
    importlib.import_module(_companion)

LOCAL_PROFILE = (ROOT / "tenants" / "local.toml").read_text(encoding="utf-8")


@dataclass
class SuiteRun:
    result: pytest.RunResult
    reports: Path

    @property
    def ret(self) -> int:
        return int(self.result.ret)

    @property
    def output(self) -> str:
        return self.result.stdout.str() + "\n" + self.result.stderr.str()

    def results(self) -> results.RunResult:
        return results.load(self.reports)

    def requirements(self) -> dict[str, Any]:
        return history.load(self.reports / "requirements.json")

    def collected(self) -> list[str]:
        """The node ids ``--collect-only -q`` listed."""
        return [line for line in self.result.stdout.lines if "::" in line and " " not in line.split("::")[0]]


class Suite:
    def __init__(self, pytester: pytest.Pytester) -> None:
        self.pytester = pytester
        self.dir = pytester.mkdir("suites")

    def write(self, name: str, source: str, directory: str = "suites") -> Path:
        path = self.pytester.path / directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source), encoding="utf-8")
        return path

    def profile(self, extra: str = "", *, replace: tuple[str, str] | None = None) -> str:
        """The local profile (the embedded tenant, never started here) with ``extra`` appended."""
        text = LOCAL_PROFILE.replace(*replace) if replace else LOCAL_PROFILE
        path = self.pytester.path / "profile.toml"
        path.write_text(text + textwrap.dedent(extra), encoding="utf-8")
        return str(path)

    def run(self, *args: str, tenant: str = "local", target: str | None = None) -> SuiteRun:
        reports = self.pytester.path / "reports"
        result = self.pytester.runpytest_inprocess(
            "-p", "no:playwright",  # its soft-assertion scope does not nest inside this run's
            "-p", "no:cacheprovider",
            "-p", "hybridcheck.plugin",
            "-W", "ignore::pytest.PytestAssertRewriteWarning",
            "--no-header",
            f"--reports-dir={reports}",
            *(["--tenant", tenant] if tenant else []),
            *args,
            target or str(self.dir),
        )
        return SuiteRun(result, reports)


@pytest.fixture
def suite(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> Suite:
    for name in (plugin.ENV_PROFILE, ENV_DEFECTS, ENV_FAULTS):
        monkeypatch.delenv(name, raising=False)
    made = Suite(pytester)
    monkeypatch.setattr(plugin, "SUITES_DIR", made.dir)
    return made
