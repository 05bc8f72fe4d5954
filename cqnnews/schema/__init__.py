"""The feed's JSON Schema, shipped with the package."""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from typing import Any

from jsonschema import Draft202012Validator

SCHEMA_FILE = files(__package__) / "article.schema.json"


@cache
def article_schema() -> dict[str, Any]:
    return json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


@cache
def article_validator() -> Draft202012Validator:
    schema = article_schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def problems(record: dict[str, Any]) -> list[str]:
    """Every way ``record`` breaks the schema, as ``path: message`` lines; [] when valid."""
    return [f"{'/'.join(map(str, e.absolute_path)) or '(record)'}: {e.message}"
            for e in article_validator().iter_errors(record)]
