"""The requirement catalogue: the shared text of record, its copy in docs/ and the JSON mirror are
equal, and every suite ID is in it."""

import re

import pytest

from hybridcheck.paths import ROOT
from hybridcheck.requirements import DOCS_HEADER, catalogue, parse_catalogue

SHARED = ROOT.parent / "shared" / "REQUIREMENTS.md"
DOCS = ROOT / "docs" / "requirements.md"
MIRROR_COMMAND = "run: .venv/bin/python -m hybridcheck.requirements ../shared/REQUIREMENTS.md"


@pytest.mark.skipif(not SHARED.is_file(), reason="the shared REQUIREMENTS.md is not beside this checkout")
def test_the_docs_copy_is_the_shared_catalogue_verbatim():
    assert DOCS.read_text(encoding="utf-8") == DOCS_HEADER + SHARED.read_text(encoding="utf-8"), MIRROR_COMMAND


def test_the_json_mirror_is_the_catalogue_in_docs():
    assert parse_catalogue(DOCS.read_text(encoding="utf-8")) == catalogue(), MIRROR_COMMAND


def test_every_requirement_id_used_in_suites_exists():
    used = set()
    for path in (ROOT / "suites").glob("test_*.py"):
        for args in re.findall(r"mark\.req\(([^)]*)\)", path.read_text()):
            used.update(re.findall(r'"([A-Z]+-\d+)"', args))
    assert used, "no suite uses @pytest.mark.req"
    assert used <= set(catalogue()), sorted(used - set(catalogue()))
