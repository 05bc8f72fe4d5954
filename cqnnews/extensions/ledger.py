"""The run's ledger: an article counts as exported only once the feed that holds it is stored (:mod:`cqnnews.crawl.commit`).

Then the ledger closes the run and sends :data:`~cqnnews.signals.run_finished` with the frozen
:class:`~cqnnews.signals.RunOutcome` to each after-run extension in turn; the final outcome's health is
``scrapy crawl``'s exit status (stat ``cqnnews/exit_status``).
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from cqnnews.crawl.commit import commit, lost
from cqnnews.crawl.crawl_profile import run_profile
from cqnnews.crawl.run import Run
from cqnnews.errors import StateError
from cqnnews.extras import monitors_on
from cqnnews.items import item_record
from cqnnews.outputs import summary
from cqnnews.outputs.beside import local_feed_path
from cqnnews.outputs.feeds import feed_failed, local_feed_problem
from cqnnews.outputs.run_records import RunRecords
from cqnnews.signals import RunOutcome, Walked, frozen, send_in_turn, thawed, walks_ended
from cqnnews.state import lock
from cqnnews.state.records import CONTENT_FIELDS, Exported, content_hash
from cqnnews.urls import redact

logger = logging.getLogger(__name__)
SIGNALS = ("item_scraped", "spider_opened", "spider_closed", "feed_exporter_closed", "feed_slot_closed")


class RunLedger:
    """Owns the run (:class:`~cqnnews.crawl.run.Run`): opens it, stages what is exported, commits it once the
    feed is stored, and tells the after-run extensions how it ended."""

    def __init__(self, crawler: Crawler, run: Run) -> None:
        self.crawler, self.run = crawler, run
        self.reason: str | None = None
        self.feed_closed = self.done = False
        self.written: int | None = None  # items the feed exporter wrote, once its slot closed
        self.feed_lock: lock.RunLock | None = None
        self.stored_uri: str | None = None  # the feed's URI rendered (%(time)s...): where it really went
        feeds = crawler.settings.getdict("FEEDS")
        self.feed = next(iter(feeds), None)
        self.feed_format: str | None = (feeds[self.feed] or {}).get("format") if self.feed else None
        self.records = RunRecords(self.feed, crawler.settings.get("CQN_FEED_DIR"), crawler.spidercls.name)
        self.walked = Walked()  # what the spider's listing walks found, sent as it closes (walks_ended)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "RunLedger":
        if getattr(crawler.spidercls, "section", None) is None:
            raise NotConfigured("not a cqnnews section spider")
        ledger = cls(crawler, Run.open(crawler))
        for name in SIGNALS:
            crawler.signals.connect(getattr(ledger, name), signal=getattr(signals, name))
        crawler.signals.connect(ledger.walks_ended, signal=walks_ended)
        return ledger

    def walks_ended(self, walked: Walked) -> None:
        self.walked = walked

    def feed_slot_closed(self, slot: Any) -> None:
        """How many items the feed exporter wrote into the feed: checked against those staged."""
        if slot.uri_template == self.feed:
            self.written, self.stored_uri = (self.written or 0) + slot.itemcount, slot.uri

    def spider_opened(self, spider: Spider) -> None:
        """A local feed whose directory cannot be written stops the run before any request."""
        path = local_feed_path(self.feed) if self.feed else None
        if path is None or "%(" in str(path):  # elsewhere, or a template: its storage reports a failed write
            return
        problem = local_feed_problem(path)
        if problem is None:
            try:  # two runs writing one feed: the last rename would win and the other's articles be lost
                self.feed_lock = lock.acquire_file(path.with_name(path.name + ".lock"), "another run writes the feed:")
            except lock.LockHeld as exc:
                problem = str(exc)
        if problem is not None:
            feed_failed(self.crawler, path, problem)

    def item_scraped(self, item: Any) -> None:
        a = item_record(item)
        self.run.coordination.exported(a["article_id"])
        self.run.scratch.stage(Exported(a["article_id"], a["url"], content_hash({k: a[k] for k in CONTENT_FIELDS}),
                                        a["published_at"], list(a["sections"]), a["revision"]))
        self.records.add(a, self.run.count, lambda part, why: feed_failed(self.crawler, part, why))

    def spider_closed(self, spider: Spider, reason: str) -> None:
        self.reason, self.feed_closed = reason, self.feed_closed or not self.feed  # without a feed: none to wait for
        self._finish()

    def feed_exporter_closed(self) -> None:
        self.feed_closed = True
        self._finish()

    def _finish(self) -> None:
        if self.done or self.reason is None or not self.feed_closed:
            return
        self.done = True
        stats, run, settings = self.crawler.stats, self.run, self.crawler.settings
        assert stats is not None
        run.closing()  # a shared crawl state: each call below waits out an outage (CQN_REDIS_OUTAGE_MAX)
        walked = self.walked
        stored, committed, pending = commit(run, stats, self.reason, self.feed, self.written, self.stored_uri,
                                            self.records, walked)
        profile = None
        if stored and monitors_on(settings) and self.feed:  # what the run read (a shared crawl: its last worker)
            try:
                profile = run_profile(run.now.date().isoformat(), summary.iso(stats.get_value("start_time")),
                                      run.tally.articles_read, run.tally.by_section, thawed(walked.routes), thawed(walked.listings),
                                      getattr(run.coordination, "merged_profile", None))  # shared crawls only
            except StateError as exc:  # Redis away for good: the crawl is checked by no one this time
                logger.error("%s", exc)
        problems = summary.problems(stats.get_stats(), self.reason, summary.Limits(settings.getint("CQN_MAX_ERRORS"),
                                    settings.getint("CQN_MAX_FAILED_ARTICLES")), stored, list(walked.missing))
        run.coordination.close()  # a shared crawl: after the profile (the last worker to add its share checks it)
        problems += lost(run) if stored else []
        if self.feed_lock is not None:
            self.feed_lock.path.unlink(missing_ok=True)
            self.feed_lock.release()
        earliest, latest = run.scratch.published_range()
        run.scratch.close()
        feed, local = (redact(self.stored_uri or self.feed), local_feed_path(self.stored_uri or self.feed)) \
            if self.feed else (None, None)
        outcome = RunOutcome(
            spider=run.spider, reason=self.reason, feed=feed, feed_path=local if local and "%(" not in str(local)
            else None, feed_format=self.feed_format, stored=stored, committed=committed, pending=pending,
            summary_path=summary.summary_location(feed, settings.get("CQN_FEED_DIR"), run.spider,
                                                  stats.get_value("start_time")),
            stats=frozen(stats.get_stats()), tally=frozen(run.tally.by_section), totals=frozen(run.tally.totals),
            failed=frozen([asdict(f) for f in run.tally.failed]), routes=walked.routes, missing=walked.missing,
            listings=walked.listings, attachment_failures=frozen(run.tally.attachment_failures),
            records=frozen(self.records.summary()), profile=frozen(profile), problems=tuple(problems),
            run=frozen(summary.what_ran(settings, getattr(self.crawler.spider, "args", None), earliest, latest)))
        outcome = send_in_turn(self.crawler.signals.sender, outcome, state=run.store)  # the state still open
        run.store.close()
        stats.set_value("cqnnews/exit_status", summary.UNHEALTHY if outcome.problems else summary.HEALTHY)
        t, path = outcome.totals, outcome.summary_path
        logger.info("run summary: %s; %d new, %d revised, %d duplicate, %d failed, %d dropped, %d not fetched; %s; "
                    "summary %s", "healthy" if outcome.healthy else "UNHEALTHY: " + "; ".join(outcome.problems),
                    *(t.get(k, 0) for k in ("new", "revised", "duplicate", "failed", "dropped", "not_fetched")),
                    f"feed {feed}", path if path is not None and path.exists() else "not written")
