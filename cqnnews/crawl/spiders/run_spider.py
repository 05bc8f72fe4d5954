"""What every cqnnews spider has before it reads a page: its section, its arguments (``-a``), the settings of its
run (a shared crawl's Redis scheduler, the default feed) and the run it reads (:class:`~cqnnews.crawl.run.Run`)."""

from __future__ import annotations

from functools import cached_property
from typing import Any, ClassVar

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.settings import BaseSettings

from cqnnews.crawl.arguments import RunArguments, parse_arguments
from cqnnews.crawl.run import Run, run_of
from cqnnews.outputs.feeds import apply_default_feed
from cqnnews.sections import Section
from cqnnews.urls import SiteUrls


class RunSpider(Spider):
    """A section's spider's arguments, settings and run."""

    section: ClassVar[Section]
    urls: SiteUrls  # set in from_crawler, from the settings

    def __init__(self, *args: Any, sub: str | None = None, since: str | None = None, full: str | None = None,
                 recheck_days: str | None = None, **kwargs: Any) -> None:  # _job, _version: scrapyd's, kept as is
        super().__init__(*args, **kwargs)
        given = {"sub": sub, "since": since, "full": full, "recheck_days": recheck_days}
        self.args: RunArguments = parse_arguments(self.section, {k: v for k, v in given.items() if v is not None})

    @classmethod
    def check_arguments(cls, spargs: dict[str, str]) -> None:
        """Raise BadArgument, naming what is accepted, for arguments the run cannot start with."""
        parse_arguments(cls.section, spargs)

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        redis_url = settings.get("CQN_REDIS_URL")
        if redis_url:
            from cqnnews.crawl.distributed import redis_settings  # the redis extra: only shared crawls

            scope = f"{SiteUrls(settings.get('CQN_BASE_URL')).origin_key}:{cls.name}"
            settings.setdict(redis_settings(redis_url, scope), priority="spider")
        apply_default_feed(settings, cls.name, worker=bool(redis_url))

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> "RunSpider":
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.urls = SiteUrls(crawler.settings.get("CQN_BASE_URL"))
        return spider  # type: ignore[return-value]

    @cached_property
    def run(self) -> Run:
        """This run's bookkeeping, held by the RunLedger extension (made after the spider: read on first use)."""
        return run_of(self.crawler)
