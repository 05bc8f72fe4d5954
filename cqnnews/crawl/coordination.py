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

from scrapy import Request
from scrapy.crawler import Crawler

from cqnnews.crawl.article_queue import ArticleQueue, ArticleTask, Batch
from cqnnews.signals import articles_scheduled, crawl_moved

if TYPE_CHECKING:
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
