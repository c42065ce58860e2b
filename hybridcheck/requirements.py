"""The requirement catalogue as data: ID → title, family and spec source.

The text of record is the project's shared ``REQUIREMENTS.md``, shipped in the repository as
``docs/requirements.md``; ``hybridcheck/data/requirements.json`` is its machine-readable
mirror. ``python -m hybridcheck.requirements PATH/REQUIREMENTS.md`` rewrites both, and the
tests keep the three equal.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path

MIRROR = Path(__file__).parent / "data" / "requirements.json"
#: The first line of ``docs/requirements.md``, above the verbatim catalogue.
DOCS_HEADER = ("> The requirement catalogue of record, shipped with the repository (`hybridcheck/data/requirements.json` "
               "mirrors it); copied verbatim below — the Auth0 tutorial it cites as a source is not part of the "
               "repository.\n\n")
_ROW = re.compile(r"^\|\s*(?P<id>[A-Z]+-\d+)\s*\|\s*(?P<title>.+?)\s*\|\s*(?P<source>[^|]+?)\s*\|\s*$")


@dataclass(frozen=True)
class Requirement:
    id: str
    title: str
    source: str

    @property
    def family(self) -> str:
        return self.id.split("-", 1)[0]


def parse_catalogue(markdown: str) -> dict[str, Requirement]:
    """Read the requirement tables of ``REQUIREMENTS.md``: one ``| ID | requirement | source |`` row each."""
    found: dict[str, Requirement] = {}
    for line in markdown.splitlines():
        match = _ROW.match(line)
        if match:
            found[match["id"]] = Requirement(match["id"], match["title"], match["source"])
    return found


@cache
def catalogue() -> dict[str, Requirement]:
    """The mirrored catalogue, loaded once."""
    rows = json.loads(MIRROR.read_text(encoding="utf-8"))
    return {row["id"]: Requirement(**row) for row in rows}


def source_of(req_id: str) -> str:
    """The spec source of ``req_id`` (``KeyError`` for an unknown ID: IDs are never invented)."""
    return catalogue()[req_id].source


def main(argv: list[str]) -> int:
    from hybridcheck.paths import ROOT

    markdown = Path(argv[1]).read_text(encoding="utf-8")
    rows = [asdict(r) for r in parse_catalogue(markdown).values()]
    MIRROR.write_text(json.dumps(rows, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    docs = ROOT / "docs" / "requirements.md"
    docs.write_text(DOCS_HEADER + markdown, encoding="utf-8")
    print(f"wrote {len(rows)} requirements to {MIRROR} and the catalogue to {docs}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
