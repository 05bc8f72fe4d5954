"""Several workers on scrapy-redis with a real redis-server: one crawl, every article exactly once."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from cqnnews.outputs.feeds import article_feeds
from tests.conftest import NOW, SCALE, SEED
from tests.crawl import read_feed, run_crawl
from tests.redis_server import free_port, running_redis
from tests.replica.process import RunningReplica, running_replica
from tests.replica.truth import expected_feed
from tests.shared_crawl import Worker, held, joined, no_tracebacks, pause_env, release, report, start, wait_until

YAOWEN = {"综合/要闻一", "综合/要闻二"}
SLOW = {"DOWNLOAD_DELAY": "0.05", "CONCURRENT_REQUESTS": "2", "CONCURRENT_REQUESTS_PER_DOMAIN": "2",
        "CQN_PROGRESS_SECONDS": "0"}


@pytest.fixture
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh redis-server for each test: the crawl state lives in it."""
    with running_redis(tmp_path_factory.mktemp("redis")) as url:
        yield url


def worker(replica: RunningReplica, workdir: Path, redis_url: str, name: str, **env: str) -> Worker:
    return start(workdir, replica.url, redis_url, SLOW, name, CQN_NOW=NOW.isoformat(), **env)


def final_feeds(workdir: Path) -> list[Path]:
    return article_feeds(workdir / "feeds" / "yaowen")


def test_two_workers_one_killed_and_restarted_export_every_article_once(redis_url: str, tmp_path: Path) -> None:
    pause = tmp_path / "pause"
    with running_replica(seed=SEED, scale=SCALE, now=NOW) as replica:
        # each worker stops taking work at its first article exported (alive, beating): the crawl waits for the test
        first, second = (worker(replica, tmp_path, redis_url, name, **pause_env(pause, "article_exported"))
                         for name in ("first", "second"))
        both = [first, second]
        wait_until(lambda: all(held(pause, "article_exported", w) for w in both), "both workers exporting", both)
        second.process.kill()
        second.process.wait()
        restarted = worker(replica, tmp_path, redis_url, "restarted")
        wait_until(lambda: joined(redis_url, restarted), "the restarted worker to join", [first, restarted])
        release(held(pause, "article_exported"))  # the first goes on, beside the restarted one
        assert [first.finish(180), restarted.finish(180)] == [0, 0], report([first, restarted])
        assert no_tracebacks([first, restarted]), report([first, restarted])
        expected = expected_feed(replica.site, YAOWEN)
    feeds = final_feeds(tmp_path)
    assert len(feeds) == 2, "the killed worker left no final feed, only its .part"
    records = [r for f in feeds for r in read_feed(f)]
    assert sorted(r["article_id"] for r in records) == sorted(expected), report([first, restarted])
    for r in records:
        assert {k: r[k] for k in expected[r["article_id"]]} == expected[r["article_id"]]
    assert all(read_feed(f) for f in feeds), "both workers exported articles"


def test_the_next_crawl_of_several_workers_finds_nothing_new(redis_url: str, tmp_path: Path) -> None:
    with running_replica(seed=SEED, scale=SCALE, now=NOW) as replica:
        workers = [worker(replica, tmp_path, redis_url, f"w{n}") for n in range(2)]
        assert [w.finish(180) for w in workers] == [0, 0], report(workers)
        (tmp_path / "again").mkdir()
        again = [worker(replica, tmp_path / "again", redis_url, f"again{n}") for n in range(2)]
        assert [w.finish(180) for w in again] == [0, 0], report(again)
    assert sum(len(read_feed(f)) for f in final_feeds(tmp_path)) == len(expected_feed(replica.site, YAOWEN))
    assert [read_feed(f) for f in final_feeds(tmp_path / "again")] == [[], []]


@pytest.mark.parametrize(("url", "says"), [
    ("redis://127.0.0.1:1/0", "cannot reach Redis at redis://127.0.0.1:1/0"),
    ("http://127.0.0.1:6379", "CQN_REDIS_URL must look like redis://host:port/db"),
])
def test_a_wrong_redis_url_stops_the_run_at_start(tmp_path: Path, url: str, says: str) -> None:
    # Redis away at start is waited for, as while crawling, up to CQN_REDIS_OUTAGE_MAX (1 s here)
    result = run_crawl("yaowen", "http://127.0.0.1:9", tmp_path, CQN_REDIS_URL=url, CQN_REDIS_OUTAGE_MAX="1")
    assert result.returncode == 2
    *waited, line = result.stderr.strip().splitlines()
    assert says in line
    # an unreachable Redis is waited for, and said so in one line first; a URL that is not one is refused at once
    assert [w for w in waited if "cannot be reached" in w and "pausing" in w] == waited
    assert len(waited) == (1 if "cannot reach" in says else 0)


def test_three_workers_on_a_redesigned_site_raise_the_reader_monitor_as_one_process_does(tmp_path: Path) -> None:
    """Three days of two workers, then a day of three on a site whose article pages no parser knows: the crawl's
    merged profile (each worker's counts merged in Redis) is checked once, by the last worker out, and raises
    the reader monitor, as test_e2e_monitors's single process does."""
    port = free_port()
    summaries: list[list[dict[str, Any]]] = []
    seen: set[Path] = set()
    (tmp_path / "redis").mkdir()
    with running_redis(tmp_path / "redis") as url:
        for day, articles in enumerate(("current", "current", "current", "redesign")):
            now = NOW + timedelta(days=day)
            with running_replica(seed=SEED, scale=SCALE, now=now, port=port, articles=articles) as replica:
                # one crawl of them all: each is held once its run is open until every one is there (on a loaded
                # machine a worker that starts late would find the crawl over and start one of its own)
                pause = tmp_path / f"pause-{day}"
                workers = [start(tmp_path, replica.url, url, {"CQN_PROGRESS_SECONDS": "0"}, f"day{day}-{n}",
                                 CQN_NOW=now.isoformat(), **pause_env(pause, "run_opened"))
                           for n in range(3 if articles == "redesign" else 2)]
                wait_until(lambda: all(held(pause, "run_opened", w) for w in workers), "every worker started", workers)
                release(held(pause, "run_opened"))
                statuses = [w.finish(240) for w in workers]
            assert no_tracebacks(workers), report(workers)
            found = set((tmp_path / "feeds" / "yaowen").glob("*.summary.json")) - seen
            seen |= found
            summaries.append([json.loads(p.read_text(encoding="utf-8")) for p in sorted(found)])
            if articles == "current":
                assert statuses == [0] * len(workers), report(workers)
    for day in summaries[:3]:  # each crawl profiled once, by its last worker, on every worker's reading
        [profile] = [s["monitors"]["profile"] for s in day if s["monitors"]["profile"]]
        assert profile["articles_read"] >= sum(s["totals"]["new"] for s in day) >= 5  # every worker's share
        assert all(s["monitors"]["problems"] == [] for s in day)
    redesigned = summaries[3]
    [checked] = [s for s in redesigned if s["monitors"]["profile"]]
    assert checked["monitors"]["profile"]["articles_read"] >= sum(s["totals"]["new"] for s in redesigned)
    assert checked["monitors"]["profile"]["shares"]["generic"] == 1.0
    assert any(p.startswith("monitor: more articles read by a fallback") and "generic reader: 100%" in p
               for p in checked["problems"]), checked["problems"]
    assert checked["exit_status"] == 1 and not checked["healthy"]
