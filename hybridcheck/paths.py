"""Where the project's files are: the one place that knows both layouts.

In a checkout the suites, schemas, profiles and ``pytest.ini`` sit at the top of the
repository (the layout the project was asked for). An installed wheel carries the same
files as package data under ``hybridcheck/bundle/`` (``pyproject.toml`` maps them there),
found through :mod:`importlib.resources`. Reports always go to the caller's directory.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

_PACKAGE = Path(str(files("hybridcheck")))
#: Whether this is an installed wheel (the files in its bundle) rather than a checkout.
INSTALLED = (_PACKAGE / "bundle").is_dir()
#: The suite's own files: the wheel's bundle, else the checkout the package sits in.
ROOT = _PACKAGE / "bundle" if INSTALLED else _PACKAGE.parent
SUITES_DIR = ROOT / "suites"
SCHEMA_DIR = ROOT / "schemas"
TENANTS_DIR = ROOT / "tenants"
PYTEST_INI = ROOT / "pytest.ini"
EXAMPLES_DIR = ROOT / "examples"
#: The project tools' reports (mutation matrix, peers): the checkout's, or the caller's ``./reports``.
REPORTS_DIR = Path.cwd() / "reports" if INSTALLED else ROOT / "reports"
