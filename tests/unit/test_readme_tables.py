"""The generated doc sections: each lives in its file under docs/, the OIDF and profile tables are
up to date, the profile reference covers every schema property, peer rows count tests."""

import json
import re
import subprocess
import sys

import pytest

from hybridcheck import readme_tables
from hybridcheck.paths import ROOT
from hybridcheck.readme_tables import CHECKED, PROFILE_SCHEMA, SECTIONS, _peer_rows, profile_properties, profiles_table


def test_generated_sections_are_up_to_date():
    result = subprocess.run([sys.executable, "-m", "hybridcheck.readme_tables", "--check"],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_each_section_lives_in_its_doc_file_and_nowhere_else():
    assert {name: path.relative_to(ROOT).as_posix() for name, path in SECTIONS.items()} == {
        "oidf": "docs/oidf.md", "proven": "docs/proof.md", "profiles": "docs/profiles.md",
    }
    assert set(CHECKED) == {"oidf", "profiles"}
    for name, path in SECTIONS.items():
        text = path.read_text(encoding="utf-8")
        assert text.count(f"<!-- generated:{name} -->") == 1 and text.count(f"<!-- /generated:{name} -->") == 1
    assert "<!-- generated:" not in (ROOT / "README.md").read_text(encoding="utf-8")


def _schema_paths(node, defs, section=""):
    """Every property path of the schema, walked independently of readme_tables."""
    node = {**defs[node["$ref"].rsplit("/", 1)[1]], **node} if "$ref" in node else node
    for key, child in node.get("properties", {}).items():
        path = f"{section}.{key}" if section else key
        child = {**defs[child["$ref"].rsplit("/", 1)[1]], **child} if "$ref" in child else child
        yield path
        yield from _schema_paths(child, defs, path)
        if isinstance(child.get("additionalProperties"), dict):
            yield f"{path}.ROLE"
            yield from _schema_paths(child["additionalProperties"], defs, f"{path}.ROLE")
        if child.get("type") == "array" and child.get("items", {}).get("type") == "object":
            yield from _schema_paths(child["items"], defs, f"{path}[]")


def test_profile_reference_lists_every_schema_property_with_a_description():
    schema = json.loads(PROFILE_SCHEMA.read_text(encoding="utf-8"))
    rows = {path: (kind, default, text) for path, kind, default, text in profile_properties(schema)}
    assert list(rows) == list(_schema_paths(schema, schema["$defs"]))
    assert {path for path, (_, _, text) in rows.items() if not text.strip()} == set()
    assert {"callback.port", "clients.ROLE.client_secret_env", "deviations[].review_by", "user.claims"} <= rows.keys()


def test_profile_reference_takes_defaults_from_the_profile_dataclasses_and_required_from_the_schema():
    rows = {path: (kind, default) for path, kind, default, _ in
            profile_properties(json.loads(PROFILE_SCHEMA.read_text(encoding="utf-8")))}
    assert rows["timeouts.navigation_ms"] == ("integer (≥ 100)", "`15000`")
    assert rows["capabilities.userinfo_post_body"] == ("boolean", "`true`")
    assert rows["clients.ROLE.auth_method"][1] == '`"client_secret_post"`'
    assert rows["callback.host"][1] == '`"127.0.0.1"`'
    assert rows["clients.ROLE.client_id"][1] == rows["issuer"][1] == "**required**"
    assert rows["organization"][1] == rows["embedded.rate_limit_per_second"][1] == "—"
    assert rows["deviations[].review_by"][0] == "date"
    assert rows["deviations"][0] == "array of tables"


def test_profile_reference_escapes_pipes_in_cells(tmp_path):
    schema = tmp_path / "s.json"
    schema.write_text(json.dumps({"type": "object", "properties": {"x": {"type": "string", "description": "a | b"}}}))
    assert profiles_table(schema).splitlines()[-1] == "| `x` | string | — | a \\| b |"


def test_check_names_the_stale_file_and_a_rewrite_fixes_it(tmp_path, monkeypatch, capsys):
    oidf, profiles = tmp_path / "oidf.md", tmp_path / "profiles.md"
    oidf.write_text("# OIDF\n<!-- generated:oidf -->\nold\n<!-- /generated:oidf -->\n")
    profiles.write_text("# Profiles\n<!-- generated:profiles -->\n<!-- /generated:profiles -->\ntail\n")
    monkeypatch.setattr(readme_tables, "SECTIONS", {"oidf": oidf, "profiles": profiles, "proven": tmp_path / "p.md"})
    monkeypatch.setattr(readme_tables, "oidf_table", lambda: "| new |")
    monkeypatch.setattr(readme_tables, "profiles_table", lambda: "| props |")
    assert readme_tables.main(["--check"]) == 1
    out = capsys.readouterr().out
    assert str(oidf) in out and str(profiles) in out
    assert "old" in oidf.read_text()
    assert readme_tables.main([]) == 0
    assert oidf.read_text() == "# OIDF\n<!-- generated:oidf -->\n| new |\n<!-- /generated:oidf -->\n"
    assert profiles.read_text() == (
        "# Profiles\n<!-- generated:profiles -->\n| props |\n<!-- /generated:profiles -->\ntail\n")
    assert readme_tables.main(["--check"]) == 0


def test_a_missing_section_names_the_file(tmp_path, monkeypatch):
    doc = tmp_path / "oidf.md"
    doc.write_text("no markers\n")
    monkeypatch.setattr(readme_tables, "SECTIONS", {**SECTIONS, "oidf": doc})
    monkeypatch.setattr(readme_tables, "oidf_table", lambda: "x")
    with pytest.raises(RuntimeError, match=re.escape(f"{doc} has no <!-- generated:oidf --> section")):
        readme_tables.main(["--check"])


def test_peer_row_counts_a_test_of_two_requirements_once(tmp_path):
    case = {"nodeid": "suites/test_x.py::test_a", "outcome": "passed"}
    other = {"nodeid": "suites/test_x.py::test_b", "outcome": "xfailed"}
    peer = tmp_path / "peers" / "some-op"
    peer.mkdir(parents=True)
    (peer / "requirements.json").write_text(json.dumps({"RURI-2": {"cases": [case]}, "RURI-3": {"cases": [case, other]}}))
    assert _peer_rows(tmp_path / "peers") == ["| `some-op` | 1 passed, 1 xfailed |"]
