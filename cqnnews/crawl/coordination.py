"""How a run hands out its work: one process alone, or one of several workers sharing a crawl.

Both are a :class:`Coordination`, chosen once when the run opens (``CQN_REDIS_URL`` set or
not).  The spider walks listings the same way in both; what differs is asked here: whether
it may ask for listing pages ahead, whether requests go through the duplicate filter, what
happens to articles found on a listing page, and which articles the spider is to request when
it runs dry (a :class:`~cqnnews.crawl.article_queue.Batch`: the coordination never calls the spider).
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import task

from cqnnews import failpoints
from cqnnews.crawl.article_queue import ArticleQueue, ArticleTask, Batch, gone
from cqnnews.crawl.crawl_profile import CrawlProfile, Merged
from cqnnews.state.history import ArticlesRead
from cqnnews.signals import articles_scheduled, crawl_moved
from cqnnews.errors import StateError

if TYPE_CHECKING:
    import redis

    from cqnnews.state import CrawlState
    from cqnnews.state.scratch import RunScratch
    from cqnnews.urls import SiteUrls

logger = logging.getLogger(__name__)

Noted = tuple[int, str, str, tuple[int, ...]]  # article id, canonical URL, listing name, listing order


class RunView(Protocol):
    """What a coordination reads of the run and tells it (:class:`cqnnews.crawl.run.Run` is one); the run imports the
    coordination, never the other way."""

    @property
    def store(self) -> CrawlState: ...

    @property
    def urls(self) -> SiteUrls: ...

    @property
    def scratch(self) -> RunScratch: ...

    @property
    def articles_scheduled(self) -> bool: ...  # once the articles are handed to the scheduler

    def settled(self) -> set[int]: ...

    def send(self, signal: object, **named: Any) -> None:
        """Say that ``signal`` (:mod:`cqnnews.signals`) happened: ``articles_scheduled``, ``crawl_moved``."""
        ...


class Coordination(Protocol):
    shared: bool
    errors: tuple[type[Exception], ...]  # what wait_out may wait out: Redis's errors in a shared crawl, else none

    def walks_listings(self) -> bool:
        """Whether this process starts at the home page (a worker joining late takes articles only)."""
        ...

    def pages_bypass_filter(self) -> bool:
        """Navigation and listing requests skip the duplicate filter (a resumed job must see them again)."""
        ...

    def articles_bypass_filter(self) -> bool:
        """Article requests skip the duplicate filter: each is requested once by construction."""
        ...

    def asks_ahead(self) -> bool:
        """The listing walk may ask for several pages at once: its walk state lives in this process."""
        ...

    def noted(self, run: RunView, found: list[Noted]) -> tuple[ArticleTask, ...]:
        """Articles not exported before, found on a listing page; the run's scratch has them already.  Those to
        request at once (found in a shared crawl after its switch to articles)."""
        ...

    def next_batch(self, run: RunView, queue: ArticleQueue) -> Batch:
        """The spider ran dry: what it is to request next (from ``queue``), and whether it stays open."""
        ...

    def schedule(self, batch: Batch, requests: Sequence[Request]) -> None:
        """The requests the spider made of ``batch``'s tasks (one each, in order), handed to the scheduler."""
        ...

    def exported(self, article_id: int) -> None: ...

    def done_with(self, request: Request) -> None:
        """An errback is done with ``request`` (a callback's end is seen by a spider middleware)."""
        ...

    async def wait_out(self, exc: Exception) -> bool:
        """The crawl state could not be reached: wait a moment (True: try again), or give up (False)."""
        ...

    def unaccounted(self, run: RunView) -> list[int]:
        """Articles this process requested that have no outcome (swallowed by a redirect loop, or the run
        stopped first)."""
        ...

    def close(self) -> None: ...


class LocalCoordination:
    """One process: article requests go to the scheduler in batches each time the spider runs dry."""

    shared = False
    errors: tuple[type[Exception], ...] = ()  # nothing to wait out

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.batch_size = crawler.settings.getint("CQN_ARTICLE_BATCH")
        self.resumable = bool(crawler.settings.get("JOBDIR"))  # a paused job's walk state would not survive
        self._queue: Iterator[ArticleTask] | None = None

    def walks_listings(self) -> bool:
        return True

    def pages_bypass_filter(self) -> bool:
        return True

    def articles_bypass_filter(self) -> bool:
        return not self.resumable

    def asks_ahead(self) -> bool:
        return not self.resumable

    def noted(self, run: RunView, found: list[Noted]) -> tuple[ArticleTask, ...]:
        return ()

    def next_batch(self, run: RunView, queue: ArticleQueue) -> Batch:
        if self._queue is None:
            run.send(articles_scheduled)
            run.send(crawl_moved, where="articles")
            self._queue = queue.tasks()
        batch = tuple(itertools.islice(self._queue, self.batch_size))
        return Batch(batch, keep_open=bool(batch))

    def schedule(self, batch: Batch, requests: Sequence[Request]) -> None:
        assert self.crawler.engine is not None
        for request in requests:
            self.crawler.engine.crawl(request)

    def exported(self, article_id: int) -> None:
        pass

    def done_with(self, request: Request) -> None:
        pass

    async def wait_out(self, exc: Exception) -> bool:
        return False  # a local state that fails is not coming back within the run

    def unaccounted(self, run: RunView) -> list[int]:
        return run.scratch.without_outcome(run.settled()) if run.articles_scheduled else []

    def close(self) -> None:
        pass


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

