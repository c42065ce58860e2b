"""The browser the suite drives: pytest-playwright's fixtures pointed at a Chromium that exists.

pytest-playwright launches its bundled Chromium; where `playwright install` could not
download it, Debian's chromium (headless shell when headless) is launched instead with
the flags in ARCHITECTURE.md § The browser. With ``--browser-ws-endpoint`` (or
``$HYBRIDCHECK_BROWSER_WS``) the browser comes from a Playwright server (a grid) instead,
launched there with the same options. Part of the plugin (``hybridcheck.plugin`` loads it).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from hybridcheck.browser import ENV_BROWSER_WS, choose_chromium, server_connect_options, ws_endpoint
from hybridcheck.keys import PROFILE_KEY
from hybridcheck.near_miss import FOREIGN_HOST
from hybridcheck.profile import Callback


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.getgroup("hybridcheck", "hybridcheck conformance suite").addoption(
        "--browser-ws-endpoint",
        default=None,
        metavar="URL",
        help=f"connect to this Playwright server (ws://HOST:PORT/) instead of launching a browser (default: ${ENV_BROWSER_WS})",
    )


def browser_ws_endpoint(config: pytest.Config) -> str | None:
    return ws_endpoint(config.getoption("--browser-ws-endpoint"))


def pytest_report_header(config: pytest.Config) -> list[str]:
    endpoint = browser_ws_endpoint(config)
    if endpoint is None:
        return []
    shown = urlsplit(endpoint)._replace(query="", fragment="").geturl()  # a grid token may ride in the query
    return [f"hybridcheck: browser from the Playwright server at {shown}"]


def host_resolver_rules(callback: Callback | None) -> str:
    """Chromium's host mapping: the near-miss "foreign host" (so a tenant that redirects there
    reaches the callback server) and a callback host *name* the profile registers, to 127.0.0.1."""
    names = [FOREIGN_HOST, f"*.{FOREIGN_HOST}"]
    if callback and not callback.loopback:  # and its subdomains: the "other subdomain" near miss
        names += [callback.host, f"*.{callback.host}"]
    return "--host-resolver-rules=" + ", ".join(f"MAP {name} 127.0.0.1" for name in names)


@pytest.fixture(scope="session")
def browser_type_launch_args(pytestconfig: pytest.Config, browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    choice = choose_chromium(headless=browser_type_launch_args.get("headless", True))
    if choice is None:
        pytest.exit("no Chromium found: run `make check` (it installs one) or `playwright install chromium`", 4)
    profile = pytestconfig.stash.get(PROFILE_KEY, None)
    resolver = host_resolver_rules(profile.callback if profile else None)
    args = [*browser_type_launch_args.get("args", []), resolver]
    if "channel" in browser_type_launch_args:  # --browser-channel chooses the browser itself
        return {**browser_type_launch_args, "args": args}
    launch = choice.launch_args()
    return {**browser_type_launch_args, **launch, "args": [*launch.get("args", []), *args]}


@pytest.fixture(scope="session")
def connect_options(pytestconfig: pytest.Config, browser_type_launch_args: dict[str, Any]) -> dict[str, Any] | None:
    """pytest-playwright connects instead of launching when this is not None."""
    endpoint = browser_ws_endpoint(pytestconfig)
    return server_connect_options(endpoint, browser_type_launch_args) if endpoint else None
