"""cqnnews/outputs/dataset/clusters.py: duplicate_of and similarity of every article of the dataset, kept current update
by update, against the replica's truth."""

from __future__ import annotations

import json
import os
import shutil
from datetime import datetime
from pathlib import Path
from typing import Any

from cqnnews.outputs.dataset import CURRENT, connect, update
from cqnnews.outputs.dataset.clusters import TABLE
from cqnnews.outputs.dataset.index_segments import known_ids, restored
from tests.replica import reposts as replica_reposts
from tests.replica.site import SHANGHAI, Site
from tests.replica.truth import expected_fields
from tests.test_dataset import line, write_feed

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=SHANGHAI)
LISTINGS = ("市场监管", "中国质量报")  # 市场监管>>报摘 reposts 中国质量报>>第一版


def feed_line(site: Site, ref: Any) -> dict[str, Any]:
    fields = expected_fields(site, ref)
    return {**line(ref.article_id, published=fields["published_at"], title=fields["title"]), "body": fields["body"],
            "url": fields["url"], "channel": fields["channel"]}


def dataset_rows(dataset: Path) -> dict[int, tuple[int | None, float | None]]:
    con = connect(dataset)
    try:
        rows = con.execute("SELECT article_id, duplicate_of, similarity FROM articles").fetchall()
    finally:
        con.close()
    assert len(rows) == len({r[0] for r in rows})
    return {a: (d, s) for a, d, s in rows}


def test_reposts_in_the_dataset_follow_the_truth_across_two_updates(tmp_path: Path) -> None:
    site = Site(seed=1, scale=8, now=NOW)
    refs = [r for r in site.articles() if r.leaf.channel.name in LISTINGS]
    truth = {r: o for r, o in replica_reposts.truth(site).items()}
    ids = {r.article_id for r in refs}
    truth = {r: o for r, o in truth.items() if r in ids}
    assert len(truth) >= 40 and set(truth.values()) <= ids
    # day 1: every repost, and half the originals; day 2: the other originals, found after their reposts
    late = set(sorted(truth.values())[::2])
    feeds, dataset = tmp_path / "feeds", tmp_path / "dataset"
    write_feed(feeds / "zonghe", "20261101T000000Z", [feed_line(site, r) for r in refs if r.article_id not in late])
    first = update(feeds, dataset)
    assert first.reposts == len(truth) - len(late)
    rows = dataset_rows(dataset)
    for repost, original in truth.items():
        assert rows[repost][0] == (None if original in late else original)
    write_feed(feeds / "zonghe", "20261102T000000Z", [feed_line(site, r) for r in refs if r.article_id in late])
    second = update(feeds, dataset)
    assert second.reposts == len(truth)
    rows = dataset_rows(dataset)
    called = {a: d for a, (d, _) in rows.items() if d is not None}
    assert called == truth  # every repost points at its original, the earliest of its cluster; nothing else is one
    assert all(0.6 <= rows[a][1] <= 1.0 for a in called) and all(rows[o] == (None, None) for o in truth.values())
    # incremental: the second update wrote only the rows it changed, as a segment of its own; the first is linked
    segments = sorted((dataset / CURRENT / TABLE).glob("segment=*/*.parquet"))
    assert [p.parent.name for p in segments] == ["segment=000001", "segment=000002"]
    con = connect(dataset)
    try:
        written = con.execute(f"SELECT count(*) FROM read_parquet('{segments[1]}')").fetchone()[0]
        assert con.execute("SELECT count(*) FROM reposts WHERE duplicate_of IS NOT NULL").fetchone()[0] == len(truth)
    finally:
        con.close()
    assert written == len(late) * 2  # each late original, and its repost named again
    # the ids the build skips are read without the signatures: those of the index restored, whichever segment
    manifest = json.loads((dataset / CURRENT / "manifest.json").read_text(encoding="utf-8"))
    ids = known_ids(dataset / CURRENT, manifest["reposts"], manifest["reposts"]["threshold"])
    whole = {origin: index.ids for origin, index in restored(dataset / CURRENT, manifest["reposts"],
                                                             manifest["reposts"]["threshold"]).indexes.items()}
    assert set(ids) == set(whole) and all(set(ids[o].tolist()) == set(whole[o].tolist()) for o in ids)
    assert sum(len(set(v.tolist())) for v in ids.values()) == len(rows)
    assert known_ids(dataset / CURRENT, manifest["reposts"], 0.99) == {}  # another threshold: all indexed again
    # a third update with nothing new changes nothing
    third = update(feeds, dataset)
    assert third.generation == second.generation and third.reposts == len(truth)
    # day 3: copies of originals under new ids, indexed against the index of two segments (rows of day 1 named
    # again on day 2): the same clusters as one update of the three days into a new dataset
    originals = sorted(set(truth.values()))[:5]
    by_id = {r.article_id: r for r in refs}
    copies = {90_000_000 + k: o for k, o in enumerate(originals)}
    write_feed(feeds / "zonghe", "20261103T000000Z", [
        {**feed_line(site, by_id[o]), "article_id": c, "published_at": "2026-11-19T09:00:00+08:00"}
        for c, o in copies.items()])
    fourth = update(feeds, dataset)
    assert fourth.reposts == len(truth) + len(copies)
    rows = dataset_rows(dataset)
    assert {c: rows[c][0] for c in copies} == copies
    assert {a: d for a, (d, _) in rows.items() if d is not None} == {**truth, **copies}
    again = tmp_path / "again"
    update(feeds, again)
    assert dataset_rows(again) == rows


def test_the_dataset_moved_keeps_its_reposts_and_a_new_threshold_indexes_it_again(tmp_path: Path) -> None:
    site = Site(seed=2, scale=8, now=NOW)
    refs = [r for r in site.articles() if r.leaf.channel.name in LISTINGS]
    feeds, dataset = tmp_path / "feeds", tmp_path / "dataset"
    write_feed(feeds / "zonghe", "20261101T000000Z", [feed_line(site, r) for r in refs])
    done = update(feeds, dataset)
    moved = tmp_path / "elsewhere"
    shutil.copytree(dataset, moved, symlinks=True)
    shutil.rmtree(dataset)
    assert sum(1 for d, _ in dataset_rows(moved).values() if d is not None) == done.reposts > 0
    strict = update(feeds, moved, threshold=0.99)  # every article indexed again at the new threshold
    assert strict.generation == done.generation + 1 and strict.reposts < done.reposts
    assert len(list((moved / CURRENT / TABLE).glob("segment=*/*.parquet"))) == 1
    assert os.path.islink(moved / CURRENT)
