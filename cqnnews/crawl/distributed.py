"""Several workers, one crawl: scrapy-redis's shared queue and duplicate filter, plus coordination.

Every worker started with the same spider and ``CQN_REDIS_URL`` takes requests from one
shared queue.  Listing pages are walked by whichever worker takes them; what they find is
noted in Redis, with every listing an article was found in.  When the queue is empty and
every live worker is idle, one worker switches the crawl to its article phase and queues
each noted article once.  When that queue runs dry too, articles still pending that no
live worker has exported (a killed worker's) are queued once more; then the crawl is done
and every worker exits.  A worker is live while its heartbeat key lasts.

Nothing a worker took is lost with it: taking a request from the shared queue records it
under the worker (``taken:<worker>``) and marks the worker busy in one step, and the
record goes when the request's callback or errback is done with it, or when it goes back
to the queue (a redirect, a retry).  When a worker is found dead, what it still held goes
back to the queue.  While Redis cannot be reached, a worker pauses: it takes nothing,
keeps what it would queue, declares no one dead until its peers have had time to beat
again, and resumes when Redis answers; past ``CQN_REDIS_OUTAGE_MAX`` seconds it stops
(reason ``redis_unavailable``) with its feed stored and everything it held still pending.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import uuid
from typing import Any

import redis
from twisted.internet import task

from cqnnews import failpoints
from cqnnews.crawl.outage import ALIVE_SECONDS, HEARTBEAT_SECONDS, Outage

logger = logging.getLogger(__name__)

# Take the first request of the queue, record it under the worker and mark the worker busy, at once.
_TAKE = """
local item = redis.call('ZPOPMIN', KEYS[1])
if #item == 0 then return nil end
local token = redis.call('INCR', KEYS[4])
redis.call('HSET', KEYS[2], token, item[1])
redis.call('HSET', KEYS[3], token, item[2])
redis.call('HSET', KEYS[5], ARGV[1], 'busy')
return {token, item[1]}
"""
# Put back in the queue what a dead worker held.
_GIVE_BACK = """
local entries = redis.call('HGETALL', KEYS[2])
for i = 1, #entries, 2 do
  redis.call('ZADD', KEYS[1], redis.call('HGET', KEYS[3], entries[i]) or 0, entries[i + 1])
