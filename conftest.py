"""Root conftest: loads the hybridcheck plugin and points Playwright at a Chromium that exists.

pytest-playwright launches its bundled Chromium; where `playwright install` could not
download it, Debian's chromium (headless shell when headless) is launched instead with
the flags in shared/ARCHITECTURE.md § The browser.
"""

from typing import Any

import pytest

from hybridcheck.browser import choose_chromium
from hybridcheck.near_miss import FOREIGN_HOST

pytest_plugins = ["hybridcheck.reporting", "hybridcheck.plugin", "hybridcheck.xdist_exit"]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    choice = choose_chromium(headless=browser_type_launch_args.get("headless", True))
    if choice is None:
        pytest.exit("no Chromium found: run `make check` (it installs one) or `playwright install chromium`", 4)
    # A tenant that redirects to the near-miss "foreign host" reaches the callback server.
    resolver = f"--host-resolver-rules=MAP {FOREIGN_HOST} 127.0.0.1, MAP *.{FOREIGN_HOST} 127.0.0.1"
    args = [*browser_type_launch_args.get("args", []), resolver]
    if "channel" in browser_type_launch_args:  # --browser-channel chooses the browser itself
        return {**browser_type_launch_args, "args": args}
    launch = choice.launch_args()
    return {**browser_type_launch_args, **launch, "args": [*launch.get("args", []), *args]}
