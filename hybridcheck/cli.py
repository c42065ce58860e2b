"""``hybridcheck``: the suite from an installed package, in a team's own repository.

- ``hybridcheck run [--tenant PATH|NAME] [-- PYTEST ARGS]``: the conformance suite (default:
  the embedded reference tenant), reports into ``./reports``; pytest's exit code, 6 when
  the tenant is unavailable or misconfigured.
- ``hybridcheck init auth0``: a complete, commented Auth0 profile (``tenants/auth0.toml``)
  and a nightly workflow (``.github/workflows/hybridcheck-nightly.yml``) in this directory.
- ``hybridcheck tenant [ARGS]``: the reference tenant alone (``python -m hybridcheck.tenant``).
- ``hybridcheck summary [DIR]``: the results by requirement of a run, as Markdown.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

from hybridcheck.browser import ENV_BROWSER_WS, choose_chromium
from hybridcheck.environment import package_version
from hybridcheck.paths import EXAMPLES_DIR, PYTEST_INI, SUITES_DIR, TENANTS_DIR

#: pytest's exit code for a usage error: what a missing browser or a refused ``init`` is.
EXIT_USAGE = 4
#: What ``init`` writes (destination in the current directory → packaged source), per provider.
TEMPLATES = {
    "auth0": {
        Path("tenants/auth0.toml"): TENANTS_DIR / "auth0.example.toml",
        Path(".github/workflows/hybridcheck-nightly.yml"): EXAMPLES_DIR / "github" / "nightly.yml",
    },
}
NO_BROWSER = (
    "hybridcheck: no Chromium to drive: `playwright install chromium` could not download one and no system "
    "Chromium was found. Install one (Debian: apt-get install chromium chromium-headless-shell), or connect to "
    f"a Playwright server with --browser-ws-endpoint ws://HOST:PORT/ (or ${ENV_BROWSER_WS})."
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hybridcheck", description="OpenID Connect hybrid-flow conformance suite.")
    parser.add_argument("--version", action="version", version=f"hybridcheck {package_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = commands.add_parser("run", help="run the conformance suite (pytest arguments after --)")
    run.add_argument("--tenant", default="local",
                     help="tenant profile: a path to a TOML file or a name in ./tenants (default: the embedded 'local')")
    init = commands.add_parser("init", help="write a profile and a nightly workflow into this directory")
    init.add_argument("provider", choices=sorted(TEMPLATES))
    init.add_argument("--force", action="store_true", help="overwrite files that exist")
    commands.add_parser("tenant", help="run the reference tenant alone (its options: hybridcheck tenant -- --help)")
    summary = commands.add_parser("summary", help="a run's results by requirement as Markdown (a CI job summary)")
    summary.add_argument("reports", nargs="?", default="reports", type=Path, help="the reports directory (default: reports)")
    return parser


def _has_browser(pytest_args: list[str]) -> bool:
    """A Chromium exists, or ``playwright install chromium`` gets one, or a Playwright server gives it."""
    if os.environ.get(ENV_BROWSER_WS) or any(arg.startswith("--browser-ws-endpoint") for arg in pytest_args):
        return True
    if choose_chromium() is not None:
        return True
    try:
        subprocess.run([sys.executable, "-m", "playwright", "install", "chromium"], capture_output=True, timeout=300)
    except (OSError, subprocess.TimeoutExpired):
        return False
    choose_chromium.cache_clear()
    return choose_chromium() is not None


def run(tenant: str, pytest_args: list[str]) -> int:
    """The suite with the packaged ``pytest.ini`` (reports into ./reports); pytest's exit code."""
    import pytest

    if not _has_browser(pytest_args):
        print(NO_BROWSER, file=sys.stderr)
        return EXIT_USAGE
    return int(pytest.main([str(SUITES_DIR), "-c", str(PYTEST_INI), "--tenant", tenant, *pytest_args]))


def init(provider: str, force: bool, directory: Path) -> int:
    """Copy the provider's profile and workflow templates into ``directory``; refuse to overwrite."""
    written = TEMPLATES[provider]
    existing = [str(dest) for dest in written if (directory / dest).exists()]
    if existing and not force:
        print(f"hybridcheck init: {', '.join(existing)} exist(s); --force overwrites", file=sys.stderr)
        return EXIT_USAGE
    for dest, source in written.items():
        (directory / dest).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, directory / dest)
        print(f"wrote {dest}")
    print("next: fill in tenants/auth0.toml (its comments list the dashboard settings), export the secrets it names, "
          "then: hybridcheck run --tenant tenants/auth0.toml")
    return 0


def summary(reports: Path) -> int:
    from hybridcheck.history import load
    from hybridcheck.reporting import markdown_summary

    path = reports / "requirements.json"
    if not path.is_file():
        print(f"hybridcheck summary: {path} not found (a run with --reports-dir writes it)", file=sys.stderr)
        return EXIT_USAGE
    sys.stdout.write(markdown_summary(load(path)))
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    ours, passthrough = (argv[: argv.index("--")], argv[argv.index("--") + 1:]) if "--" in argv else (argv, [])
    if ours[:1] == ["tenant"]:
        from hybridcheck.tenant.__main__ import main as tenant_main

        return tenant_main(ours[1:] + passthrough)
    args = _parser().parse_args(ours)
    if args.command == "run":
        return run(args.tenant, passthrough)
    if args.command == "init":
        return init(args.provider, args.force, Path.cwd())
    return summary(args.reports)


if __name__ == "__main__":
    sys.exit(main())
