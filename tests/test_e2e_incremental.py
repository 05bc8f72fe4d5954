"""Daily runs against the replica's clock: only what is new, nothing lost or repeated, honest exit statuses."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from cqnnews.outputs.feeds import article_feeds
from cqnnews.state import lock
from tests.conftest import NOW, SCALE, SEED
from tests.crawl import crawl_command, crawl_env, origin_dir, read_feed, run_crawl
from tests.redis_server import free_port
from tests.replica.process import running_replica
from tests.replica.site import Site
from tests.replica.truth import expected_feed

YAOWEN = {"综合/要闻一", "综合/要闻二"}
TOMORROW = NOW + timedelta(days=1)


def feeds(workdir: Path) -> list[Path]:
    return article_feeds(workdir / "feeds" / "yaowen")


def summary_of(feed: Path) -> dict[str, Any]:
    return json.loads(feed.with_name(feed.stem + ".summary.json").read_text(encoding="utf-8"))


def crawl(url: str, workdir: Path, *args: str, now: Any = NOW) -> tuple[subprocess.CompletedProcess[str], Path]:
    before = set(feeds(workdir))
    result = run_crawl("yaowen", url, workdir, *args, CQN_NOW=now.isoformat())
    new = sorted(set(feeds(workdir)) - before)
    return result, new[0] if new else Path("/nonexistent")


@pytest.fixture(scope="module")
def days(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Four runs: today, today again, tomorrow, tomorrow with recheck_days=3."""
    workdir = tmp_path_factory.mktemp("daily")
    out: dict[str, Any] = {"workdir": workdir}
    port = free_port()  # the same origin on both days: the same crawl state
    with running_replica(seed=SEED, scale=SCALE, now=NOW, port=port) as today:
        out["first"] = crawl(today.url, workdir)
        out["again"] = crawl(today.url, workdir)
    with running_replica(seed=SEED, scale=SCALE, now=TOMORROW, port=port) as tomorrow:
        out["next_day"] = crawl(tomorrow.url, workdir, now=TOMORROW)
        out["recheck"] = crawl(tomorrow.url, workdir, "-a", "recheck_days=3", now=TOMORROW)
    return out


def test_first_run_exports_every_yaowen_article_once(days: dict[str, Any]) -> None:
    result, feed = days["first"]
    assert result.returncode == 0, result.stderr[-2000:]
    ids = [r["article_id"] for r in read_feed(feed)]
    assert sorted(ids) == sorted(expected_feed(Site(SEED, SCALE, NOW), YAOWEN))
    report = summary_of(feed)
    assert report["healthy"] and report["exit_status"] == 0 and report["finish_reason"] == "finished"
    assert report["totals"]["new"] == len(ids) and report["date_parse_rate"] == 1.0
    assert set(report["sections"]) == {"要闻一", "要闻二"}


def test_second_run_same_clock_exports_nothing_and_fetches_no_article(days: dict[str, Any]) -> None:
    result, feed = days["again"]
    assert result.returncode == 0, result.stderr[-2000:]
    assert read_feed(feed) == []
    report = summary_of(feed)
    assert report["requests"]["listing_pages"] == 2  # one per sub-section
    # robots.txt, home, channel, one page per listing: no article request at all
    assert report["requests"]["total"] == 3 + 2
    assert report["totals"]["duplicate"] > 0 and report["totals"]["new"] == 0


def test_next_day_exports_exactly_the_new_articles(days: dict[str, Any]) -> None:
    result, feed = days["next_day"]
    assert result.returncode == 0, result.stderr[-2000:]
    before = set(expected_feed(Site(SEED, SCALE, NOW), YAOWEN))
    after = expected_feed(Site(SEED, SCALE, TOMORROW), YAOWEN)
    records = read_feed(feed)
    assert {r["article_id"] for r in records} == set(after) - before
    assert len(records) > 0
    for r in records:
        assert {k: r[k] for k in after[r["article_id"]]} == after[r["article_id"]]


def test_recheck_emits_only_changed_articles_as_new_revisions(days: dict[str, Any]) -> None:
    result, feed = days["recheck"]
    assert result.returncode == 0, result.stderr[-2000:]
    today, tomorrow = Site(SEED, SCALE, NOW), Site(SEED, SCALE, TOMORROW)
    changed = {aid for aid in expected_feed(today, YAOWEN)
               if tomorrow.is_revised(ref := tomorrow.article(aid)) and not today.is_revised(ref)
               and ref.published >= TOMORROW - timedelta(days=3)}
    assert changed, "the replica corrects some articles a day after publication"
    records = read_feed(feed)
    assert {r["article_id"] for r in records} == changed
    truth = expected_feed(tomorrow, YAOWEN)
    for r in records:
        assert r["revision"] == 2 and r["body"] == truth[r["article_id"]]["body"]
    assert summary_of(feed)["totals"]["unchanged"] > 0


def test_union_of_all_feeds_holds_every_article_exactly_once(days: dict[str, Any]) -> None:
    lines = [(r["article_id"], r["revision"]) for f in feeds(days["workdir"]) for r in read_feed(f)]
    assert len(lines) == len(set(lines))
    firsts = {aid for aid, rev in lines if rev == 1}
    assert firsts == set(expected_feed(Site(SEED, SCALE, TOMORROW), YAOWEN))


