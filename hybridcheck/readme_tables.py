"""Generated documentation sections: the OIDF hybrid-plan mapping, "Proven against", the profile reference.

Nothing in them is edited in the docs by hand. ``python -m hybridcheck.readme_tables`` rewrites the
sections between ``<!-- generated:NAME -->`` and ``<!-- /generated:NAME -->``; each lives in
one file under ``docs/`` (:data:`SECTIONS`):

- ``oidf`` (``docs/oidf.md``): every module of the OpenID Foundation's hybrid plan (its
  module list is :data:`OIDF_MODULES`, in the plan's order) → the requirement IDs and suite
  tests carrying its ``@pytest.mark.oidf``, collected by pytest; modules that do not apply
  say why.
- ``profiles`` (``docs/profiles.md``): every property of ``schemas/tenant-profile.schema.json``
  (path such as ``callback.port``, type, default, description). Defaults come from the
  profile's section dataclasses (``hybridcheck.profile``), which own them; descriptions from
  the schema, which owns them.
- ``proven`` (``docs/proof.md``): the mutation matrix (``reports/mutation-matrix.json``) and
  the peers' results (``reports/peers/NAME/requirements.json``), as ``make proven`` leaves
  them; rewritten only with ``--proven``.

``--check`` exits 1 when the ``oidf`` or ``profiles`` section is out of date (the project's
tests run it).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import io
import json
import re
import sys
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from hybridcheck import profile as profile_module
from hybridcheck.deviations import Deviation
from hybridcheck.paths import REPORTS_DIR, ROOT, SCHEMA_DIR

DOCS_DIR = ROOT / "docs"
#: Each generated section and the file it lives in.
SECTIONS: dict[str, Path] = {
    "oidf": DOCS_DIR / "oidf.md",
    "proven": DOCS_DIR / "proof.md",
    "profiles": DOCS_DIR / "profiles.md",
}
#: The sections ``--check`` keeps up to date (``proven`` needs the reports of ``make proven``).
CHECKED = ("oidf", "profiles")
PROFILE_SCHEMA = SCHEMA_DIR / "tenant-profile.schema.json"

#: The modules of the OIDF hybrid plan (the OpenID Foundation's oidcc hybrid certification plan), in its order.
OIDF_MODULES = (
    "oidcc-server", "oidcc-response-type-missing", "oidcc-idtoken-signature", "oidcc-userinfo-get",
    "oidcc-userinfo-post-header", "oidcc-userinfo-post-body", "oidcc-ensure-request-without-nonce-fails",
    "oidcc-scope-profile", "oidcc-scope-email", "oidcc-scope-address", "oidcc-scope-phone", "oidcc-scope-all",
    "oidcc-ensure-other-scope-order-succeeds", "oidcc-display-page", "oidcc-display-popup", "oidcc-prompt-login",
    "oidcc-prompt-none-not-logged-in", "oidcc-prompt-none-logged-in", "oidcc-max-age-1", "oidcc-max-age-10000",
    "oidcc-ensure-request-with-unknown-parameter-succeeds", "oidcc-id-token-hint", "oidcc-login-hint",
    "oidcc-ui-locales", "oidcc-claims-locales", "oidcc-ensure-request-with-acr-values-succeeds", "oidcc-codereuse",
    "oidcc-codereuse-30seconds", "oidcc-ensure-registered-redirect-uri", "oidcc-server-client-secret-post",
    "oidcc-request-uri-unsigned", "oidcc-unsigned-request-object-supported-correctly-or-rejected-as-unsupported",
    "oidcc-ensure-request-object-with-redirect-uri", "oidcc-claims-essential", "oidcc-refresh-token",
    "oidcc-ensure-request-with-valid-pkce-succeeds",
)
#: Modules of the OIDF plans that do not apply to a tenant, and why.
NOT_APPLICABLE = {
    "oidcc-registration-* (dynamic client registration)":
        "tenants register clients in their own dashboard or API; the hybrid flow does not depend on RFC 7591 "
        "registration, and the OIDF runs these only for dynamically registered clients",
}


class _Collector:
    def __init__(self) -> None:
        self.items: list[tuple[str, tuple[str, ...], tuple[str, ...]]] = []

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        for item in items:
            modules = tuple(m.args[0] for m in item.iter_markers("oidf"))
            reqs = tuple(r for m in item.iter_markers("req") for r in m.args)
            function = item.nodeid.split("[", 1)[0]
            self.items.append((function, modules, reqs))


def oidf_table() -> str:
    collector = _Collector()
    with contextlib.redirect_stdout(io.StringIO()):
        code = pytest.main(["suites", "--collect-only", "-q", "-p", "no:cacheprovider", "-o",
                            "addopts=--strict-markers", "--tenant", "local"], plugins=[collector])
    if code != 0:
        raise RuntimeError(f"collecting the suites failed (pytest exit {code})")
    tests: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    reqs: dict[str, set[str]] = defaultdict(set)
    for function, modules, req_ids in collector.items:
        for module in modules:
            tests[module][function.removeprefix("suites/")] += 1
            reqs[module].update(req_ids)
    rows = ["| OIDF module | requirements | suite tests (cases) |", "|---|---|---|"]
    for module in OIDF_MODULES:
        if module in tests:
            shown = "<br>".join(f"`{name}` ({count})" for name, count in sorted(tests[module].items()))
            rows.append(f"| `{module}` | {', '.join(sorted(reqs[module]))} | {shown} |")
        else:
            rows.append(f"| `{module}` | — | **not covered yet** |")
    rows += [f"| {module} | not applicable | {why} |" for module, why in NOT_APPLICABLE.items()]
    return "\n".join(rows)


def _peer_rows(peers_dir: Path) -> list[str]:
    rows = []
    for results in sorted(peers_dir.glob("*/requirements.json")):
        data = json.loads(results.read_text(encoding="utf-8"))
        by_test = {case["nodeid"]: case["outcome"] for entry in data.values() for case in entry["cases"]}
        outcomes: dict[str, int] = defaultdict(int)
        for outcome in by_test.values():  # a test verifying two requirements counts once
            outcomes[outcome] += 1
        tally = ", ".join(f"{outcomes[o]} {o}" for o in ("passed", "failed", "xfailed", "skipped") if outcomes[o])
        rows.append(f"| `{results.parent.name}` | {tally} |")
    return rows


def proven_table(reports: Path) -> str:
    lines = []
    matrix_path = reports / "mutation-matrix.json"
    if matrix_path.is_file():
        matrix: dict[str, Any] = json.loads(matrix_path.read_text(encoding="utf-8"))
        s = matrix["summary"]
        lines.append(
            f"Reference tenant: clean run {s['clean_passed']} passed, {s['clean_failed']} failed; "
            f"{s['defects']} planted defects, {s['killed'] + s['collateral']} killed "
            f"({s['collateral']} with collateral failures), {s['survived']} survived "
            f"({s['mode']} mode, {s['seconds']} s)."
        )
    peers = _peer_rows(reports / "peers")
    if peers:
        lines += ["", "| peer OP | suite result |", "|---|---|", *peers]
    return "\n".join(lines) or "(no results yet: run `make proven`)"


#: The dataclass that owns each profile section's defaults (``hybridcheck.profile``).
SECTION_CLASSES: dict[str, type] = {
    "launch": profile_module.Launch,
    "embedded": profile_module.EmbeddedSettings,
    "callback": profile_module.Callback,
    "clients.ROLE": profile_module.Client,
    "user": profile_module.TestUser,
    "login": profile_module.Login,
    "capabilities": profile_module.Capabilities,
    "api": profile_module.Api,
    "expectations": profile_module.Expectations,
    "deviations[]": Deviation,
    "timeouts": profile_module.Timeouts,
    "limits": profile_module.Limits,
}


def _resolved(node: Mapping[str, Any], defs: Mapping[str, Any]) -> dict[str, Any]:
    """``node`` with a ``$ref`` into ``$defs`` merged in (the node's own keys win)."""
    if "$ref" not in node:
        return dict(node)
    return {**defs[node["$ref"].rsplit("/", 1)[1]], **{k: v for k, v in node.items() if k != "$ref"}}


def _bounds(node: Mapping[str, Any]) -> str:
    low = (f"≥ {node['minimum']}" if "minimum" in node else f"> {node['exclusiveMinimum']}"
           if "exclusiveMinimum" in node else "")
    high = f"≤ {node['maximum']}" if "maximum" in node else ""
    shown = ", ".join(part for part in (low, high) if part)
    return f" ({shown})" if shown else ""


#: The pattern the schema gives a date (TOML writes it as a date literal: ``review_by = 2027-03-01``).
_DATE_PATTERN = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"


def _type(node: Mapping[str, Any], defs: Mapping[str, Any]) -> str:
    """A property's type in TOML words: table, array of ..., the enum's values, date, string ..."""
    if "enum" in node:
        return "one of " + ", ".join(f"`{json.dumps(v)}`" for v in node["enum"])
    kind = node.get("type")
    if kind == "array":
        items = _resolved(node.get("items", {}), defs)
        if items.get("type") == "object":
            return "array of tables"
        if "enum" in items:
            return "array of " + ", ".join(f"`{json.dumps(v)}`" for v in items["enum"])
        return f"array of {_type(items, defs)}s"
    if kind == "object":
        return "table"
    if kind == "string" and node.get("pattern") == _DATE_PATTERN:
        return "date"
    if kind == "string" and "anyOf" in node:
        consts = [f"`{json.dumps(option['const'])}`" for option in node["anyOf"] if "const" in option]
        return "string: " + ", ".join(consts) + " or an http(s) URL" if consts else "string"
    return f"{kind}{_bounds(node)}" if kind else "any"


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, tuple | list | frozenset | set):
        return "[" + ", ".join(_toml(v) for v in (sorted(value) if isinstance(value, frozenset | set) else value)) + "]"
    if isinstance(value, Mapping):
        return "{}" if not value else "{" + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + "}"
    return str(value)


