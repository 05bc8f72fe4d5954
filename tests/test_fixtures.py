"""Stored pages (raw bytes and headers) against their reviewed expected JSON.

Regenerate with ``python -m tests.fixtures.regenerate`` and review the diff.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cqnnews.schema import problems
from tests.fixtures.regenerate import PAGES, VOLATILE, parse_stored

STORED = sorted(PAGES.glob("*.headers.json"))
REQUIRED_NON_EMPTY = ("url", "article_id", "channel", "title", "published_at", "source", "body", "layout")


def load(headers: Path) -> tuple[dict, dict]:
    meta = json.loads(headers.read_text(encoding="utf-8"))
    expected = json.loads(headers.with_name(headers.name.replace(".headers.json", ".expected.json"))
                          .read_text(encoding="utf-8"))
    return meta, expected


def test_fixtures_cover_every_habit_and_variant() -> None:
    shown = {tag for page in STORED for tag in load(page)[0]["shows"]}
    assert shown >= {"layout-current", "layout-old", "layout-generic", "encoding-utf-8", "encoding-gbk",
                     "encoding-gb18030", "encoding-gb2312", "declared-both", "declared-header", "declared-meta",
                     "declared-neither", "declared-conflict", "mojibake", "split-over-pages","reference", "byline-trailing", "byline-own_line", "byline-lead", "byline-paper_box",
                     "byline-paper_lead", "byline-none", "subtitle", "attachments", "table", "captions", "enp-none",
                     "enp-before", "enp-after", "enp-colon-date", "from-empty", "charset-nowhere", "paper-under-qt"}


@pytest.mark.parametrize("page", STORED, ids=[p.name.split(".")[0] for p in STORED])
def test_stored_page_gives_expected_json(page: Path) -> None:
    meta, expected = load(page)
    assert parse_stored(meta) == expected


@pytest.mark.parametrize("page", STORED, ids=[p.name.split(".")[0] for p in STORED])
def test_expected_json_is_complete_and_well_typed(page: Path) -> None:
    _, expected = load(page)
    record = {**expected, **{name: "2026-11-25T00:00:00Z" for name in VOLATILE}}
    assert problems(record) == []
    for name in REQUIRED_NON_EMPTY:
        assert expected[name] not in (None, "", []), name
    if expected["layout"] != "generic":  # only the generic parser cannot read crumbs
        assert expected["breadcrumb"], "breadcrumb"
