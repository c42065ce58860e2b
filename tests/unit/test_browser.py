"""Options for connecting to a Playwright server instead of launching a browser."""

import json

from hybridcheck.browser import server_connect_options


def test_launch_options_travel_in_the_drivers_camel_case_header():
    options = server_connect_options(
        "ws://grid:3000/", {"headless": True, "executable_path": "/usr/bin/chromium", "args": ["--no-sandbox"]}
    )
    assert options["endpoint"] == "ws://grid:3000/"
    sent = json.loads(options["headers"]["x-playwright-launch-options"])
    assert sent == {"headless": True, "executablePath": "/usr/bin/chromium", "args": ["--no-sandbox"]}
