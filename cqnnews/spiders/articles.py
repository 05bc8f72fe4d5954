"""The article half of a section spider: requesting the articles the coordination hands out, reading their pages.

An article split over pages is read page by page, each page's reading carried to the
next request, and assembled once the last is read.  What happens to the article then
(cleaning, deduplication against earlier runs, validation) is the item pipelines' job.
"""

from __future__ import annotations

from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response
from twisted.python.failure import Failure

from cqnnews.article_queue import ArticleTask, gone
from cqnnews.coordination import Batch
from cqnnews.parsers import PageReading
from cqnnews.run import Run
from cqnnews.spiders.arguments import RunArguments
from cqnnews.spiders.article_page import ArticlePage, ArticleRead


class ArticleCallbacks:
    """Mixed into :class:`~cqnnews.spiders.base.SectionSpider` (callbacks must be spider methods)."""

    args: RunArguments
    run: Run
    crawler: Crawler
    logger: Any
    article_page: ArticlePage

    def article_request(self, task: ArticleTask) -> Request:
        return Request(task.url, callback=self.parse_article, errback=self.article_failed,
                       dont_filter=task.again or self.run.coordination.articles_bypass_filter(),
                       cb_kwargs={"sections": list(task.sections), "recheck": task.recheck},
                       meta={"article_id": task.article_id, "sections": list(task.sections), "first_url": task.url})

    def schedule_articles(self, batch: Batch) -> None:
        """The batch's tasks made into requests and handed to the coordination to schedule."""
        self.run.coordination.schedule(batch, [self.article_request(task) for task in batch.tasks])

    def parse_article(self, response: Response, sections: list[str], recheck: bool = False,
                      pages: list[PageReading] | None = None, rest: list[str] | None = None) -> Any:
        """Read one page of an article; once every page is read, yield the article.

        @site_url https://www.cqn.com.cn/qt/content/2018-08/03/content_6121542.htm
        @article
        @returns items 1 1
        @scrapes title published_at body authors
        """
        read = self.article_page.read(response, sections, pages, rest)
        for key in read.counts:
            self.run.count(key)
        if read.named:
            self.logger.warning("article %s names %d pages; reading the first %d (CQN_MAX_ARTICLE_PAGES)",
                                response.url, read.named, self.article_page.most)
        if read.failed is not None:
            self.run.fail(int(response.meta["article_id"]), response.url, sections, read.failed)
        elif read.next_url is not None:
            yield self._next_page(response, read, sections, recheck)
        elif read.article is not None:
            response.meta["fallbacks"] = read.pages[0].fallbacks  # for scrapy smoke's report
            self.run.reading.add(read.article, read.pages[0].fallbacks, read.pages[0].rejected)
            yield read.article

    def _next_page(self, response: Response, read: ArticleRead, sections: list[str], recheck: bool) -> Request:
        """The next page goes the way the first went: an article queued again after a worker died (dont_filter)
        must not find its second page in the shared duplicate filter, seen when the dead worker asked for it."""
        meta = {k: response.meta[k] for k in ("article_id", "sections", "first_url") if k in response.meta}
        return Request(read.next_url or "", callback=self.parse_article, errback=self.article_failed,
                       dont_filter=response.request.dont_filter if response.request is not None else False,
                       cb_kwargs={"sections": sections, "recheck": recheck, "pages": list(read.pages),
                                  "rest": list(read.rest)},
                       meta={**meta, "too_many_pages": True} if read.too_many else meta)

    def article_failed(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        self.run.coordination.done_with(request)
        reason = failure_reason(failure)
        if gone(reason):
            self.run.count("article/not_found")
        self.run.fail(int(request.meta["article_id"]), request.url, request.meta["sections"], reason)


def failure_reason(failure: Failure) -> str:
    """Why a request failed, in a few words: ``HTTP 404``, ``forbidden by robots.txt``, ``TimeoutError``..."""
    value = failure.value
    response = getattr(value, "response", None)
    if response is not None and getattr(response, "status", None):
        return f"HTTP {response.status}"
    message = failure.getErrorMessage() or failure.type.__name__
    if "robots.txt" in message:
        return "forbidden by robots.txt"
    return f"{failure.type.__name__}: {message}" if message != failure.type.__name__ else message


_UNANSWERED = {"ConnectionRefusedError": "connection refused", "DownloadConnectionRefusedError": "connection refused",
               "DNSLookupError": "the host name does not resolve", "TimeoutError": "no answer in time",
               "DownloadTimeoutError": "no answer in time", "TCPTimedOutError": "no answer in time",
               "ConnectError": "no connection", "NoRouteError": "no route to the host"}


def unanswered(failure: Failure) -> str | None:
    """Why an origin did not answer at all (refused, not resolved, timed out), in a few words; None for a page
    that answered (an HTTP error, a bad body...)."""
    error: BaseException | None = failure.value
    seen: set[int] = set()
    while error is not None and id(error) not in seen:  # the exception and what it was raised from
        seen.add(id(error))
        for kind in type(error).__mro__:
            if kind.__name__ in _UNANSWERED:
                return _UNANSWERED[kind.__name__]
        error = error.__cause__ or error.__context__
    return None
