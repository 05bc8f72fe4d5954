"""The feeds' JSON Schemas (draft 2020-12), shipped with the package, and fast validators for them."""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from typing import Any

import jsonschema_rs

SCHEMA_FILE = files(__package__) / "article.schema.json"
SPOTCHECK_SCHEMA_FILE = files(__package__) / "spotcheck.schema.json"
RECALL_SCHEMA_FILE = files(__package__) / "recall.schema.json"


@cache
def article_schema() -> dict[str, Any]:
    return json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


@cache
def article_validator() -> Any:
    """A compiled validator: about a microsecond per record, so every item can be checked."""
    return jsonschema_rs.validator_for(article_schema())


def problems(record: dict[str, Any]) -> list[str]:
    """Every way ``record`` breaks the article schema, as ``path: message`` lines; [] when valid."""
    return _problems(article_validator(), record)


def _problems(validator: Any, record: dict[str, Any]) -> list[str]:
    if validator.is_valid(record):
        return []
    return [f"{'/'.join(map(str, e.instance_path)) or '(record)'}: {e.message}" for e in validator.iter_errors(record)]


@cache
def spotcheck_validator() -> Any:
    return jsonschema_rs.validator_for(json.loads(SPOTCHECK_SCHEMA_FILE.read_text(encoding="utf-8")))


def spotcheck_problems(record: dict[str, Any]) -> list[str]:
    """Every way a spot-check record breaks its schema; [] when valid."""
    return _problems(spotcheck_validator(), record)


@cache
def recall_validator() -> Any:
    return jsonschema_rs.validator_for(json.loads(RECALL_SCHEMA_FILE.read_text(encoding="utf-8")))


def recall_problems(record: dict[str, Any]) -> list[str]:
    """Every way a recall record breaks its schema; [] when valid."""
    return _problems(recall_validator(), record)
