"""Generated README sections: the OIDF hybrid-plan mapping and "Proven against".

Nothing in them is typed by hand. ``python -m hybridcheck.readme_tables`` rewrites the
sections between ``<!-- generated:NAME -->`` and ``<!-- /generated:NAME -->``:

- ``oidf``: every module of the OpenID Foundation's hybrid plan (``shared/reference/
  oidf-hybrid-plan.md``) → the requirement IDs and suite tests carrying its
  ``@pytest.mark.oidf``, collected by pytest; modules that do not apply say why.
- ``proven``: the mutation matrix (``reports/mutation-matrix.json``) and the peers' results
  (``reports/peers/NAME/requirements.json``), as ``make proven`` leaves them.

``--check`` exits 1 when the ``oidf`` section is out of date (the project's tests run it).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import re
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from hybridcheck.paths import REPORTS_DIR, ROOT

README = ROOT / "README.md"

#: The hybrid plan's modules (oidf-hybrid-plan.md), in its order.
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


def _replace(text: str, name: str, body: str) -> str:
    pattern = re.compile(rf"(<!-- generated:{name} -->\n)(?:.*?\n)?(<!-- /generated:{name} -->)", re.S)
    if not pattern.search(text):
        raise RuntimeError(f"README.md has no <!-- generated:{name} --> section")
    return pattern.sub(lambda m: m[1] + body + "\n" + m[2], text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hybridcheck.readme_tables")
    parser.add_argument("--check", action="store_true", help="exit 1 when the oidf section is out of date")
    parser.add_argument("--proven", action="store_true", help="also rewrite the proven section from reports/")
    args = parser.parse_args(argv)
    text = README.read_text(encoding="utf-8")
    updated = _replace(text, "oidf", oidf_table())
    if args.proven:
        updated = _replace(updated, "proven", proven_table(REPORTS_DIR))
    if args.check:
        if updated != text:
            print("README.md's OIDF table is out of date: run python -m hybridcheck.readme_tables")
            return 1
        return 0
    README.write_text(updated, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
