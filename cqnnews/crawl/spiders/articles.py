"""A spider that fetches the articles the coordination hands out: the article half of a section spider.

When no page is left (``spider_idle``), the spider asks the run's coordination for the next
batch of article tasks (:mod:`~cqnnews.crawl.article_queue`), makes each a request and hands them
back to be scheduled; the coordination never calls the spider.  Each article page is read by
the page object (:mod:`~cqnnews.crawl.pages.article_page`); the callbacks count, log and request.
:class:`~cqnnews.crawl.spiders.base.SectionSpider` adds the navigation and the listing walk.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response
from twisted.python.failure import Failure

from cqnnews.crawl.article_queue import ArticleQueue, ArticleTask, Batch, gone
from cqnnews.crawl.pages.article_page import ArticlePage, ArticleRead
from cqnnews.crawl.pages.failures import failure_reason
from cqnnews.crawl.spiders.run_spider import RunSpider
from cqnnews.reading.parsers import PageContent
from cqnnews.signals import article_failed, article_read, articles_requested, attachment_tried
from cqnnews.urls import article_id


class ArticleSpider(RunSpider):
    """The article callbacks of a section's spider."""

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> "ArticleSpider":
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.idle, signal=signals.spider_idle)
        return spider  # type: ignore[return-value]

    @cached_property
    def article_page(self) -> ArticlePage:
        return ArticlePage(self.run.urls, self.run.now, self.settings.getint("CQN_MAX_ARTICLE_PAGES"))

    @cached_property
    def article_queue(self) -> ArticleQueue:
        """What the run is to fetch once its listings are walked; handed out by the coordination."""
        run = self.run
        return ArticleQueue(run.store, run.scratch, run.urls, run.now, self.args.recheck_days,
                            self.settings.getint("CQN_SMOKE_ARTICLES"))

    def article_request(self, task: ArticleTask) -> Request:
        sections = list(task.sections)
        return Request(task.url, callback=self.parse_article, errback=self.article_failed,
                       dont_filter=task.again or self.run.coordination.articles_bypass_filter(),
                       cb_kwargs={"sections": sections, "recheck": task.recheck},
                       meta={"article_id": task.article_id, "sections": sections, "first_url": task.url})

    def schedule_articles(self, batch: Batch) -> None:
        """The batch's tasks made into requests and handed to the coordination to schedule."""
        self.run.coordination.schedule(batch, [self.article_request(task) for task in batch.tasks])

    def idle(self, spider: Spider) -> None:
        """Listings done: the coordination hands out articles (in batches, or across workers) to request."""
        if spider is not self or self.settings.getbool("CQN_SAMPLE_ONLY"):
            return
        batch = self.run.coordination.next_batch(self.run, self.article_queue)
        self.run.send(articles_requested, count=self.article_queue.requested)
        self.run.send(attachment_tried, attempts=self.article_queue.attachment_attempts)
        self.schedule_articles(batch)
        if batch.keep_open:
            raise DontCloseSpider

    def parse(self, response: Response) -> Any:
        """``scrapy parse --spider=<spider> <article URL>``: the article on the page.

        @site_url https://www.cqn.com.cn/qt/content/2018-08/03/content_6121542.htm
        @returns items 1 1
        @scrapes title published_at body authors source
        """
        aid = article_id(response.url)
        if aid is None:
            self.logger.error("scrapy parse reads article pages (…/content_<id>.htm); %s is not one", response.url)
            return
        response.meta.setdefault("article_id", aid)
        response.meta.setdefault("sections", [])
        yield from self.parse_article(response, sections=[])

    def parse_article(self, response: Response, sections: list[str], recheck: bool = False,
                      pages: list[PageContent] | None = None, rest: list[str] | None = None) -> Any:
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
            self.run.send(article_failed, article_id=int(response.meta["article_id"]), url=response.url,
                          sections=sections, reason=read.failed)
        elif read.next_url is not None:
            yield self._next_page(response, read, sections, recheck)
        elif read.article is not None:
            response.meta["fallbacks"] = read.pages[0].fallbacks  # for scrapy smoke's report
            self.run.send(article_read, article=read.article, fallbacks=read.pages[0].fallbacks,
                          rejected=read.pages[0].rejected)
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
        self.run.send(article_failed, article_id=int(request.meta["article_id"]), url=request.url,
                      sections=request.meta["sections"], reason=reason)
