"""The spider middleware of a shared crawl, loaded with Redis only when ``CQN_REDIS_URL`` is set.

:class:`cqnnews.crawl.shared_queue.ReleaseTakenMiddleware` needs the redis extra (redis, scrapy-redis);
one process alone never imports it, so a core install crawls without them.
"""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured


class SharedCrawlMiddleware:
    """Builds :class:`~cqnnews.crawl.shared_queue.ReleaseTakenMiddleware` in a shared crawl; not configured otherwise."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Any:
        if not crawler.settings.get("CQN_REDIS_URL"):
            raise NotConfigured  # one process: nothing is taken from a shared queue
        from cqnnews.crawl.shared_queue import ReleaseTakenMiddleware

        return ReleaseTakenMiddleware.from_crawler(crawler)
