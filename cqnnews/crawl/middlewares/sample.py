"""``scrapy check`` reads only its sample pages: what their callbacks ask for next is not fetched.

Enabled by ``CQN_SAMPLE_ONLY`` (the check command sets it). The contracts see a callback's whole
output first; only then are its requests dropped, so a check of the real site is a handful of
requests, not a crawl.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured


class SampleOnlyMiddleware:
    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "SampleOnlyMiddleware":
        if not crawler.settings.getbool("CQN_SAMPLE_ONLY"):
            raise NotConfigured
        return cls()

    def process_spider_output(self, response: Any, result: Iterable[Any], spider: Any = None) -> Any:
        return (x for x in result if not isinstance(x, Request))

    async def process_spider_output_async(self, response: Any, result: AsyncIterator[Any],
                                          spider: Any = None) -> AsyncIterator[Any]:
        async for x in result:
            if not isinstance(x, Request):
                yield x
