"""Which Chromium the suite drives: Playwright's bundled build where installed, else Debian's.

`playwright install chromium` needs a CDN some machines cannot reach; Debian's
``chromium`` / ``chromium-headless-shell`` packages work with the flags below
(the bootstrap installs them where the download fails). ``python -m hybridcheck.browser`` prints the
choice and exits 1 when there is no browser at all.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

SYSTEM_FLAGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
)
_SYSTEM_HEADLESS = ("/usr/bin/chromium-headless-shell", "/usr/lib/chromium/headless_shell")
_SYSTEM_HEADED = ("/usr/bin/chromium", "/usr/bin/chromium-browser")


@dataclass(frozen=True)
class BrowserChoice:
    """A Chromium to launch: ``executable`` None means Playwright's bundled build."""

    label: str
    executable: str | None = None
    args: tuple[str, ...] = field(default=())
    version: str = "unknown version"  # what the executable's ``--version`` prints

    def launch_args(self) -> dict[str, object]:
        if self.executable is None:
            return {}
        return {"executable_path": self.executable, "args": list(self.args)}


def _browser_dirs() -> list[Path]:
    """Where ``playwright install`` puts browsers (Playwright's docs, "Managing browser binaries"):
    ``$PLAYWRIGHT_BROWSERS_PATH``, the package itself when that is ``0``, else the OS cache."""
    configured = os.environ.get("PLAYWRIGHT_BROWSERS_PATH")
    if configured == "0":
        import playwright

        return [Path(playwright.__file__).parent / "driver" / "package" / ".local-browsers"]
    if configured:
        return [Path(configured)]
    home = Path.home()
    return [home / ".cache" / "ms-playwright", home / "Library" / "Caches" / "ms-playwright",
            home / "AppData" / "Local" / "ms-playwright"]


def _any_chromium_installed() -> bool:
    return any(d.is_dir() and any(d.glob("chromium*")) for d in _browser_dirs())


@cache
def _bundled_executable() -> str | None:
    """The bundled Chromium's path, asked of Playwright's driver (a node process, ~1 s to start),
    only when a Chromium was installed where Playwright installs them."""
    if not _any_chromium_installed():
        return None
    try:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as pw:
            path = pw.chromium.executable_path
    except Exception:  # no driver, or a driver that cannot start: no bundled browser
        return None
    return path if Path(path).is_file() else None


def _first_existing(paths: tuple[str, ...]) -> str | None:
    return next((p for p in paths if Path(p).is_file() or shutil.which(p)), None)


def _version(executable: str) -> str:
    try:
        out = subprocess.run([executable, "--version"], capture_output=True, text=True, timeout=15).stdout
    except (OSError, subprocess.TimeoutExpired):
        return "unknown version"
    return out.strip() or "unknown version"


@cache
def choose_chromium(headless: bool = True) -> BrowserChoice | None:
    """The bundled Chromium if present, else the system one (headless shell when headless)."""
    bundled = _bundled_executable()
    if bundled:
        return BrowserChoice(label=f"Playwright bundled Chromium ({bundled})", version=_version(bundled))
    candidates = (*_SYSTEM_HEADLESS, *_SYSTEM_HEADED) if headless else _SYSTEM_HEADED
    system = _first_existing(candidates)
    if system is None:
        return None
    version = _version(system)
    return BrowserChoice(label=f"system {version} ({system})", executable=system, args=SYSTEM_FLAGS, version=version)


#: Where the browser comes from instead of a local launch: a Playwright server's ws:// URL.
ENV_BROWSER_WS = "HYBRIDCHECK_BROWSER_WS"


def ws_endpoint(option: str | None) -> str | None:
    """The Playwright server to use: the ``--browser-ws-endpoint`` value, else ``$HYBRIDCHECK_BROWSER_WS``."""
    return option or os.environ.get(ENV_BROWSER_WS) or None


def _camel(name: str) -> str:
    return re.sub(r"_([a-z])", lambda m: m.group(1).upper(), name)


def server_connect_options(ws_endpoint: str, launch_args: dict[str, object]) -> dict[str, object]:
    """``BrowserType.connect`` options for a Playwright server (``playwright run-server``).

    The server launches the browser itself, with the options of the
    ``x-playwright-launch-options`` header, in the driver's camelCase (pytest-playwright sends
    the Python names, which the server ignores). A server started without ``--unsafe`` drops
    ``args`` and ``executablePath`` and launches its own build with its defaults.
    """
    options = {_camel(key): value for key, value in launch_args.items()}
    return {"endpoint": ws_endpoint, "headers": {"x-playwright-launch-options": json.dumps(options)}}


def main() -> int:
    choice = choose_chromium()
    if choice is None:
        print("no Chromium: neither Playwright's bundled build nor Debian's chromium is installed")
        return 1
    print(choice.label)
    return 0


if __name__ == "__main__":
    sys.exit(main())