def _default(section: str, key: str, required: bool) -> str:
    """``**required**``, the owning dataclass's default as TOML, or ``—`` (optional, no default)."""
    if required:
        return "**required**"
    cls = SECTION_CLASSES.get(section)
    fields = {f.name: f for f in dataclasses.fields(cls)} if cls else {}
    field = fields.get(key)
    if field is None:
        return "—"
    if field.default is not dataclasses.MISSING:
        return "—" if field.default is None else f"`{_toml(field.default)}`"
    if field.default_factory is not dataclasses.MISSING:
        return f"`{_toml(field.default_factory())}`"
    return "—"


def profile_properties(schema: Mapping[str, Any]) -> Iterator[tuple[str, str, str, str]]:
    """(path, type, default, description) of every property of the profile schema, depth first."""
    defs = schema.get("$defs", {})

    def walk(node: Mapping[str, Any], section: str) -> Iterator[tuple[str, str, str, str]]:
        required = set(node.get("required", ()))
        for key, raw in node.get("properties", {}).items():
            child = _resolved(raw, defs)
            path = f"{section}.{key}" if section else key
            described = child.get("description", "")
            items = child.get("items", {})
            if isinstance(items, Mapping) and items.get("description") and child.get("type") == "array":
                described = f"{described} Each: {items['description']}." if described else items["description"]
            yield path, _type(child, defs), _default(section, key, key in required), described
            yield from walk(child, path)
            extra = child.get("additionalProperties")
            if isinstance(extra, Mapping):
                role = f"{path}.ROLE"
                yield role, "table", "—", _resolved(extra, defs).get("description", "")
                yield from walk(_resolved(extra, defs), role)
            if isinstance(items, Mapping) and _resolved(items, defs).get("type") == "object":
                yield from walk(_resolved(items, defs), f"{path}[]")

    yield from walk(schema, "")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def profiles_table(schema_path: Path = PROFILE_SCHEMA) -> str:
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    rows = ["| property | type | default | description |", "|---|---|---|---|"]
    rows += [f"| `{path}` | {_cell(kind)} | {_cell(default)} | {_cell(text)} |"
             for path, kind, default, text in profile_properties(schema)]
    return "\n".join(rows)


