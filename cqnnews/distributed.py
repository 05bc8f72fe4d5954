"""Several workers, one crawl: scrapy-redis's shared queue and duplicate filter, plus coordination.

Every worker started with the same spider and ``CQN_REDIS_URL`` takes requests from one
shared queue.  Listing pages are walked by whichever worker takes them; what they find is
noted in Redis, with every listing an article was found in.  When the queue is empty and
every live worker is idle, one worker switches the crawl to its article phase and queues
each noted article once.  When that queue runs dry too, articles still pending that no
live worker has exported (a killed worker's) are queued once more; then the crawl is done
and every worker exits.  A worker is live while its heartbeat key lasts.
"""

from __future__ import annotations

import json
import os
import socket
import uuid
from typing import Any

import redis
from scrapy_redis.scheduler import Scheduler as RedisScheduler
from twisted.internet import task

HEARTBEAT_SECONDS = 2.0
ALIVE_SECONDS = 10  # a worker silent this long is gone
ENGINE_HEARTBEAT_SECONDS = 0.5


def look_at_the_queue_often(engine: Any) -> None:
    """Make an idle engine look at its scheduler every ENGINE_HEARTBEAT_SECONDS.

    An idle Scrapy engine looks at its scheduler again only on its slot heartbeat, 5 s, and
    no setting changes it: a worker waiting for work another worker queued would sit idle
    that long.  The interval is the private class attribute
    ``ExecutionEngine._SLOT_HEARTBEAT_INTERVAL``, read when request processing starts
    (checked in Scrapy 2.19.0, the version the lock file pins); the only private Scrapy API
    this project uses.  Where a Scrapy version lacks it, workers still work, only slower to
    pick up shared work.
    """
    if hasattr(engine, "_SLOT_HEARTBEAT_INTERVAL"):
        engine._SLOT_HEARTBEAT_INTERVAL = ENGINE_HEARTBEAT_SECONDS


def redis_settings(url: str, spider: str) -> dict[str, Any]:
    """The Scrapy settings that put a spider's scheduler queue and duplicate filter in Redis."""
    return {
        "REDIS_URL": url,
        "SCHEDULER": "cqnnews.distributed.WorkerScheduler",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_QUEUE_CLASS": "scrapy_redis.queue.PriorityQueue",
        "SCHEDULER_QUEUE_KEY": f"cqn:{spider}:requests",
        "SCHEDULER_DUPEFILTER_KEY": f"cqn:{spider}:dupefilter",
        "SCHEDULER_PERSIST": True,  # a worker leaving does not empty the shared queue
    }


class WorkerScheduler(RedisScheduler):
    """The shared queue; a worker that takes a request is marked busy before anyone can miss it."""

    def next_request(self) -> Any:
        request = super().next_request()
        if request is not None:
            from cqnnews.coordination import SharedCoordination  # it imports this module
            from cqnnews.run import run_of

            coordination = run_of(self.spider.crawler).coordination
            if isinstance(coordination, SharedCoordination):
                coordination.crawl.busy()
        return request


class Coordinator:
    def __init__(self, client: redis.Redis, spider: str) -> None:
        self.db = client
        self.prefix = f"cqn:{spider}:crawl:"
        self.queue_key = f"cqn:{spider}:requests"
        self.dupefilter_key = f"cqn:{spider}:dupefilter"
        self.worker = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self._state = ""
        self._loop: task.LoopingCall | None = None

    def key(self, name: str) -> str:
        return self.prefix + name

    # --- membership ----------------------------------------------------------------------

    def join(self, spider: Any) -> None:
        look_at_the_queue_often(spider.crawler.engine)
        self.heartbeat()
        self.busy()
        self._loop = task.LoopingCall(self.heartbeat)
        self._loop.start(HEARTBEAT_SECONDS, now=False)

    def heartbeat(self) -> None:
        self.db.set(self.key(f"alive:{self.worker}"), 1, ex=ALIVE_SECONDS)

    def _mark(self, state: str) -> None:
        if state != self._state:
            self.db.hset(self.key("workers"), self.worker, state)
            self._state = state

    def busy(self) -> None:
        self._mark("busy")

    def idle(self) -> None:
        self._mark("idle")

    def alive(self) -> dict[str, str]:
        workers = {k.decode(): v.decode() for k, v in self.db.hgetall(self.key("workers")).items()}
        pipe = self.db.pipeline(transaction=False)
        for worker in workers:
            pipe.exists(self.key(f"alive:{worker}"))
        live = {w: s for (w, s), up in zip(workers.items(), pipe.execute()) if up}
        gone = set(workers) - set(live)
        if gone:
            self.db.hdel(self.key("workers"), *gone)
        return live

    def everyone_idle(self) -> bool:
        """The shared queue is empty and every live worker is idle."""
        return self.db.zcard(self.queue_key) == 0 and all(s == "idle" for s in self.alive().values())

    def leave(self) -> None:
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        self.db.delete(self.key(f"alive:{self.worker}"))
        self.db.hdel(self.key("workers"), self.worker)
        if not self.alive() and self.done():
            # the last worker out clears the crawl, so the next run starts afresh (state stays)
            keys = list(self.db.scan_iter(self.prefix + "*"))
            self.db.delete(self.dupefilter_key, self.queue_key, *keys)

    # --- the crawl -----------------------------------------------------------------------

    def phase(self) -> str:
        value = self.db.get(self.key("phase"))
        return value.decode() if value else "listings"

    def note(self, entries: list[tuple[int, str, str, tuple[int, ...]]]) -> None:
        """Articles found on a listing page: (id, URL, listing name, listing order)."""
        if not entries:
            return
        pipe = self.db.pipeline(transaction=False)
        for aid, url, name, order in entries:
            pipe.hsetnx(self.key("found"), aid, url)
            pipe.hset(self.key("sections"), f"{aid}|{name}", json.dumps(list(order)))
        pipe.execute()

    def found(self) -> dict[int, tuple[str, dict[str, tuple[int, ...]]]]:
        urls = {int(k): v.decode() for k, v in self.db.hgetall(self.key("found")).items()}
        out: dict[int, tuple[str, dict[str, tuple[int, ...]]]] = {aid: (url, {}) for aid, url in urls.items()}
        for key, order in self.db.hgetall(self.key("sections")).items():
            aid, name = key.decode().split("|", 1)
            if int(aid) in out:
                out[int(aid)][1][name] = tuple(json.loads(order))
        return out

    def take_switch(self) -> bool:
        """True for the one worker that switches the crawl to its article phase."""
        return bool(self.db.set(self.key("switch"), self.worker, nx=True))

    def articles_phase(self) -> None:
        self.db.set(self.key("phase"), "articles")

    def claim(self, article_id: int) -> None:
        """This worker exported the article (its feed is not closed yet): nobody queues it again."""
        self.db.hset(self.key("claimed"), article_id, self.worker)

    def claimed_by_live_workers(self) -> set[int]:
        live = set(self.alive())
        return {int(k) for k, w in self.db.hgetall(self.key("claimed")).items() if w.decode() in live}

    def requeue_once(self, ids: list[int]) -> list[int]:
        """The ids not queued again before in this crawl, now marked as queued again."""
        if not ids:
            return []
        pipe = self.db.pipeline(transaction=False)
        for aid in ids:
            pipe.sadd(self.key("requeued"), aid)
        return [aid for aid, added in zip(ids, pipe.execute()) if added]

    def finish(self) -> None:
        self.db.set(self.key("done"), 1)

    def done(self) -> bool:
        return bool(self.db.exists(self.key("done")))
