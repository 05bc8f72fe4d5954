"""cqnnews/outputs/feed_signatures.py: the repost signatures of a feed's lines, kept beside it for the dataset."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import numpy as np

from cqnnews.outputs import feed_signatures, reposts
from cqnnews.outputs.beside import SIGNATURES, beside, written_by_cqnnews
from cqnnews.outputs.feed_reposts import mark_reposts

BODY = "市场监管总局发布质量抽查结果，涉及电动自行车等产品。\n抽查发现不合格产品批次{}，已依法处理。"


def line(aid: int, fetched: str | None = "2026-11-20T01:00:00Z") -> dict[str, object]:
    return {"article_id": aid, "title": f"标题{aid}", "body": BODY.format(aid), "fetched_at": fetched,
            "published_at": "2026-11-20T09:00:00+08:00"}


def write(path: Path, lines: list[dict[str, object]]) -> int:
    """The feed ``path`` with ``lines`` appended; the byte where they start."""
    start = path.stat().st_size if path.exists() else 0
    with path.open("a", encoding="utf-8") as out:
        out.writelines(json.dumps(x, ensure_ascii=False) + "\n" for x in lines)
    return start


def test_the_times_are_those_the_dataset_reads() -> None:
    times = ["2026-11-20T01:00:00Z", "2026-11-20T09:00:00.123456+08:00", "2026-11-20T01:00:00"]
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    expected = [r[0] for r in con.execute("SELECT epoch_us(CAST(t AS TIMESTAMPTZ)) FROM unnest(?) AS u(t)",
                                          [times]).fetchall()]
    assert [feed_signatures.microseconds(t) for t in times] == expected
    assert feed_signatures.microseconds(None) == feed_signatures.microseconds("yesterday") == feed_signatures.NO_TIME


def test_a_run_keeps_its_lines_signatures_beside_its_feed_after_the_earlier_runs(tmp_path: Path) -> None:
    feed = tmp_path / "feed.jsonl"
    first = [line(1), line(2, None)]
    mark_reposts(feed, write(feed, first), 0.6, final=feed)
    second = [line(3), line(1, "2026-11-21T01:00:00Z")]  # an appended feed: the next day's lines
    mark_reposts(feed, write(feed, second), 0.6, final=feed)
    path = beside(feed, SIGNATURES)
    assert path.name == "feed.signatures" and written_by_cqnnews(path)
    kept = feed_signatures.read(path)
    assert kept is not None
    every = first + second
    assert kept["article_id"].tolist() == [1, 2, 3, 1]
    assert kept["fetched_at"].tolist() == [feed_signatures.microseconds(x["fetched_at"]) for x in every]
    expected = reposts.signature_rows([(x["title"], x["body"]) for x in every])  # type: ignore[misc]
    assert (np.asarray(kept["signature"]) == expected).all()
    mark_reposts(feed, 0, 0.6, final=feed)  # a feed written again from its start (-O): its records only
    again = feed_signatures.read(path)
    assert again is not None and again["article_id"].tolist() == [1, 2, 3, 1]
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_a_file_of_another_scheme_or_cut_short_is_not_used(tmp_path: Path) -> None:
    feed = tmp_path / "feed.jsonl"
    write(feed, [line(1), line(2)])
    assert feed_signatures.sign_feed(feed) == 2
    path = beside(feed, SIGNATURES)
    whole = path.read_bytes()
    path.write_bytes(whole[:-10])
    assert feed_signatures.read(path) is None
    path.write_bytes(whole.replace(feed_signatures.SCHEME.encode(), feed_signatures.SCHEME[:-1].encode() + b"9"))
    assert feed_signatures.read(path) is None
    path.write_bytes(b"somebody's notes\n")
    assert not written_by_cqnnews(path)  # a crawl refuses to start rather than write over it


def test_feeds_written_before_can_be_given_their_signatures(tmp_path: Path) -> None:
    feed = tmp_path / "feed.jsonl"
    write(feed, [line(5), line(6)])
    assert feed_signatures.main([str(feed)]) == 0
    kept = feed_signatures.read(beside(feed, SIGNATURES))
    assert kept is not None and kept["article_id"].tolist() == [5, 6]
    assert feed_signatures.main([str(tmp_path / "missing.jsonl")]) == 1
    assert feed_signatures.main([]) == 2
