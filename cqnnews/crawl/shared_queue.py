"""The shared queue of a crawl in Redis: scrapy-redis's scheduler, queue and duplicate filter, made safe to
interrupt (see :mod:`cqnnews.crawl.distributed` for the crawl they serve).

Taking a request records it under the worker (:class:`TakenQueue`); queueing one records it in the
duplicate filter and pushes it in one Lua script, and releases it from the worker if it had taken
it; an article a dead worker held is marked and queued again in one script.  While Redis cannot be
reached the scheduler keeps what it would queue and takes nothing (:class:`~cqnnews.crawl.outage.Outage`);
at start it waits for Redis as the whole worker does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import redis
from scrapy.exceptions import NotConfigured
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler as RedisScheduler

from cqnnews import failpoints
from cqnnews.crawl.outage import RedisAway
from cqnnews.crawl.run import run_of
from cqnnews.crawl.shared_coordination import SharedCoordination

if TYPE_CHECKING:
    from cqnnews.crawl.distributed import RedisCrawl

# Queue a request: its record in the duplicate filter and the push are one step (a retry after a push that
# failed is never dropped as seen), and a request this worker had taken is no longer its own once queued.
_QUEUE = """
if ARGV[1] ~= '' and redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
if ARGV[4] ~= '' then redis.call('HDEL', KEYS[3], ARGV[4]); redis.call('HDEL', KEYS[4], ARGV[4]) end
return 1
"""
# Queue again, once in the crawl, an article a dead worker took: the mark and the push are one step.
_REQUEUE = """
if redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
return 1
"""


def _coordinator(crawler: Any) -> "RedisCrawl":
    coordination = run_of(crawler).coordination
    assert isinstance(coordination, SharedCoordination)
    return coordination.crawl


class TakenQueue(PriorityQueue):
    """scrapy-redis's priority queue; a request taken is recorded under the worker until it is done."""

    coordinator: "RedisCrawl"

    def pop(self, timeout: int = 0) -> Any:
        taken = self.coordinator.take(self.key)
        if taken is None:
            return None
        token, data = taken
        request = self._decode_request(data)
        request.meta["cqn_taken"] = int(token)
        return request


class WorkerScheduler(RedisScheduler):
    """The shared queue, paused while Redis cannot be reached (waited for at start, as the whole worker is)."""

    @classmethod
    def from_crawler(cls, crawler: Any) -> "WorkerScheduler":
        crawl = _coordinator(crawler)
        scheduler: WorkerScheduler = crawl.outage.wait(lambda: super(WorkerScheduler, cls).from_crawler(crawler),
                                                       "opening the shared queue")
        scheduler.server = crawl.db  # the worker's client: no blocking retries inside a call
        return scheduler

    def open(self, spider: Any) -> Any:
        self.crawl = _coordinator(spider.crawler)
        result = self.crawl.outage.wait(lambda: super(WorkerScheduler, self).open(spider), "opening the shared queue")
        self.df.server = self.server
        self.queue.coordinator = self.crawl
        self._queue = self.server.register_script(_QUEUE)
        self._requeue = self.server.register_script(_REQUEUE)
        self.waiting: list[Any] = []  # requests to queue once Redis answers again
        failpoints.reached("scheduler_opened")
        return result

    def _flush(self) -> bool:
        """Queue what waited for Redis; False while it still cannot be reached."""
        while self.waiting:
            request = self.waiting[0]
            try:
                self._push(request)
            except redis.RedisError as exc:
                self.crawl.outage.failed(exc)
                return False
            self.waiting.pop(0)
        return True

    def _push(self, request: Any) -> bool:
        """Recorded as seen and queued in one step (dropped, False, if seen before); a request this worker had
        taken is released in the same step."""
        token = request.meta.pop("cqn_taken", None)  # not carried into the queue
        try:
            fingerprint = "" if request.dont_filter else self.df.request_fingerprint(request)
            queued = bool(self._queue(keys=[self.df.key, self.queue.key, *self.crawl.taken_keys()],
                                      args=[fingerprint, -request.priority, self.queue._encode_request(request),
                                            "" if token is None else token]))
        except BaseException:  # kept for the next try: still this worker's to give back
            if token is not None:
                request.meta["cqn_taken"] = token
            raise
        if not queued:
            self.df.log(request, self.spider)
        elif self.stats:
            self.stats.inc_value("scheduler/enqueued/redis")
        return queued

    def requeue_once(self, article_id: int, request: Any) -> bool:
        """Queue ``request`` again unless this crawl queued the article again before: the mark and the push in one
        step (a worker killed or cut off between them leaves neither); RedisError while Redis is away."""
        return bool(self._requeue(keys=self.crawl.requeue_keys(),
                                  args=[article_id, -request.priority, self.queue._encode_request(request)]))

    def enqueue_request(self, request: Any) -> bool:
        try:
            return self._push(request)
        except redis.RedisError as exc:
            self.crawl.outage.failed(exc)
            self.waiting.append(request)
            return True

    def next_request(self) -> Any:
        if not self._flush():
            return None
        try:
            request = super().next_request()
        except redis.RedisError as exc:
            self.crawl.outage.failed(exc)
            return None
        self.crawl.outage.answered()
        return request

    def has_pending_requests(self) -> bool:
        if self.waiting:
            return True
        try:
            return bool(super().has_pending_requests())
        except redis.RedisError as exc:
            self.crawl.outage.failed(exc)
            return True  # nothing is known to be done while Redis is away


class ReleaseTakenMiddleware:
    """A request's record under its worker goes once its callback's output is all out."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> "ReleaseTakenMiddleware":
        if not crawler.settings.get("CQN_REDIS_URL"):
            raise NotConfigured  # one process: nothing is taken from a shared queue
        return cls(crawler)

    def _done(self, response: Any) -> None:
        token = response.request.meta.get("cqn_taken") if response.request is not None else None
        if token is not None:
            _coordinator(self.crawler).release(token)

    def process_spider_output(self, response: Any, result: Any, spider: Any = None) -> Any:
        yield from result
        self._done(response)

    async def process_spider_output_async(self, response: Any, result: Any, spider: Any = None) -> Any:
        async for item in result:
            yield item
        self._done(response)

    def process_spider_exception(self, response: Any, exception: BaseException, spider: Any = None) -> Any:
        if isinstance(exception, redis.RedisError):  # the page was read while Redis was away: read it again
            _coordinator(self.crawler).outage.failed(exception)
            assert self.crawler.engine is not None
            self.crawler.engine.crawl(response.request.replace(dont_filter=True))
            return []
        if isinstance(exception, RedisAway):  # past CQN_REDIS_OUTAGE_MAX: the worker stops (said once, in one line)
            return []  # not released: still held for the next worker if this one cannot say it is done
        self._done(response)
        return None
