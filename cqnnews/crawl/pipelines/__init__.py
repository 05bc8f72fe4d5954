"""Item pipelines, in the order settings.py runs them: cleaning, deduplication, validation."""

from __future__ import annotations

from typing import Self

from scrapy.crawler import Crawler

from cqnnews.crawl.run import Run, run_of


class RunPipeline:
    """A pipeline that reads or counts in the run (:class:`~cqnnews.crawl.run.Run`), reached through the crawler."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    @property
    def run(self) -> Run:
        return run_of(self.crawler)
