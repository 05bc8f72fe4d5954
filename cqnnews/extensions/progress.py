"""Progress lines during long runs: where the walk is, and counts so far."""

from __future__ import annotations

import logging

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from cqnnews.crawl.run import run_of

logger = logging.getLogger(__name__)


class ProgressLog:
    crawler: Crawler

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self.loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "ProgressLog":
        interval = crawler.settings.getfloat("CQN_PROGRESS_SECONDS")
        if interval <= 0 or getattr(crawler.spidercls, "section", None) is None:
            raise NotConfigured
        ext = cls(interval)
        ext.crawler = crawler
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider: Spider) -> None:
        self.loop = task.LoopingCall(self.log, spider)
        self.loop.start(self.interval, now=False)

    def log(self, spider: Spider) -> None:
        run = run_of(self.crawler)
        logger.info("progress: %s", run.tally.progress(run.scratch.found_count))

    def spider_closed(self, spider: Spider) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
