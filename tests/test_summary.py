from __future__ import annotations

from collections import Counter
from pathlib import Path

from cqnnews.outputs import summary

LIMITS = summary.Limits(max_errors=0, max_failed=2)
FINE = {"cqnnews/article/parsed": 10}


def test_summary_path_sits_beside_the_feed() -> None:
    assert summary.summary_path("feeds/yaowen/20261125T063005Z.jsonl") == Path(
        "feeds/yaowen/20261125T063005Z.summary.json")
    assert summary.summary_path("file:///tmp/out") == Path("/tmp/out.summary.json")


def test_nothing_new_is_healthy() -> None:
    assert summary.problems({}, "finished", LIMITS, committed=True) == []


def test_unhealthy_runs_say_why() -> None:
    assert summary.problems(FINE, "shutdown", LIMITS, True) == ["finish reason 'shutdown', not 'finished'"]
    assert "1 errors logged" in summary.problems({"log_count/ERROR": 1}, "finished", LIMITS, True)[0]
    assert "3 articles failed" in summary.problems({"cqnnews/article/failed": 3}, "finished", LIMITS, True)[0]
    assert "layout changed" in summary.problems({"cqnnews/listing/empty_pages": 1}, "finished", LIMITS, True)[0]
    assert summary.problems({"feedexport/failed_count/X": 1}, "finished", LIMITS, True) == [
        "a feed could not be stored"]
    assert summary.problems({}, "finished", LIMITS, committed=False) == ["the crawl state was not updated"]


def test_build_counts_sections_and_totals() -> None:
    tally = {"要闻一": Counter(new=2), "要闻二": Counter(new=1, duplicate=4)}
    report = summary.build("yaowen", "f.jsonl", {"cqnnews/article/parsed": 2, "cqnnews/article/flag/no_date": 1},
                           "finished", tally, Counter(new=2, duplicate=4), [], [], 2, 0)
    assert report["exit_status"] == 0 and report["totals"]["new"] == 2 and report["exported"] == 2
    assert report["sections"]["要闻二"]["duplicate"] == 4 and report["date_parse_rate"] == 0.5
