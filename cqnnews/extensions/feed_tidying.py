"""After each run, the spider's default feed folder ``<CQN_FEED_DIR>/<spider>/`` tidied
(:func:`cqnnews.outputs.feeds.tidy_feed_dir`): dead runs' ``.part`` files, and feeds older than ``CQN_KEEP_FEEDS_DAYS``."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from scrapy.crawler import Crawler

from cqnnews.outputs.feeds import tidy_feed_dir
from cqnnews.signals import RunOutcome, run_finished

logger = logging.getLogger(__name__)


class FeedTidying:
    def __init__(self, settings: Any) -> None:
        self.settings = settings

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "FeedTidying":
        extension = cls(crawler.settings)
        crawler.signals.connect(extension.run_finished, signal=run_finished)
        return extension

    def run_finished(self, outcome: RunOutcome) -> None:
        if not (feed_dir := self.settings.get("CQN_FEED_DIR")):
            return
        folder = Path(feed_dir) / outcome.spider
        if removed := tidy_feed_dir(folder, self.settings.getfloat("CQN_KEEP_FEEDS_DAYS")):
            logger.info("removed %d files from %s: dead runs' .part files, feeds older than CQN_KEEP_FEEDS_DAYS",
                        len(removed), folder)
