"""Stored pages (raw bytes and headers) against their reviewed expected JSON.

Regenerate with ``python -m tests.fixtures.regenerate`` and review the diff.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cqnnews.schema import problems
from tests.fixtures.regenerate import PAGES, VOLATILE, parse_stored

STORED = sorted(PAGES.glob("*.html"))
REQUIRED_NON_EMPTY = ("url", "article_id", "channel", "breadcrumb", "title", "published_at", "source", "body", "layout")


def load(page: Path) -> tuple[bytes, dict, dict]:
    meta = json.loads(page.with_suffix(".headers.json").read_text(encoding="utf-8"))
    expected = json.loads(page.with_suffix(".expected.json").read_text(encoding="utf-8"))
    return page.read_bytes(), meta, expected


def test_fixtures_cover_every_habit_and_variant() -> None:
    shown = {tag for page in STORED for tag in load(page)[1]["shows"]}
    assert shown >= {"reference", "byline-trailing", "byline-own_line", "byline-lead", "byline-paper_box",
                     "byline-paper_lead", "byline-none", "subtitle", "attachments", "table", "captions", "enp-none",
                     "enp-before", "enp-after", "enp-colon-date", "from-empty", "charset-nowhere", "paper-under-qt"}


@pytest.mark.parametrize("page", STORED, ids=[p.stem for p in STORED])
def test_stored_page_gives_expected_json(page: Path) -> None:
    raw, meta, expected = load(page)
    assert parse_stored(raw, meta) == expected


@pytest.mark.parametrize("page", STORED, ids=[p.stem for p in STORED])
def test_expected_json_is_complete_and_well_typed(page: Path) -> None:
    _, _, expected = load(page)
    record = {**expected, **{name: "2026-11-25T00:00:00Z" for name in VOLATILE}}
    assert problems(record) == []
    for name in REQUIRED_NON_EMPTY:
        assert expected[name] not in (None, "", []), name
