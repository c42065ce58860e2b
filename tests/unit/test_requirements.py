"""The requirement catalogue mirror equals shared/REQUIREMENTS.md, and every suite ID is in it."""

import re

import pytest

from hybridcheck.paths import ROOT
from hybridcheck.requirements import catalogue, parse_catalogue

SHARED = ROOT.parent / "shared" / "REQUIREMENTS.md"


@pytest.mark.skipif(not SHARED.is_file(), reason="shared/REQUIREMENTS.md is not beside this checkout")
def test_mirror_matches_the_shared_catalogue():
    assert parse_catalogue(SHARED.read_text(encoding="utf-8")) == catalogue(), (
        "run: .venv/bin/python -m hybridcheck.requirements ../shared/REQUIREMENTS.md"
    )


def test_every_requirement_id_used_in_suites_exists():
    used = set()
    for path in (ROOT / "suites").glob("test_*.py"):
        for args in re.findall(r"mark\.req\(([^)]*)\)", path.read_text()):
            used.update(re.findall(r'"([A-Z]+-\d+)"', args))
    assert used, "no suite uses @pytest.mark.req"
    assert used <= set(catalogue()), sorted(used - set(catalogue()))
