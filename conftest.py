"""The suite's only opt-in: everything else (fixtures, options, markers, reports) is the plugin."""

pytest_plugins = ["hybridcheck.plugin"]
