"""A page cut short is never parsed: HTML without its closing ``</html>`` is retried.

A body shorter than its Content-Length is caught by Scrapy already (data loss); this
catches pages whose server cut them with a consistent length, or with no length at all.
"""

from __future__ import annotations

from typing import Any

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Response

TAIL = 2048  # </html> sits within the last bytes of a complete page
_ENDS = (b"</html>", "</html>".encode("utf-16-le"), "</html>".encode("utf-16-be"))  # UTF-8, GB family; UTF-16


class TruncatedPage(IgnoreRequest):
    """The page was cut short on every try."""


class CompletenessMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "CompletenessMiddleware":
        return cls(crawler)

    def process_response(self, request: Request, response: Response, spider: Spider | None = None) -> Any:
        if (response.status != 200 or not isinstance(response, HtmlResponse)
                or any(end in response.body[-TAIL:].lower() for end in _ENDS)):
            return response
        assert self.crawler.stats is not None and self.crawler.spider is not None
        self.crawler.stats.inc_value("cqnnews/truncated_pages")
        retry = get_retry_request(request, spider=self.crawler.spider, reason="truncated page")
        if retry is None:
            raise TruncatedPage(f"page cut short on every try: {request.url}")
        return retry
