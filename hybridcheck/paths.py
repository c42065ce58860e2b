"""Where the project's files are: the one place that knows the layout of a checkout."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SUITES_DIR = ROOT / "suites"
SCHEMA_DIR = ROOT / "schemas"
TENANTS_DIR = ROOT / "tenants"
REPORTS_DIR = ROOT / "reports"
