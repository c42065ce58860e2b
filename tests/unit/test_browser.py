"""Which Chromium is launched, and the options for connecting to a Playwright server instead."""

import json

from hybridcheck.browser import server_connect_options


def test_launch_options_travel_in_the_drivers_camel_case_header():
    options = server_connect_options(
        "ws://grid:3000/", {"headless": True, "executable_path": "/usr/bin/chromium", "args": ["--no-sandbox"]}
    )
    assert options["endpoint"] == "ws://grid:3000/"
    sent = json.loads(options["headers"]["x-playwright-launch-options"])
    assert sent == {"headless": True, "executablePath": "/usr/bin/chromium", "args": ["--no-sandbox"]}


def test_the_driver_is_asked_for_a_bundled_chromium_only_where_playwright_installs_browsers(tmp_path, monkeypatch):
    import playwright.sync_api

    from hybridcheck import browser

    started = []
    monkeypatch.setattr(playwright.sync_api, "sync_playwright", lambda: started.append(1) or 1 / 0)
    monkeypatch.setenv("PLAYWRIGHT_BROWSERS_PATH", str(tmp_path))
    browser._bundled_executable.cache_clear()
    try:
        assert browser._bundled_executable() is None and started == []  # nothing installed there: no driver
        (tmp_path / "chromium-1200").mkdir()
        browser._bundled_executable.cache_clear()
        assert browser._bundled_executable() is None and started == [1]  # the driver is asked (and fails here)
    finally:
        browser._bundled_executable.cache_clear()
