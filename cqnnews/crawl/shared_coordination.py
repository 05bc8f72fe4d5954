"""A worker of a crawl shared in Redis: the :class:`~cqnnews.crawl.coordination.Coordination` chosen when
``CQN_REDIS_URL`` is set.  Listing pages are walked by one worker at a time and asked ahead by none; the
articles found go to the shared queue once across workers; what dead workers held is queued again.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import task

from cqnnews import failpoints
from cqnnews.crawl.article_queue import ArticleQueue, ArticleTask, Batch, gone
from cqnnews.crawl.coordination import Noted, RunView
from cqnnews.crawl.crawl_profile import CrawlProfile, Merged
from cqnnews.errors import StateError
from cqnnews.signals import articles_scheduled, crawl_moved
from cqnnews.state.history import ArticlesRead

if TYPE_CHECKING:
    import redis

logger = logging.getLogger(__name__)

class SharedCoordination:
    """A worker of a crawl shared in Redis (see :mod:`cqnnews.crawl.distributed`)."""

    shared = True

    def __init__(self, crawler: Crawler, client: redis.Redis, spider: str) -> None:
        import redis  # the redis extra: only a shared crawl imports it

        from cqnnews.crawl.distributed import RedisCrawl
        from cqnnews.crawl.outage import Outage

        self.errors: tuple[type[Exception], ...] = (redis.RedisError,)
        self.crawler = crawler
        self.crawl = RedisCrawl(client, spider)
        self.crawl.outage = Outage(crawler, crawler.settings.get("CQN_REDIS_URL"))
        self.profile = CrawlProfile(client, self.crawl.key, self.crawl.worker)
        self.last_out = False  # this worker left a crawl done with no live worker but itself
        self._beats: dict[str, int] | None = None  # the peers' beats when nothing was left to queue
        crawler.signals.connect(self.crawl.join, signal=signals.spider_opened)

    def walks_listings(self) -> bool:
        try:
            return self.crawl.outage.wait(lambda: self.crawl.phase() == "listings", "joining the crawl")
        except StateError:  # RedisAway: away past CQN_REDIS_OUTAGE_MAX
            self.crawl.outage.give_up()
            return False

    def pages_bypass_filter(self) -> bool:
        return False

    def articles_bypass_filter(self) -> bool:
        return False

    def asks_ahead(self) -> bool:
        return False  # listing pages are parsed by whichever worker takes them

    def noted(self, run: RunView, found: list[Noted]) -> tuple[ArticleTask, ...]:
        self.crawl.note(found)  # kept and sent again while Redis is away
        try:
            late = self.crawl.phase() == "articles"
        except self.errors as exc:  # never raised into the listing page's callback: read again, the page
            self.crawl.outage.failed(exc)  # would look like a repeat of itself and end its listing's walk
            late = bool(found)  # the phase unknown: queued now (a repeat of a queued article is dropped as seen)
        if not late:
            return ()
        try:  # found after the switch: queued now
            run.store.add_pending((aid, url, [name]) for aid, url, name, _ in found)
        except self.errors as exc:  # noted above: a next run's walk finds it again if it is lost here
            self.crawl.outage.failed(exc)
        return tuple(ArticleTask(aid, run.urls.fetchable(url) or url, (name,)) for aid, url, name, _ in found)

    def next_batch(self, run: RunView, queue: ArticleQueue) -> Batch:
        if self.crawl.outage.away:
            return Batch(keep_open=True)  # nothing is known to be done while Redis is away: the scheduler tries again
        try:
            self.crawl.flush()
            return self._next_batch(run, queue)
        except self.errors as exc:
            self.crawl.outage.failed(exc)
            return Batch(keep_open=True)

    def _next_batch(self, run: RunView, queue: ArticleQueue) -> Batch:
        crawl = self.crawl
        crawl.idle()
        if crawl.done():
            return Batch()
        if not crawl.everyone_idle():
            return Batch(keep_open=True)
        if crawl.phase() == "listings":
            if not crawl.take_switch():
                return Batch(keep_open=True)
            # cut short (an outage, a kill), the switch is done again whole: queueing an article twice is a no-op
            # (the shared duplicate filter records and queues in one step)
            failpoints.reached("switch_taken")
            for aid, (url, orders) in crawl.found().items():
                fetch = run.urls.fetchable(url)
                for name, order in orders.items():
                    if fetch is not None:
                        run.scratch.note([(aid, fetch)], name, order)
            run.send(crawl_moved, where="articles")
            run.send(articles_scheduled)
            return Batch(tuple(queue.tasks()), keep_open=True, kind="switch")
        # articles phase, nothing queued, nobody busy: what a killed worker took and did not export
        claimed = crawl.claimed_by_live_workers()
        requeued = crawl.requeued()
        by_id = {p.article_id: p for p in run.store.pending()
                 if p.article_id not in claimed and p.article_id not in requeued and not gone(p.reason)}
        again = tuple(ArticleTask(aid, fetch, tuple(pending.sections), again=True)
                      for aid, pending in sorted(by_id.items()) if (fetch := run.urls.fetchable(pending.url)))
        if again:  # queued by schedule; one taken again meanwhile by another worker is left out of the next batch
            return Batch(again, keep_open=True, kind="requeue")
        # a worker killed a moment ago is still "live" until its heartbeat key lapses, and its exported articles
        # claimed: finish only once every other live worker has beaten again since nothing was left to queue
        beats = crawl.beats()
        if self._beats is None or set(beats) - set(self._beats) \
                or any(beats[w] <= self._beats[w] for w in beats):
            if self._beats is None or set(beats) - set(self._beats):
                self._beats = beats
            return Batch(keep_open=True)
        failpoints.reached("crawl_finishing")
        crawl.finish()
        return Batch()

    def schedule(self, batch: Batch, requests: Sequence[Request]) -> None:
        assert self.crawler.engine is not None
        try:
            if batch.kind == "requeue":
                self._requeue(batch, requests)
                return
            for request in requests:
                self.crawler.engine.crawl(request)
            if batch.kind == "switch":
                failpoints.reached("switch_queued")
                self.crawl.articles_phase()
        except self.errors as exc:
            self.crawl.outage.failed(exc)

    def _requeue(self, batch: Batch, requests: Sequence[Request]) -> None:
        assert self.crawler.engine is not None
        scheduler = self.crawler.engine.scheduler
        queued = 0
        for article, request in zip(batch.tasks, requests, strict=True):
            if scheduler.requeue_once(article.article_id, request):
                queued += 1
                failpoints.reached("requeued_one")
        if queued:
            self._beats = None
            logger.info("queued again %d articles a worker took and did not finish", queued)

    def exported(self, article_id: int) -> None:
        self.crawl.claim(article_id)
        failpoints.hold_engine("article_exported", self.crawler.engine)

    def done_with(self, request: Request) -> None:
        if (token := request.meta.get("cqn_taken")) is not None:
            self.crawl.release(token)

    async def wait_out(self, exc: Exception) -> bool:
        self.crawl.outage.failed(exc)
        if self.crawl.outage.stopping:
            return False
        from twisted.internet import reactor

        await maybe_deferred_to_future(task.deferLater(reactor, 1.0, lambda: None))
        return True

    def unaccounted(self, run: RunView) -> list[int]:
        return []  # in a shared crawl other workers took most of them; pending ones are queued again

    def merged_profile(self, reading: ArticlesRead, new_by_section: dict[str, int], routes: dict[str, str]) -> Merged | None:
        """This worker's share added to the crawl's profile; the merged profile for the one worker to check it."""
        return self.crawl.outage.wait(lambda: self.profile.merge(reading, new_by_section, routes),
                                      "adding to the crawl's profile")

    def unexplained(self, run: RunView) -> int:
        """For the last worker out of a finished crawl: articles still pending that no failure explains (lost)."""
        if not self.last_out:
            return 0
        return sum(1 for p in run.store.pending() if not p.reason)

    def close(self) -> None:
        try:
            self.last_out = bool(self.crawl.outage.wait(self.crawl.leave, "leaving the crawl"))
        except StateError:  # RedisAway: away past CQN_REDIS_OUTAGE_MAX
            logger.error("could not leave the shared crawl in Redis; the others take over what this worker held "
                         "once its heartbeat lapses")

