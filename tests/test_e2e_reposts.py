"""End to end: one crawl of the replica's 中国质量报>>第一版 and 市场监管>>报摘 (its reposts): the feed names each repost's
original in duplicate_of, and so does the dataset the crawl updates (CQN_DATASET_AUTO)."""

from __future__ import annotations

from pathlib import Path

from cqnnews.outputs import feed_signatures
from cqnnews.outputs.beside import SIGNATURES, beside
from cqnnews.outputs.dataset import connect
from cqnnews.outputs.feeds import article_feeds
from cqnnews.schema import problems
from tests.crawl import read_feed, run_crawl
from tests.replica import reposts as replica_reposts
from tests.replica.process import RunningReplica


def test_a_crawl_marks_its_reposts_in_the_feed_and_the_dataset(replica: RunningReplica, tmp_path: Path) -> None:
    walked = {"中国质量报/第一版", "市场监管/报摘"}
    ids = {r.article_id for key in walked for r in replica.site.own_articles(replica.site.leaf(key))}
    truth = {r: o for r, o in replica_reposts.truth(replica.site).items() if r in ids}
    assert len(truth) >= 10 and set(truth.values()) <= ids
    result = run_crawl("newscenter", replica.url, tmp_path, "-a", "sub=第一版,报摘",
                       settings={"CQN_DATASET_AUTO": "true"})
    assert result.returncode == 0, result.stderr[-3000:]
    [feed] = article_feeds(tmp_path / "feeds" / "newscenter")
    records = read_feed(feed)
    assert {r["article_id"] for r in records} == ids
    assert all(problems(r) == [] for r in records)
    called = {r["article_id"]: r["duplicate_of"] for r in records if r["duplicate_of"] is not None}
    assert called.items() <= truth.items()  # every repost named is one, of the article the truth says
    assert len(called) >= 0.9 * len(truth)  # (one of this replica's 18 lost its digit-heavy last paragraph too)
    assert all(r["similarity"] >= 0.6 for r in records if r["duplicate_of"] is not None)
    kept = feed_signatures.read(beside(feed, SIGNATURES))  # the signatures made for it, kept for the dataset
    assert kept is not None and kept["article_id"].tolist() == [r["article_id"] for r in records]
    assert f"{len(records)} kept by the crawls" in result.stdout + result.stderr  # read, not signed again
    con = connect(tmp_path / "dataset")
    try:
        rows = dict(con.execute("SELECT article_id, duplicate_of FROM articles WHERE duplicate_of IS NOT NULL")
                    .fetchall())
    finally:
        con.close()
    assert rows == called  # the dataset over the same articles says the same
