"""Retries that back off: exponential for 5xx, timeouts and dropped connections; ``Retry-After`` on 429/503.

Scrapy's retry middleware retries at once.  This one also slows the download slot of the
failing site for the wait (never less than ``Retry-After`` says), so every request to the
site waits, not only the retried one.  With AutoThrottle on, the raised delay is left for
AutoThrottle to bring down as responses come back healthy; without it, it is restored when
the wait is over.
"""

from __future__ import annotations

import email.utils
import logging
import time
from typing import Any

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Response
from scrapy.utils.response import response_status_message
from twisted.internet import reactor

logger = logging.getLogger(__name__)


def retry_after_seconds(response: Response) -> float | None:
    """``Retry-After`` as seconds, whether written as seconds or as an HTTP date; None if absent."""
    value = response.headers.get("Retry-After")
    if not value:
        return None
    text = value.decode("latin-1").strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class BackoffRetryMiddleware(RetryMiddleware):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler.settings)
        self.crawler = crawler  # Scrapy's from_crawler sets it too
        settings = crawler.settings
        self.base = settings.getfloat("CQN_BACKOFF_BASE")
        self.cap = settings.getfloat("CQN_BACKOFF_MAX")
        self.autothrottle = settings.getbool("AUTOTHROTTLE_ENABLED")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "BackoffRetryMiddleware":
        return cls(crawler)

    def backoff(self, request: Request) -> float:
        return min(self.cap, self.base * 2 ** request.meta.get("retry_times", 0))

    def slow_down(self, request: Request, seconds: float, why: str) -> None:
        assert self.crawler.stats is not None and self.crawler.engine is not None
        downloader = self.crawler.engine.downloader
        key = downloader.get_slot_key(request)
        slot = downloader.slots.get(key)
        if slot is None or seconds <= slot.delay:
            return
        before, jitter = slot.delay, slot.jitter
        slot.delay, slot.jitter = seconds, 0.0  # never shorter than asked for
        self.crawler.stats.inc_value("cqnnews/retry/slowed_down")
        logger.info("slowing %s down to one request every %.1fs (%s)", key, seconds, why)
        if not self.autothrottle:
            def restore() -> None:
                if slot.delay == seconds:
                    slot.delay, slot.jitter = before, jitter
            reactor.callLater(seconds, restore)  # type: ignore[attr-defined]

    def process_response(self, request: Request, response: Response, spider: Spider | None = None) -> Any:
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        wait = retry_after_seconds(response) if response.status in (429, 503) else None
        if wait is not None:
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value("cqnnews/retry/retry_after")
        self.slow_down(request, max(wait or 0.0, self.backoff(request)), f"HTTP {response.status}")
        return self._retry(request, response_status_message(response.status)) or response

    def process_exception(self, request: Request, exception: Exception, spider: Spider | None = None) -> Any:
        if isinstance(exception, self.exceptions_to_retry) and not request.meta.get("dont_retry", False):
            self.slow_down(request, self.backoff(request), type(exception).__name__)
        return super().process_exception(request, exception)
