"""cqnnews/outputs/feed_reposts.py: a run's reposts marked in its JSON Lines feed once every article is read."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from cqnnews.items import FIELDS
from cqnnews.outputs.feed_reposts import mark_reposts
from cqnnews.schema import problems
from cqnnews.settings import CQN_REPOST_SIMILARITY
from tests.replica import reposts as replica_reposts
from tests.replica.site import SHANGHAI, Site
from tests.replica.truth import expected_fields

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=SHANGHAI)


def feed_line(site: Site, ref: Any) -> dict[str, Any]:
    fields = expected_fields(site, ref)
    line = {name: fields.get(name) for name in FIELDS}
    return {**line, "revision": 1, "sections": [ref.leaf.name], "fetched_at": "2026-11-20T01:00:00Z", "flags": [],
            "duplicate_of": None, "similarity": None}


def test_the_runs_reposts_point_at_their_originals_whatever_the_order_they_were_read_in(tmp_path: Path) -> None:
    site = Site(seed=1, scale=8, now=NOW)
    refs = [r for r in site.articles() if r.leaf.channel.name in ("市场监管", "中国质量报")]
    ids = {r.article_id for r in refs}
    truth = {r: o for r, o in replica_reposts.truth(site).items() if r in ids}
    assert len(truth) >= 40
    earlier = [{**feed_line(site, refs[0]), "title": "前一天的一行"}]  # an appended feed's line of an earlier run
    path = tmp_path / "feed.jsonl"
    head = "".join(json.dumps(x, ensure_ascii=False) + "\n" for x in earlier)
    newest_first = sorted(refs, key=lambda r: r.published, reverse=True)  # as listings are walked
    lines = [json.dumps(feed_line(site, r), ensure_ascii=False) + "\n" for r in newest_first]
    path.write_text(head + "".join(lines), encoding="utf-8")
    assert mark_reposts(path, len(head.encode()), float(CQN_REPOST_SIMILARITY)) == len(truth)
    text = path.read_text(encoding="utf-8")
    assert text.startswith(head)
    records = [json.loads(x) for x in text.splitlines()[1:]]
    assert {r["article_id"]: r["duplicate_of"] for r in records if r["duplicate_of"] is not None} == truth
    assert all(problems(r) == [] for r in records)
    assert all(list(r) == FIELDS for r in records)  # the feed's column order kept
    unchanged = [x for x, r in zip(lines, records) if r["duplicate_of"] is None]
    assert set(unchanged) <= set(text.splitlines(keepends=True))  # the other lines byte for byte
    assert not list(tmp_path.glob("*.reposts"))


def test_a_feed_without_reposts_is_not_written_again(tmp_path: Path) -> None:
    site = Site(seed=1, scale=8, now=NOW)
    path = tmp_path / "feed.jsonl"
    path.write_text(json.dumps(feed_line(site, site.articles()[0]), ensure_ascii=False) + "\n", encoding="utf-8")
    before = path.stat()
    assert mark_reposts(path, 0, float(CQN_REPOST_SIMILARITY)) == 0
    assert path.stat().st_ino == before.st_ino and path.stat().st_mtime_ns == before.st_mtime_ns


def test_the_file_a_killed_marking_leaves_is_a_part_the_next_run_tidies() -> None:
    from cqnnews.outputs.feeds import _PART, part_name

    match = _PART.match(part_name("20261125T063005Z.jsonl.reposts", "yaowen"))
    assert match is not None and match["feed"] == "20261125T063005Z.jsonl.reposts" and match["spider"] == "yaowen"
