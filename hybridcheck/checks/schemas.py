"""The project's JSON Schemas (``schemas/``, draft 2020-12) as validators for checks."""

from __future__ import annotations

import json
from functools import cache

import jsonschema

from hybridcheck.paths import SCHEMA_DIR


@cache
def validator(name: str) -> jsonschema.Draft202012Validator:
    """The validator of ``schemas/<name>.schema.json`` (formats checked where jsonschema can)."""
    schema = json.loads((SCHEMA_DIR / f"{name}.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def schema_errors(name: str, instance: object) -> list[str]:
    """Every violation of ``schemas/<name>.schema.json`` by ``instance``, as ``path: message``."""
    errors = sorted(
        validator(name).iter_errors(instance), key=lambda error: [str(part) for part in error.absolute_path]
    )
    return [f"{'/'.join(map(str, error.absolute_path)) or '(root)'}: {error.message}" for error in errors]
