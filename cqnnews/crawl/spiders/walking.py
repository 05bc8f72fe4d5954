"""The listing walk of a section's spider, between its navigation and its articles.

Each listing page is read by the walker (:mod:`~cqnnews.crawl.pages.walker`), which notes each article once with
every listing it was found in and says which pages to ask for next; listings below it are followed through the
navigator (:mod:`~cqnnews.crawl.pages.navigator`).  When no listing page is left, the articles are the
coordination's to hand out (:class:`~cqnnews.crawl.spiders.articles.ArticleSpider`).  What the walks found is sent
once as the spider closes (:data:`~cqnnews.signals.walks_ended`) for the ledger to record.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator, Mapping
from functools import cached_property
from typing import Any, ClassVar

from scrapy import Request
from scrapy.http import Response
from twisted.python.failure import Failure

from cqnnews.crawl.article_queue import ArticleTask, Batch
from cqnnews.crawl.known import KnownArticles
from cqnnews.crawl.pages.failures import failure_reason, unanswered
from cqnnews.crawl.pages.listing import Listing, PageAsk, WalkLimits
from cqnnews.crawl.pages.navigator import Ask, Navigator
from cqnnews.crawl.pages.walker import Below, ListingWalker
from cqnnews.crawl.spiders.articles import ArticleSpider
from cqnnews.outputs.summary import UNANSWERED
from cqnnews.signals import Walked, walks_ended


class WalkingSpider(ArticleSpider):
    """Listing pages walked, what the navigator and the walker ask for requested; the navigation pages'
    callbacks are named by kind in :attr:`navigation_callbacks` (:class:`~cqnnews.crawl.spiders.base.SectionSpider`)."""

    navigation_callbacks: ClassVar[Mapping[str, tuple[str, str]]] = {}  # an Ask's kind: (callback, errback)

    @cached_property
    def known(self) -> KnownArticles:
        return KnownArticles(self.run.store, self.urls)

    @cached_property
    def navigator(self) -> Navigator:
        return Navigator(self.section, self.run, self.args, self.settings.getdict("CQN_NODE_IDS"),
                         self.settings.getint("CQN_SMOKE_ARTICLES") > 0, self.logger)

    @property
    def visited(self) -> set[str]:
        return self.navigator.visited

    @cached_property
    def walker(self) -> ListingWalker:
        return ListingWalker(self.section, self.run, self.known, self.args, self.visited,
                             WalkLimits.from_settings(self.settings), self.logger)

    def requests_for(self, steps: Iterable[Ask | PageAsk | Below | ArticleTask]) -> Iterator[Request]:
        """The requests of what the navigator or the walker asks for; articles to fetch at once scheduled."""
        late: list[ArticleTask] = []
        for step in steps:
            if isinstance(step, Below):
                step = self.navigator.follow(step.url, step.listing)  # type: ignore[assignment]
            if isinstance(step, Ask):
                callback, errback = self.navigation_callbacks[step.kind]
                yield Request(step.url, callback=getattr(self, callback), errback=getattr(self, errback),
                              cb_kwargs=dict(step.cb_kwargs), dont_filter=self.run.coordination.pages_bypass_filter()
                              if step.dont_filter is None else step.dont_filter)
            elif isinstance(step, PageAsk):
                yield Request(step.url, callback=self.parse_listing, errback=self.page_failed,
                              dont_filter=self.run.coordination.pages_bypass_filter(),
                              cb_kwargs={"listing": step.listing, "page": step.page} if step.page == 1 else
                              {"listing": step.listing, "page": step.page, "known_pages": step.known_pages})
            elif isinstance(step, ArticleTask):  # a shared crawl past its switch to articles: requested at once
                late.append(step)
        if late:
            self.schedule_articles(Batch(tuple(late)))

    async def start(self) -> AsyncIterator[Any]:
        if not self.run.coordination.walks_listings():
            return  # joining a crawl already fetching articles: take them from the shared queue
        for request in self.requests_for([Ask("home", self.urls.url("/"))]):
            yield request

    def parse_listing(self, response: Response, listing: Listing, page: int, known_pages: int = 0) -> Any:
        """One page of a listing: its articles noted, the next pages (and listings below it) requested.

        @site_url https://www.cqn.com.cn/qt/node_20762.htm
        @listing 要闻一
        @notes_articles 1
        """
        if page == 1 and listing.route == "node_id":
            self.navigator.guess_answered(listing, response.url, found=True)
        yield from self.requests_for(self.walker.read(response, listing, page, known_pages))

    def page_failed(self, failure: Failure) -> None:
        """A navigation or listing page that failed on every try: the walk of its listing is incomplete."""
        request = failure.request  # type: ignore[attr-defined]
        self.run.coordination.done_with(request)
        listing, page = request.cb_kwargs.get("listing"), request.cb_kwargs.get("page")
        reason = failure_reason(failure)
        if listing is not None and listing.route == "node_id" and page == 1 and reason == "HTTP 404":
            self.logger.warning("listing %s: node id page %s answered 404", listing.name, request.url)
            self.navigator.guess_answered(listing, request.url, found=False)  # one route less
            return
        self.run.count("listing/failed" if listing else "navigation/failed")
        if listing is not None:
            self.walker.failed(listing, page)
        if listing is None and (why := unanswered(failure)) is not None and request.url == self.urls.url("/"):
            self.crawler.stats.set_value(UNANSWERED, why)  # the summary's first problem
            self.logger.error("the home page did not answer: %s (%s, after every retry)", why, request.url)
            return
        self.logger.error("page %s failed: %s%s", request.url, reason,
                          f"; listing {listing.name} will be walked in full next run" if listing else "")

    def closed(self, reason: str) -> None:
        """The walks stop where they are (a run stopped or cut off: they resume there next run); what they found
        is sent once (:data:`~cqnnews.signals.walks_ended`) for the ledger to record."""
        missing = self.navigator.missing if "navigator" in self.__dict__ else []
        walker = self.__dict__.get("walker")
        if walker is not None:
            walker.stopped(reason)
        walked = walker.results(missing) if walker is not None else Walked(missing=tuple(missing))
        self.crawler.signals.send_catch_log(walks_ended, walked=walked)
