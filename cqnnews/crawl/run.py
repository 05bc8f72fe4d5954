"""One run's context: what its components read (the spider, the site's URLs, the crawl state, the scratch
database, the coordination, the clock, the stats, the tally), made once and frozen.

A :class:`Run` is opened by the :class:`~cqnnews.extensions.ledger.RunLedger` extension, which owns it; every
other component reaches it through the crawler with :func:`run_of` and cannot assign its fields.  It holds the
crawl state (what earlier runs did), the run's scratch database (what this run found and exported, on disk), the
coordination chosen once at start (one process, or one of several workers sharing a crawl in Redis) and the
run's tally (:class:`~cqnnews.crawl.tally.RunTally`): what happens is sent as a signal (:meth:`Run.send`,
:mod:`cqnnews.signals`), and the tally, its one listener, counts it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from scrapy.crawler import Crawler

from cqnnews import failpoints
from cqnnews.clock import CLOCK, now_or_real
from cqnnews.crawl.coordination import Coordination, LocalCoordination
from cqnnews.crawl.shared_coordination import SharedCoordination
from cqnnews.crawl.tally import RunTally
from cqnnews.errors import FeedWriteError
from cqnnews.outputs.feeds import FeedPreparer, feed_opening
from cqnnews.outputs.spotcheck_feed import SIDECARS
from cqnnews.signals import feed_prepared
from cqnnews.state import CrawlState, lock, origin_state_dir, recover
from cqnnews.state.scratch import RunScratch
from cqnnews.state.store import StateStore
from cqnnews.urls import SiteUrls

logger = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)  # a run is itself: compared and hashed by identity
class Run:
    """The run's read-only context; what it counts is its tally's, told with :meth:`send`."""

    spider: str
    urls: SiteUrls
    store: CrawlState
    coordination: Coordination
    now: datetime
    stats: Any  # the crawler's StatsCollector
    signals: Any  # the crawler's SignalManager: what happens is sent on it (send)
    tally: RunTally  # what the run counts, fed by the signals sent
    scratch: RunScratch = field(default_factory=RunScratch)  # found, requested and exported, on disk
    # what the walks found is the ListingWalker's (cqnnews.crawl.pages.walker), sent with signals.walks_ended
    walk_in_full: set[str] = field(default_factory=set)  # listings an earlier run left incomplete
    resume_walks: dict[str, int] = field(default_factory=dict)  # node: the page an earlier run's walk ended before

    @classmethod
    def open(cls, crawler: Crawler) -> "Run":
        """The run of ``crawler``'s spider, with its state opened (and locked, for one process)."""
        settings = crawler.settings
        name = crawler.spidercls.name
        now = now_or_real(settings)
        CLOCK.set(now)  # every date check of this run uses it
        redis_url = settings.get("CQN_REDIS_URL")
        coordination: Coordination
        store: CrawlState
        if redis_url:  # one of several workers sharing a crawl: every Redis step waits out an outage
            from cqnnews.crawl.outage import READS, PatientStore  # the redis extra: only shared crawls
            from cqnnews.state.redis_store import RedisStateStore
            from cqnnews.state.redis_store import client as redis_client

            scope = f"{SiteUrls(settings.get('CQN_BASE_URL')).origin_key}:{name}"
            db = redis_client(redis_url)
            shared = SharedCoordination(crawler, db, scope)
            coordination, outage = shared, shared.crawl.outage
            store = PatientStore(outage.wait(lambda: RedisStateStore(db, scope), "opening the crawl state"), outage,
                                 only=READS)  # type: ignore[assignment]
            failpoints.reached("run_opened")
            recovered = outage.wait(lambda: recover(store, SIDECARS), "recovering dead runs' commits")
            incomplete = outage.wait(store.incomplete_listings, "reading the crawl state")
            unfinished = outage.wait(store.unfinished_walks, "reading the crawl state")
        else:
            state_dir = origin_state_dir(settings.get("CQN_STATE_DIR"), settings.get("CQN_BASE_URL"))
            lock.acquire(state_dir, name)  # held until the process exits
            store = StateStore.open(state_dir, name)
            coordination = LocalCoordination(crawler)
            recovered, incomplete = recover(store, SIDECARS), store.incomplete_listings()
            unfinished = store.unfinished_walks()
        urls = SiteUrls(settings.get("CQN_BASE_URL"))
        run = cls(spider=name, urls=urls, store=store, coordination=coordination, now=now, stats=crawler.stats,
                  signals=crawler.signals, tally=RunTally(crawler.stats, urls.canonical).connect(crawler.signals),
                  walk_in_full=incomplete, resume_walks=unfinished)
        for line in recovered:
            logger.warning("crawl state %s: %s", store.path, line)
        crawler.signals.connect(run.answer_feed_opening, signal=feed_opening)
        return run

    def answer_feed_opening(self) -> FeedPreparer:
        """A feed storage opens (:data:`cqnnews.outputs.feeds.feed_opening`): what records its articles before it is
        stored."""
        return self.prepare_feed

    def prepare_feed(self, feed: str, part: str, lines: int | None) -> None:
        """The feed is flushed to ``part``: record its articles in the state as prepared for ``feed``.

        ``lines``, where the feed is JSON Lines, must be the number of articles staged: a
        feed that does not hold every article the run counts as exported is not stored.
        """
        self.closing()
        staged = self.scratch.exported_count()
        if lines is not None and lines != staged:
            raise FeedWriteError(f"feed {feed} holds {lines} lines but {staged} articles were exported into it: "
                                 "not stored")
        self.store.prepare(self.scratch.exported(), feed, part)
        self.send(feed_prepared, feed=feed)

    def closing(self) -> None:
        """From now on (the feed stored, the run ending) every call to a shared crawl state waits out an outage."""
        if isinstance(self.coordination, SharedCoordination):
            from cqnnews.crawl.outage import PatientStore  # the redis extra: only shared crawls

            if isinstance(self.store, PatientStore):
                self.store.wait_on_every_call()

    def send(self, signal: object, **named: Any) -> None:
        """Say that ``signal`` (:mod:`cqnnews.signals`) happened: the tally counts it."""
        self.signals.send_catch_log(signal=signal, **named)

    def count(self, key: str, n: int = 1) -> None:
        """A stat of the crawl's, ``cqnnews/<key>``: Scrapy's stats collector counts it."""
        self.stats.inc_value(f"cqnnews/{key}", n)

    @property
    def articles_scheduled(self) -> bool:
        """Whether the articles were handed to the scheduler (the coordination's :class:`RunView` reads it)."""
        return self.tally.articles_scheduled

    def settled(self) -> set[int]:
        """Articles with an outcome other than exported."""
        return self.tally.settled()


def run_of(crawler: Crawler) -> Run:
    """The run of ``crawler``, as the :class:`~cqnnews.extensions.ledger.RunLedger` extension holds it."""
    extensions = getattr(crawler, "extensions", None)
    for extension in getattr(extensions, "middlewares", ()):
        run = getattr(extension, "run", None)
        if isinstance(run, Run):
            return run
    raise RuntimeError("no cqnnews run: the RunLedger extension is not enabled (see EXTENSIONS in cqnnews.settings)")