def test_no_half_written_feed_is_left_under_a_final_name(days: dict[str, Any]) -> None:
    assert not list((days["workdir"] / "feeds").rglob("*.part"))


def test_a_run_started_while_another_holds_the_lock_refuses(tmp_path: Path) -> None:
    held = lock.acquire(origin_dir(tmp_path, "http://127.0.0.1:9"), "yaowen")
    try:
        result = run_crawl("yaowen", "http://127.0.0.1:9", tmp_path)
    finally:
        held.release()
    assert result.returncode == 3
    [line] = result.stderr.strip().splitlines()
    assert "another yaowen run holds" in line
    assert not (tmp_path / "feeds").exists()


def test_a_killed_run_loses_nothing(tmp_path: Path) -> None:
    expected = set(expected_feed(Site(SEED, SCALE, NOW), YAOWEN))
    with running_replica(seed=SEED, scale=SCALE, now=NOW) as replica:
        slow = {"DOWNLOAD_DELAY": "0.05", "CONCURRENT_REQUESTS": "1", "CONCURRENT_REQUESTS_PER_DOMAIN": "1"}
        process = subprocess.Popen(crawl_command("yaowen", settings=slow), cwd=tmp_path,
                                   env=crawl_env(replica.url, CQN_NOW=NOW.isoformat()),
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        written = 0
        while time.monotonic() < deadline and written < 10:
            parts = list((tmp_path / "feeds").rglob("*.part"))
            written = parts[0].read_bytes().count(b"\n") if parts else 0
            time.sleep(0.05)
        process.send_signal(signal.SIGKILL)
        assert 10 <= written < len(expected), "killed part way through the articles"
        process.wait()
        assert feeds(tmp_path) == [], "the killed run left no final feed"
        result = run_crawl("yaowen", replica.url, tmp_path, CQN_NOW=NOW.isoformat())
        assert result.returncode == 0, result.stderr[-2000:]
    ids = [r["article_id"] for f in feeds(tmp_path) for r in read_feed(f)]
    assert sorted(ids) == sorted(expected)


@pytest.mark.parametrize(("args", "says"), [
    (("-a", "since=yesterday-ish"), "since must be a day as YYYY-MM-DD"),
    (("-a", "full=maybe"), "full must be true or false"),
    (("-a", "recheck_days=-2"), "recheck_days must be a whole number"),
])
def test_bad_arguments_stop_the_run_at_start(tmp_path: Path, args: tuple[str, ...], says: str) -> None:
    result = run_crawl("yaowen", "http://127.0.0.1:9", tmp_path, *args)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [f"cqnnews: error: {result.stderr.strip().split('error: ')[1]}"]
    assert says in result.stderr
    assert not (tmp_path / "feeds").exists() and not (tmp_path / ".cqnnews").exists()


def test_unwritable_state_directory_stops_the_run(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a directory")
    result = run_crawl("yaowen", "http://127.0.0.1:9", tmp_path, CQN_STATE_DIR=str(tmp_path / "file" / "state"))
    assert result.returncode == 2
    assert "is not writable" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_state_file_from_a_newer_version_stops_the_run(tmp_path: Path) -> None:
    db = sqlite3.connect(origin_dir(tmp_path, "http://127.0.0.1:9") / "yaowen.sqlite3")
    db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    db.execute("INSERT INTO meta VALUES ('schema_version', '99')")
    db.commit()
    db.close()
    result = run_crawl("yaowen", "http://127.0.0.1:9", tmp_path)
    assert result.returncode == 2
    assert "schema version 99, newer than" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_since_stops_at_older_articles(tmp_path: Path) -> None:
    since = (NOW - timedelta(days=3)).date()
    with running_replica(seed=SEED, scale=SCALE, now=NOW) as replica:
        result = run_crawl("yaowen", replica.url, tmp_path, "-a", f"since={since}", "-O", "out.jsonl",
                           CQN_NOW=NOW.isoformat())
    assert result.returncode == 0, result.stderr[-2000:]
    site = Site(SEED, SCALE, NOW)
    want = {aid for aid in expected_feed(site, YAOWEN) if site.article(aid).published.date() >= since}
    assert {r["article_id"] for r in read_feed(tmp_path / "out.jsonl")} == want
    assert summary_of(tmp_path / "out.jsonl")["requests"]["listing_pages"] == 2


def test_progress_lines_name_the_listing_and_counts(tmp_path: Path) -> None:
    with running_replica(seed=SEED, scale=SCALE, now=NOW) as replica:
        result = run_crawl("yaowen", replica.url, tmp_path, settings={"CQN_PROGRESS_SECONDS": "0.2",
                                                                       "DOWNLOAD_DELAY": "0.01",
                                                                       "CONCURRENT_REQUESTS_PER_DOMAIN": "1"},
                           CQN_NOW=NOW.isoformat())
    assert result.returncode == 0
    assert "progress: " in result.stderr and "fetched" in result.stderr
