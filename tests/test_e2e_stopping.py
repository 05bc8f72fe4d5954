"""Stopping is not failing: articles not fetched when a run stops stay pending, counted as not_fetched."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import NOW
from tests.crawl import read_feed, run_crawl
from tests.replica.process import running_replica
from tests.replica.truth import expected_feed

YAOWEN = {"综合/要闻一", "综合/要闻二"}


def test_a_run_stopped_by_closespider_counts_the_rest_not_fetched_and_the_next_run_exports_them(
        tmp_path: Path) -> None:
    with running_replica(seed=1, scale=2, now=NOW) as replica:
        stopped = run_crawl("yaowen", replica.url, tmp_path, "-O", "first.jsonl", "-s", "CLOSESPIDER_ITEMCOUNT=5",
                            "-s", "CONCURRENT_REQUESTS=1", CQN_NOW=NOW.isoformat())
        assert stopped.returncode == 1  # the documented rule: a finish reason other than "finished"
        summary = json.loads((tmp_path / "first.summary.json").read_text(encoding="utf-8"))
        assert summary["finish_reason"] == "closespider_itemcount"
        assert summary["totals"]["failed"] == 0 and summary["failed"] == []
        first = [r["article_id"] for r in read_feed(tmp_path / "first.jsonl")]
        expected = sorted(expected_feed(replica.site, YAOWEN))
        assert summary["totals"]["not_fetched"] == len(expected) - len(first) > 0
        assert summary["state"]["pending"] == len(expected) - len(first)
        after = run_crawl("yaowen", replica.url, tmp_path, "-O", "second.jsonl", CQN_NOW=NOW.isoformat())
        assert after.returncode == 0, after.stderr[-3000:]
    second = [r["article_id"] for r in read_feed(tmp_path / "second.jsonl")]
    assert sorted(first + second) == expected  # each exactly once
