"""The published schema: valid, versioned, strict, and the documentation (docs/reading-data.md) documents every
field."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from cqnnews.items import FIELDS
from cqnnews.schema import article_schema, problems

README = Path(__file__).resolve().parents[1] / "docs" / "reading-data.md"  # the README's field table moved there
GOOD: dict[str, Any] = {
    "url": "https://www.cqn.com.cn/qt/content/2018-08/03/content_6121542.htm", "article_id": 6121542,
    "revision": 1, "channel": "qt", "breadcrumb": ["新闻中心", "综合", "要闻二"], "sections": ["要闻二"], "title": "标题",
    "subtitle": None, "published_at": "2018-08-03T17:13:55+08:00", "source": "中国质量新闻网", "authors": ["张井"],
    "editor": "语安", "keywords": [], "body": "正文", "images": [{"url": "https://www.cqn.com.cn/a.jpg", "caption": None}],
    "attachments": [], "tables": [], "layout": "current", "pages": 1, "fetched_at": "2026-11-25T06:30:05Z", "flags": [],
    "duplicate_of": None, "similarity": None,
}


def test_schema_is_draft_2020_12_with_a_version() -> None:
    schema = article_schema()
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert re.fullmatch(r"\d+\.\d+\.\d+", schema["version"])


def test_schema_and_item_name_the_same_fields_in_order() -> None:
    assert list(article_schema()["properties"]) == FIELDS
    assert article_schema()["required"] == FIELDS


def test_a_good_record_passes() -> None:
    assert problems(GOOD) == []
    assert Draft202012Validator(article_schema()).is_valid(GOOD)


@pytest.mark.parametrize(("field", "value"), [
    ("url", "http://www.cqn.com.cn/qt/content/2018-08/03/content_6121542.htm"),  # not canonical
    ("article_id", "6121542"),
    ("published_at", "2018-08-03 17:13:55"),
    ("published_at", "2018-08-03T09:13:55Z"),
    ("authors", "张井"),
    ("title", ""),
    ("fetched_at", "2026-11-25T06:30:05+08:00"),
    ("layout", "mystery"),
])
def test_a_wrong_type_or_form_fails(field: str, value: Any) -> None:
    record = copy.deepcopy(GOOD)
    record[field] = value
    assert problems(record) and problems(record)[0].startswith(field)
    assert not Draft202012Validator(article_schema()).is_valid(record)  # the reference implementation agrees


def test_unknown_fields_fail() -> None:
    assert problems({**GOOD, "extra": 1})


def test_readme_documents_every_field() -> None:
    table = README.read_text(encoding="utf-8")
    for name in FIELDS:
        assert f"| `{name}` |" in table, name