def _replace(text: str, name: str, body: str, path: Path) -> str:
    pattern = re.compile(rf"(<!-- generated:{name} -->\n)(?:.*?\n)?(<!-- /generated:{name} -->)", re.S)
    if not pattern.search(text):
        raise RuntimeError(f"{_shown_path(path)} has no <!-- generated:{name} --> section")
    return pattern.sub(lambda m: m[1] + body + "\n" + m[2], text)


def _shown_path(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hybridcheck.readme_tables")
    parser.add_argument("--check", action="store_true",
                        help="exit 1 when a generated section (" + ", ".join(CHECKED) + ") is out of date")
    parser.add_argument("--proven", action="store_true", help="also rewrite the proven section from reports/")
    args = parser.parse_args(argv)
    builders: dict[str, Callable[[], str]] = {
        "oidf": oidf_table, "profiles": profiles_table, "proven": lambda: proven_table(REPORTS_DIR),
    }
    names = [*CHECKED, *(["proven"] if args.proven else [])]
    stale = []
    for path in dict.fromkeys(SECTIONS[name] for name in names):
        text = path.read_text(encoding="utf-8")
        updated = text
        for name in (n for n in names if SECTIONS[n] == path):
            updated = _replace(updated, name, builders[name](), path)
        if updated == text:
            continue
        if args.check:
            stale.append(_shown_path(path))
        else:
            path.write_text(updated, encoding="utf-8")
    if stale:
        print(f"out of date: {', '.join(stale)}: run python -m hybridcheck.readme_tables")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
