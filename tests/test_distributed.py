"""The Redis side of a shared crawl (cqnnews/crawl/distributed.py, crawl_profile.py, state/redis_store.py): each step
one atomic script, so an outage or a kill between two calls leaves nothing half done; against a real redis-server."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from scrapy.utils.test import get_crawler

from cqnnews.crawl.crawl_profile import CrawlProfile
from cqnnews.crawl.distributed import RedisCrawl
from cqnnews.crawl.outage import Outage
from cqnnews.crawl.shared_queue import _QUEUE, _REQUEUE
from cqnnews.crawl.spiders.registry import SPIDERS
from cqnnews.state import recover
from cqnnews.state.history import ArticlesRead
from cqnnews.state.records import Exported
from cqnnews.state.redis_store import RedisStateStore
from tests.conftest import project_settings
from tests.redis_server import running_redis


@pytest.fixture
def db(tmp_path: Path) -> Iterator[redis.Redis]:
    with running_redis(tmp_path) as url:
        yield redis.Redis.from_url(url)


def coordinator(db: redis.Redis) -> RedisCrawl:
    made = RedisCrawl(db, "origin:yaowen")
    made.outage = Outage(get_crawler(SPIDERS["yaowen"], project_settings()), "redis://127.0.0.1:1/0")
    db.set(made.key(f"alive:{made.worker}"), 1)
    return made


def test_a_request_is_recorded_as_seen_and_queued_in_one_step(db: redis.Redis) -> None:
    crawl = coordinator(db)
    queue = db.register_script(_QUEUE)
    keys = ["dupefilter", "queue", *crawl.taken_keys()]
    db.hset(crawl.taken_keys()[0], 7, b"held")
    db.hset(crawl.taken_keys()[1], 7, 0)
    assert queue(keys=keys, args=["fp1", 0, b"page", 7]) == 1  # queued, and no longer held by the worker
    assert db.zcard("queue") == 1 and db.sismember("dupefilter", "fp1") and db.hlen(crawl.taken_keys()[0]) == 0
    assert queue(keys=keys, args=["fp1", 0, b"page again", ""]) == 0  # seen: dropped
    assert queue(keys=keys, args=["", 0, b"page again, dont_filter", ""]) == 1
    assert db.zcard("queue") == 2


def test_an_article_is_queued_again_once_in_a_crawl(db: redis.Redis) -> None:
    requeue = db.register_script(_REQUEUE)
    assert requeue(keys=["requeued", "queue"], args=[42, 0, b"article 42"]) == 1
    assert requeue(keys=["requeued", "queue"], args=[42, 0, b"article 42"]) == 0
    assert db.zcard("queue") == 1 and db.smembers("requeued") == {b"42"}


def test_the_switch_is_held_by_one_worker_and_taken_over_from_a_dead_one(db: redis.Redis) -> None:
    holder, other = coordinator(db), coordinator(db)
    assert holder.take_switch()
    assert not other.take_switch()  # a live holder keeps it
    assert holder.take_switch()  # cut short, its holder does it again
    db.delete(holder.key(f"alive:{holder.worker}"))  # the holder died before setting the phase
    assert other.take_switch()
    assert db.get(other.key("switch")).decode() == other.worker


def test_the_crawl_profile_is_merged_once_per_worker_and_checked_by_the_last(db: redis.Redis) -> None:
    one, two = coordinator(db), coordinator(db)
    for worker in (one, two):
        db.hset(worker.key("workers"), worker.worker, "idle")
    db.set(one.key("done"), 1)
    first = CrawlProfile(db, one.key, one.worker)
    second = CrawlProfile(db, two.key, two.worker)
    share = ArticlesRead(articles=3, time_of_day=3, authors=1, source=2, generic=0, fallback=1, body_chars=[100, 200, 300])
    assert first.merge(share, {"综合/要闻一": 2}, {"综合/要闻一": "menu"}) is None  # the other has not added its share
    assert first.merge(share, {"综合/要闻一": 2}, {"综合/要闻一": "menu"}) is None  # a retry counts nothing twice
    merged = second.merge(ArticlesRead(articles=1, generic=1, body_chars=[50]), {"综合/要闻二": 1}, {"综合/要闻二": "more"})
    assert merged is not None
    reading, new, routes = merged
    assert (reading.articles, reading.time_of_day, reading.generic, sorted(reading.body_chars)) == (4, 3, 1,
                                                                                                   [50, 100, 200, 300])
    assert new == {"综合/要闻一": 2, "综合/要闻二": 1} and routes == {"综合/要闻一": "menu", "综合/要闻二": "more"}
    assert first.merge(share, {}, {}) is None  # checked once per crawl


def test_recovery_leaves_a_live_runs_commit_alone_and_uses_absolute_paths(db: redis.Redis, tmp_path: Path,
                                                                          monkeypatch: Any) -> None:
    store = RedisStateStore(db, "origin:yaowen")
    record = Exported(1, "https://www.cqn.com.cn/zgzlb/content/2026-11/25/content_1.htm", "h", None, ["要闻"], 1)
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    monkeypatch.chdir(tmp_path)
    try:
        for name, process in (("live", live), ("dead", dead)):
            monkeypatch.setattr(os, "getpid", lambda p=process: p.pid)  # prepared by that process
            store.prepare([record], f"feeds/{name}.jsonl", f"feeds/{name}.jsonl.part")
        monkeypatch.undo()
        (tmp_path / "feeds").mkdir()
        (tmp_path / "feeds" / "live.jsonl.part").write_text("{}\n")
        (tmp_path / "feeds" / "dead.jsonl.part").write_text("{}\n")
        elsewhere = tmp_path / "elsewhere"  # a worker started in another folder
        elsewhere.mkdir()
        monkeypatch.chdir(elsewhere)
        assert store.prepared_feeds() == [(str(tmp_path / "feeds" / "dead.jsonl"),
                                           str(tmp_path / "feeds" / "dead.jsonl.part"))]
        [line] = recover(store)
        assert "undid the commit" in line
        assert (tmp_path / "feeds" / "live.jsonl.part").exists()  # the live run's, untouched
        assert not (tmp_path / "feeds" / "dead.jsonl.part").exists()
    finally:
        live.kill()
        live.wait()
