"""read_feeds(): ten daily feeds, some with only empty lists in a column, one stable schema."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa

from cqnnews.schema.arrow import ARTICLE_SCHEMA, read_feeds

PAGES = Path(__file__).parent / "fixtures" / "pages"


def records() -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(PAGES.glob("*.expected.json"))]


def test_ten_daily_feeds_load_with_one_schema_whatever_their_lists_hold(tmp_path: Path) -> None:
    every = records()
    plain = [{**r, "images": [], "attachments": [], "tables": [], "flags": [], "authors": [], "keywords": []} for r in every]
    feeds = []
    for day in range(10):
        rows = plain[day % len(plain): day % len(plain) + 2] if day % 2 else every[day % len(every):][:3]
        path = tmp_path / f"2026112{day}T063000Z.jsonl"
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
        feeds.append(path)
    (tmp_path / "empty.jsonl").write_bytes(b"")  # a day with nothing new
    feeds.append(tmp_path / "empty.jsonl")
    one_by_one = [read_feeds([f]).schema for f in feeds]
    assert all(schema == ARTICLE_SCHEMA for schema in one_by_one)
    table = read_feeds(feeds)
    assert table.schema == ARTICLE_SCHEMA and table.num_rows > 10
    assert table.schema.field("published_at").type == pa.timestamp("s", tz="Asia/Shanghai")
    assert table.schema.field("images").type == pa.list_(pa.struct([("url", pa.string()), ("caption", pa.string())]))
    frame = table.to_pandas()
    first = every[0]
    row = frame[frame.article_id == first["article_id"]].iloc[0]
    assert row.published_at.isoformat() == first["published_at"]
    assert list(row.authors) == first["authors"]
