"""The article half of a section spider: which articles to request, and reading their pages.

An article split over pages is read page by page, each page's reading carried to the
next request, and assembled once the last is read.  What happens to the article then
(cleaning, deduplication against earlier runs, validation) is the item pipelines' job.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure

from cqnnews.coordination import gone
from cqnnews.parsers import ArticleParseError, PageReading, assemble, read
from cqnnews.run import Run
from cqnnews.signals import article_failed, article_read, articles_requested, attachment_tried
from cqnnews.spiders.arguments import RunArguments
from cqnnews.state.scratch import LAST


class ArticleCallbacks:
    """Mixed into :class:`~cqnnews.spiders.base.SectionSpider` (callbacks must be spider methods)."""

    args: RunArguments
    run: Run
    crawler: Crawler
    logger: Any

    def article_requests(self) -> Iterator[Request]:
        """Every article to fetch: found this run, pending from earlier ones (unless gone), rechecks.

        The found and pending ones are written to the crawl state as pending first, so a run
        that dies leaves them for the next.
        """
        run = self.run
        for pending in run.store.pending():
            fetch = run.urls.fetchable(pending.url)
            if fetch is None or (not run.scratch.has(pending.article_id) and gone(pending.reason)):
                continue  # gone (404) and not on any listing walked this run
            run.scratch.add(pending.article_id, fetch, pending.sections, LAST)
            if (pending.reason or "").startswith("attachment "):  # exported; a file of it still to fetch
                run.send(attachment_tried, attempts={pending.article_id: pending.attempts})
        run.store.add_pending((aid, run.urls.canonical(url), sections) for aid, url, sections in run.scratch.found())
        rechecks = []
        if self.args.recheck_days:
            cutoff = run.now - timedelta(days=self.args.recheck_days)
            rechecks = [(k.article_id, fetch, k.sections) for k in run.store.published_since(cutoff)
                        if not run.scratch.has(k.article_id) and (fetch := run.urls.fetchable(k.url))]
            run.scratch.requested(aid for aid, _, _ in rechecks)
        sample = self.crawler.settings.getint("CQN_SMOKE_ARTICLES")
        if sample:  # scrapy smoke: the newest few of each listing
            yield from self._sample(sample)
            return
        run.send(articles_requested, count=run.scratch.found_count + len(rechecks))
        for aid, url, sections in run.scratch.found():
            yield self.article_request(aid, url, sections)
        for aid, url, sections in rechecks:
            yield self.article_request(aid, url, sections, recheck=True)

    def _sample(self, most: int) -> Iterator[Request]:
        """``most`` articles of each listing (the newest), each once, for ``scrapy smoke``."""
        taken: dict[str, int] = {}
        chosen = []
        for aid, url, sections in self.run.scratch.found():
            if any(taken.get(name, 0) < most for name in sections):
                for name in sections:
                    taken[name] = taken.get(name, 0) + 1
                chosen.append(self.article_request(aid, url, sections))
        self.run.send(articles_requested, count=len(chosen))
        self.run.scratch.keep_only(r.meta["article_id"] for r in chosen)  # the others are not missed
        yield from chosen

    def article_request(self, aid: int, url: str, sections: list[str], again: bool = False,
                        recheck: bool = False) -> Request:
        return Request(url, callback=self.parse_article, errback=self.article_failed,
                       dont_filter=again or self.run.coordination.articles_bypass_filter(),
                       cb_kwargs={"sections": sections, "recheck": recheck},
                       meta={"article_id": aid, "sections": sections, "first_url": url})

    def parse_article(self, response: Response, sections: list[str], recheck: bool = False,
                      pages: list[PageReading] | None = None, rest: list[str] | None = None) -> Any:
        """Read one page of an article; once every page is read, assemble and yield the article.

        @site_url https://www.cqn.com.cn/qt/content/2018-08/03/content_6121542.htm
        @article
        @returns items 1 1
        @scrapes title published_at body authors
        """
        run = self.run
        aid = int(response.meta["article_id"])
        if not isinstance(response, TextResponse):
            run.send(article_failed, article_id=aid, url=response.url, sections=sections, reason="not a text page")
            return
        try:
            reading = read(response.body, response.headers.get("Content-Type", b"").decode("latin-1"), response.url,
                           run.urls, run.now)
        except ArticleParseError as exc:
            run.send(article_failed, article_id=aid, url=response.url, sections=sections, reason=str(exc))
            return
        if reading.encoding_repaired:
            run.count("extract/encoding_repaired")
        if reading.charset_misdeclared:
            run.count("extract/charset_misdeclared")
        pages = [*(pages or []), reading]
        if rest is None:  # the first page: it names the others
            rest = [u for u in (run.urls.fetchable(p) for p in reading.more_pages) if u]
            most = self.crawler.settings.getint("CQN_MAX_ARTICLE_PAGES")
            if len(rest) >= most:
                run.count("article/too_many_pages")
                self.logger.warning("article %s names %d pages; reading the first %d (CQN_MAX_ARTICLE_PAGES)",
                                    response.url, len(rest) + 1, most)
                rest = rest[:most - 1]
                response.meta["too_many_pages"] = True
        if rest:
            # the next page goes the way the first went: an article queued again after a worker died (dont_filter)
            # must not find its second page in the shared duplicate filter, seen when the dead worker asked for it
            yield Request(rest[0], callback=self.parse_article, errback=self.article_failed,
                          dont_filter=response.request.dont_filter if response.request is not None else False,
                          cb_kwargs={"sections": sections, "recheck": recheck, "pages": pages, "rest": rest[1:]},
                          meta={k: response.meta[k] for k in ("article_id", "sections", "first_url", "too_many_pages")
                                if k in response.meta})
            return
        try:
            article = assemble(pages, response.meta.get("first_url") or response.url, run.urls, sections=sections,
                               now=run.now)
        except ArticleParseError as exc:
            run.send(article_failed, article_id=aid, url=response.url, sections=sections, reason=str(exc))
            return
        if response.meta.get("too_many_pages"):
            article.flags.append("too_many_pages")
        for name, reading in pages[0].fallbacks.items():
            run.count(f"extract/fallback/{name}/{reading}")
        for name, reading in pages[0].rejected:
            run.count(f"extract/rejected/{name}/{reading}")
        response.meta["fallbacks"] = pages[0].fallbacks  # for scrapy smoke's report
        run.send(article_read, article=article, fallbacks=pages[0].fallbacks, rejected=pages[0].rejected)
        yield article

    def article_failed(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        self.run.coordination.done_with(request)
        reason = failure_reason(failure)
        if gone(reason):
            self.run.count("article/not_found")
        self.run.send(article_failed, article_id=int(request.meta["article_id"]), url=request.url,
                      sections=request.meta["sections"], reason=reason)


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
