"""The requirement catalogue as data: ID → title, family and spec source.

The text of record is ``shared/REQUIREMENTS.md``; ``hybridcheck/data/requirements.json``
mirrors it (``python -m hybridcheck.requirements SHARED/REQUIREMENTS.md`` rewrites the
mirror, and a test keeps the two equal when ``shared/`` is present).
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path

MIRROR = Path(__file__).parent / "data" / "requirements.json"
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
    markdown = Path(argv[1]).read_text(encoding="utf-8")
    rows = [asdict(r) for r in parse_catalogue(markdown).values()]
    MIRROR.write_text(json.dumps(rows, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {len(rows)} requirements to {MIRROR}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
