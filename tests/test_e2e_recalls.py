"""``scrapy crawl minsheng``: ``.recalls.jsonl`` beside the articles' feed, every recall of 民生>>召回 right, counted in
the summary and the report; the records of a run killed after its feed was stored written again by the next run."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cqnnews.outputs.feeds import article_feeds
from cqnnews.outputs.spotcheck_feed import recall_path, spotcheck_path
from cqnnews.schema import recall_problems
from tests.conftest import NOW, SEED
from tests.crawl import POLITE_SETTINGS, read_feed, run_crawl
from tests.replica.process import RunningReplica, running_replica
from tests.replica.recalls import expected_recalls

SCALE = 8


@pytest.fixture(scope="module")
def replica() -> Iterator[RunningReplica]:
    with running_replica(seed=SEED, scale=SCALE, now=NOW) as running:
        yield running


def crawl(replica: RunningReplica, workdir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return run_crawl("minsheng", replica.url, workdir, settings=POLITE_SETTINGS, timeout=600,
                     CQN_NOW=NOW.isoformat(), **env)


def expected(replica: RunningReplica, articles: list[dict[str, Any]]) -> list[dict[str, Any]]:
    site = replica.site
    return sorted((r for a in articles for r in expected_recalls(site, site.article(a["article_id"]))),
                  key=lambda r: (r["article_id"], r["recall"]))


def test_every_recall_of_the_recall_listing_is_beside_the_feed(replica: RunningReplica, tmp_path: Path) -> None:
    result = crawl(replica, tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    [feed] = article_feeds(tmp_path / "feeds" / "minsheng")
    articles = read_feed(feed)
    assert any("召回" in a["sections"] for a in articles), "民生 walks 召回"
    records = sorted(read_feed(recall_path(feed)), key=lambda r: (r["article_id"], r["recall"]))
    want = expected(replica, articles)
    assert len(want) >= 5 and records == want
    assert all(recall_problems(r) == [] for r in records)
    summary = json.loads(feed.with_name(feed.stem + ".summary.json").read_text(encoding="utf-8"))
    assert summary["recalls"] == {"feed": str(recall_path(feed).relative_to(tmp_path)), "records": len(want), "invalid": 0}
    report = feed.with_name(feed.stem + ".report.html").read_text(encoding="utf-8")
    assert f"<td>recall records</td><td>{len(want)}</td>" in report


def test_a_run_killed_before_its_recalls_were_stored_has_them_written_by_the_next(replica: RunningReplica,
                                                                                  tmp_path: Path) -> None:
    killed = crawl(replica, tmp_path, CQN_FAILPOINT="feed_renamed")
    assert killed.returncode == -9
    [feed] = article_feeds(tmp_path / "feeds" / "minsheng")
    assert not recall_path(feed).exists() and not spotcheck_path(feed).exists()
    after = crawl(replica, tmp_path)
    assert after.returncode == 0, after.stderr[-3000:]
    assert "recall records of" in after.stderr and "completed the commit" in after.stderr
    assert sorted(read_feed(recall_path(feed)), key=lambda r: (r["article_id"], r["recall"])) == \
        expected(replica, read_feed(feed))
    assert all(recall_path(f).exists() for f in article_feeds(tmp_path / "feeds" / "minsheng"))
    assert not list((tmp_path / "feeds" / "minsheng").glob("*.part"))
