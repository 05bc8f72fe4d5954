"""One run's bookkeeping: what it found, fetched, exported and failed, per section and in total.

A :class:`Run` is made and owned by the :class:`~cqnnews.extensions.ledger.RunLedger`
extension; every other component reaches it through the crawler with :func:`run_of`.
It holds the crawl state (what earlier runs did), the run's scratch database (what this
run found and exported, on disk) and the coordination chosen once at start: one process,
or one of several workers sharing a crawl in Redis.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from scrapy.crawler import Crawler

from cqnnews import failpoints
from cqnnews.clock import CLOCK, now_or_real
from cqnnews.coordination import Coordination, LocalCoordination, SharedCoordination
from cqnnews.errors import FeedWriteError
from cqnnews.feeds import FeedPreparer, feed_opening
from cqnnews.history import Reading
from cqnnews.spotcheck_feed import SIDECARS
from cqnnews.state import CrawlState, lock, origin_state_dir, recover
from cqnnews.state.scratch import RunScratch
from cqnnews.state.store import Retry, StateStore
from cqnnews.urls import SiteUrls

logger = logging.getLogger(__name__)

#: what a section's tally counts; ``totals`` counts each article once
OUTCOMES = ("new", "duplicate", "revised", "unchanged", "dropped", "failed", "not_fetched")


@dataclass(frozen=True)
class Failed:
    article_id: int
    url: str
    sections: list[str]
    reason: str


@dataclass
class Run:
    spider: str
    urls: SiteUrls
    store: CrawlState
    coordination: Coordination
    now: datetime
    stats: Any  # the crawler's StatsCollector
    scratch: RunScratch = field(default_factory=RunScratch)  # found, requested and exported, on disk
    failed: list[Failed] = field(default_factory=list)
    unchanged: set[int] = field(default_factory=set)  # rechecked, same content: only seen again
    dropped: set[int] = field(default_factory=set)  # refused by a pipeline
    tally: dict[str, Counter[str]] = field(default_factory=dict)  # per section
    totals: Counter[str] = field(default_factory=Counter)  # each article once
    # what the walks found is the ListingWalker's (cqnnews.spiders.walker), sent with signals.walks_ended
    walk_in_full: set[str] = field(default_factory=set)  # listings an earlier run left incomplete
    resume_walks: dict[str, int] = field(default_factory=dict)  # node: the page an earlier run's walk ended before
    attachment_failures: list[dict[str, Any]] = field(default_factory=list)  # files not downloaded, and why
    attachment_attempts: dict[int, int] = field(default_factory=dict)  # pending for an attachment: runs tried
    attachment_retries: dict[int, Retry] = field(default_factory=dict)  # exported, a file to fetch next run
    reading: Reading = field(default_factory=Reading)  # every article read, counted for the monitors
    prepared_feed: str | None = None  # the feed whose articles the state holds as prepared
    where: str = "navigation"
    articles_scheduled: bool = False
    articles_requested: int = 0

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
            from cqnnews.outage import READS, PatientStore  # the redis extra: only shared crawls
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
        run = cls(spider=name, urls=SiteUrls(settings.get("CQN_BASE_URL")), store=store, coordination=coordination,
                  now=now, stats=crawler.stats)
        for line in recovered:
            logger.warning("crawl state %s: %s", store.path, line)
        run.walk_in_full, run.resume_walks = incomplete, unfinished
        crawler.signals.connect(run.answer_feed_opening, signal=feed_opening)
        return run

    def answer_feed_opening(self) -> FeedPreparer:
        """A feed storage opens (:data:`cqnnews.feeds.feed_opening`): what records its articles before it is
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
        self.prepared_feed = feed

    def closing(self) -> None:
        """From now on (the feed stored, the run ending) every call to a shared crawl state waits out an outage."""
        if isinstance(self.coordination, SharedCoordination) and not getattr(self, "_closing", False):
            from cqnnews.outage import PatientStore  # the redis extra: only shared crawls

            self._closing = True
            store = getattr(self.store, "_store", self.store)  # the reads' waiting store: every call waits now
            self.store = PatientStore(store, self.coordination.crawl.outage)  # type: ignore[assignment]

    def count(self, key: str, n: int = 1) -> None:
        self.stats.inc_value(f"cqnnews/{key}", n)

    def add(self, sections: Iterable[str], outcome: str) -> None:
        """One article's outcome, counted once in total and once in each of its sections."""
        self.totals[outcome] += 1
        for name in list(sections) or ["(none)"]:
            self.tally.setdefault(name, Counter())[outcome] += 1

    def fail(self, aid: int, url: str, sections: list[str], reason: str) -> None:
        self.count("article/failed")
        self.add(sections, "failed")
        self.failed.append(Failed(aid, self.urls.canonical(url), list(sections), reason))
        logger.warning("skipped article %s: %s", url, reason)

    def settled(self) -> set[int]:
        """Articles with an outcome other than exported."""
        return self.unchanged | self.dropped | {f.article_id for f in self.failed}

    def progress(self) -> str:
        done = sum(self.totals[k] for k in ("new", "revised", "unchanged", "failed"))
        return (f"{self.where}; {self.scratch.found_count} articles to fetch, "
                f"{done}/{self.articles_requested} fetched, "
                f"{len(self.failed)} failed")


def run_of(crawler: Crawler) -> Run:
    """The run of ``crawler``, as the :class:`~cqnnews.extensions.ledger.RunLedger` extension holds it."""
    extensions = getattr(crawler, "extensions", None)
    for extension in getattr(extensions, "middlewares", ()):
        run = getattr(extension, "run", None)
        if isinstance(run, Run):
            return run
    raise RuntimeError("no cqnnews run: the RunLedger extension is not enabled (see EXTENSIONS in cqnnews.settings)")