end
redis.call('DEL', KEYS[2], KEYS[3])
return #entries / 2
"""
# The switch to the article phase: taken by one worker, or taken over from one that died holding it.
_SWITCH = """
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] and redis.call('EXISTS', ARGV[2] .. holder) == 1 then return 0 end
redis.call('SET', KEYS[1], ARGV[1])
return 1
"""
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
        "SCHEDULER": "cqnnews.crawl.shared_queue.WorkerScheduler",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_QUEUE_CLASS": "cqnnews.crawl.shared_queue.TakenQueue",
        "SCHEDULER_QUEUE_KEY": f"cqn:{spider}:requests",
        "SCHEDULER_DUPEFILTER_KEY": f"cqn:{spider}:dupefilter",
        "SCHEDULER_PERSIST": True,  # a worker leaving does not empty the shared queue
    }


class RedisCrawl:
    outage: Outage

    def __init__(self, client: redis.Redis, spider: str) -> None:
        self.db = client
        self._take = client.register_script(_TAKE)
        self._give_back = client.register_script(_GIVE_BACK)
        self._switch = client.register_script(_SWITCH)
        self._unsent_notes: list[tuple[int, str, str, tuple[int, ...]]] = []
        self._unsent_claims: list[int] = []
        self.prefix = f"cqn:{spider}:crawl:"
        self.queue_key = f"cqn:{spider}:requests"
        self.dupefilter_key = f"cqn:{spider}:dupefilter"
        self.worker = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self._state = ""
        self._beat = 0  # beats so far: a peer that beats again since a moment is alive, not only not expired
        self._loop: task.LoopingCall | None = None

    def key(self, name: str) -> str:
        return self.prefix + name

    # --- membership ----------------------------------------------------------------------

    def join(self, spider: Any) -> None:
        """Beat from now on, busy: the first beat says so; while Redis is away, the beats go on trying."""
        look_at_the_queue_often(spider.crawler.engine)
        self._state = "busy"
        self._loop = task.LoopingCall(self.heartbeat)
        self._loop.start(HEARTBEAT_SECONDS, now=True)
        failpoints.reached("crawl_joined")

    def heartbeat(self) -> None:
        self._beat += 1
        try:
            self.db.set(self.key(f"alive:{self.worker}"), self._beat, ex=ALIVE_SECONDS)
            if self._state:
                self.db.hset(self.key("workers"), self.worker, self._state)
        except redis.RedisError as exc:  # the loop goes on: it beats again when Redis is back
            self.outage.failed(exc)
            return
        self.outage.answered()

    # --- requests taken from the shared queue ----------------------------------------------

    def _taken_keys(self, worker: str) -> list[str]:
        return [self.key(f"taken:{worker}"), self.key(f"taken-score:{worker}")]

    def taken_keys(self) -> list[str]:
        return self._taken_keys(self.worker)

    def take(self, queue_key: str) -> tuple[bytes, bytes] | None:
        """The first request of the queue, recorded as taken by this worker, which is now busy."""
        taken = self._take(keys=[queue_key, *self._taken_keys(self.worker), self.key("taken-seq"),
                                 self.key("workers")], args=[self.worker])
        if taken is None:
            return None
        self._state = "busy"
        return taken[0], taken[1]

    def release(self, token: int) -> None:
        try:
            pipe = self.db.pipeline(transaction=True)
            for key in self._taken_keys(self.worker):
                pipe.hdel(key, token)
            pipe.execute()
        except redis.RedisError as exc:  # given back later only if this worker dies: at worst fetched twice
            self.outage.failed(exc)

    def taken_count(self) -> int:
        return int(self.db.hlen(self._taken_keys(self.worker)[0]))

    def _mark(self, state: str) -> None:
        if state != self._state:
            self.db.hset(self.key("workers"), self.worker, state)
            self._state = state

    def idle(self) -> None:
        self._mark("idle")

    def alive(self) -> dict[str, str]:
        workers = {k.decode(): v.decode() for k, v in self.db.hgetall(self.key("workers")).items()}
        pipe = self.db.pipeline(transaction=False)
        for worker in workers:
            pipe.exists(self.key(f"alive:{worker}"))
        live = {w: s for (w, s), up in zip(workers.items(), pipe.execute()) if up}
        gone = set(workers) - set(live)
        if gone and self.outage.settled():  # right after an outage, silence says nothing of the others
            for worker in gone:
                given = self._give_back(keys=[self.queue_key, *self._taken_keys(worker)])
                if given:
                    logger.warning("worker %s is gone: %d requests it held are queued again", worker, given)
            self.db.hdel(self.key("workers"), *gone)
        return live if self.outage.settled() else workers

    def everyone_idle(self) -> bool:
        """The shared queue is empty and every live worker is idle (what dead ones held is queued first)."""
        live = self.alive()
        return self.db.zcard(self.queue_key) == 0 and all(s == "idle" for s in live.values())

    def leave(self) -> bool:
        """Out of the crawl; True if this worker was the last one out of a finished crawl (it clears it)."""
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        if self.taken_count():  # stopped with requests in hand: they go back for the others
            self._give_back(keys=[self.queue_key, *self._taken_keys(self.worker)])
        self.db.delete(self.key(f"alive:{self.worker}"))
        self.db.hdel(self.key("workers"), self.worker)
        if not self.alive() and self.done():
            # the last worker out clears the crawl, so the next run starts afresh (state stays)
            keys = list(self.db.scan_iter(self.prefix + "*"))
            self.db.delete(self.dupefilter_key, self.queue_key, *keys)
            return True
        return False

    # --- the crawl -----------------------------------------------------------------------

    def phase(self) -> str:
        value = self.db.get(self.key("phase"))
        return value.decode() if value else "listings"

    def note(self, entries: list[tuple[int, str, str, tuple[int, ...]]]) -> None:
        """Articles found on a listing page: (id, URL, listing name, listing order); kept here and sent
        again while Redis cannot be reached."""
        self._unsent_notes.extend(entries)
        if not self._unsent_notes:
            return
        pipe = self.db.pipeline(transaction=False)
        for aid, url, name, order in self._unsent_notes:
            pipe.hsetnx(self.key("found"), aid, url)
            pipe.hset(self.key("sections"), f"{aid}|{name}", json.dumps(list(order)))
        try:
            pipe.execute()
        except redis.RedisError as exc:
            self.outage.failed(exc)
            return
        self._unsent_notes.clear()

    def flush(self) -> None:
        """Send what waited for Redis (notes, claims); RedisError if it still cannot be reached."""
        if self._unsent_notes:
            self.note([])
        if self._unsent_claims:
            self.claim_all([])
        if self._unsent_notes or self._unsent_claims:
            raise redis.ConnectionError("Redis still unreachable")

    def found(self) -> dict[int, tuple[str, dict[str, tuple[int, ...]]]]:
        urls = {int(k): v.decode() for k, v in self.db.hgetall(self.key("found")).items()}
        out: dict[int, tuple[str, dict[str, tuple[int, ...]]]] = {aid: (url, {}) for aid, url in urls.items()}
        for key, order in self.db.hgetall(self.key("sections")).items():
            aid, name = key.decode().split("|", 1)
            if int(aid) in out:
                out[int(aid)][1][name] = tuple(json.loads(order))
        return out

    def take_switch(self) -> bool:
        """True for the one worker that switches the crawl to its article phase: the first to ask, or again the
        one that holds it (its switch was cut short), or one taking over from a holder that died."""
        if not self.outage.settled():  # right after an outage a live holder may not have beaten yet
            held = self.db.get(self.key("switch"))
            if held is not None and held.decode() != self.worker:
                return False
        return bool(self._switch(keys=[self.key("switch")], args=[self.worker, self.key("alive:")]))

    def articles_phase(self) -> None:
        self.db.set(self.key("phase"), "articles")

    def claim(self, article_id: int) -> None:
        """This worker exported the article (its feed is not closed yet): nobody queues it again."""
        self.claim_all([article_id])

    def claim_all(self, ids: list[int]) -> None:
        self._unsent_claims.extend(ids)
        try:
            self.db.hset(self.key("claimed"), mapping={aid: self.worker for aid in self._unsent_claims})
        except redis.RedisError as exc:
            self.outage.failed(exc)
            return
        self._unsent_claims.clear()

    def beats(self) -> dict[str, int]:
        """The last beat of each other live worker."""
        others = [w for w in self.alive() if w != self.worker]
        values = self.db.mget([self.key(f"alive:{w}") for w in others]) if others else []
        return {w: int(v) for w, v in zip(others, values) if v is not None}

    def claimed_by_live_workers(self) -> set[int]:
        live = set(self.alive())
        return {int(k) for k, w in self.db.hgetall(self.key("claimed")).items() if w.decode() in live}

    def requeue_keys(self) -> list[str]:
        """The set of articles queued again in this crawl, and the queue: one script marks and queues each."""
        return [self.key("requeued"), self.queue_key]

    def requeued(self) -> set[int]:
        return {int(x) for x in self.db.smembers(self.key("requeued"))}

    def finish(self) -> None:
        self.db.set(self.key("done"), 1)

    def done(self) -> bool:
        return bool(self.db.exists(self.key("done")))
