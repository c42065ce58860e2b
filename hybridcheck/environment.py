"""What produced a run: suite version and commit, tools, browser, tenant.

One mapping, written into report.html's Environment table, Allure's
``environment.properties`` and ``results.json``, so a report says which suite version
judged which tenant with which browser.
"""

from __future__ import annotations

import platform
import subprocess
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from hybridcheck.paths import ROOT


def package_version(name: str = "hybridcheck") -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def git_sha(directory: Path = ROOT) -> str:
    """The checkout's commit (``+dirty`` with uncommitted changes); an installed wheel has none."""
    if not (directory / ".git").exists():
        return "not a checkout"
    try:
        sha = subprocess.run(["git", "-C", str(directory), "rev-parse", "HEAD"], capture_output=True, text=True,
                             timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(directory), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return sha + ("+dirty" if dirty else "")


def run_environment(*, browser: str, tenant: str, issuer: str) -> dict[str, str]:
    """The run's environment, in the order a reader looks for it."""
    return {
        "tenant": tenant,
        "issuer": issuer,
        "hybridcheck": package_version(),
        "hybridcheck commit": git_sha(),
        "browser": browser,
        "Playwright": package_version("playwright"),
        "pytest": package_version("pytest"),
        "Python": platform.python_version(),
    }
