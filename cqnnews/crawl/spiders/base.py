"""A spider for one news-centre section: navigation, then listings, then articles.

The walk has two phases.  First the spider finds the section's channels and listings by
link text and walks their listing pages, noting each article once with every listing it
was found in.  When no listing page is left (``spider_idle``), it writes what it found to
the crawl state as pending and requests each article once; so an article listed in two
listings comes out once, with both in ``sections``, and an article the run did not
finish is fetched by the next run.

Walking stops early on what earlier runs exported: a listing stops paging after
``CQN_STOP_AFTER_KNOWN_PAGES`` pages holding only known articles (``-a full=true`` walks
them all), and at articles older than ``-a since``.  Known articles are never requested
again, except those ``-a recheck_days`` asks for, which come out again only if changed.

The spider wires callbacks only: what a page means and what to ask for next is the
navigator's (:mod:`~cqnnews.crawl.spiders.navigator`), the walker's (:mod:`~cqnnews.crawl.spiders.walker`)
and the article page's (:mod:`~cqnnews.crawl.spiders.article_page`); what to fetch once the listings
are walked is the coordination's to hand out (:mod:`~cqnnews.crawl.article_queue`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from functools import cached_property
from typing import Any

from scrapy import Request
from scrapy.http import Response
from twisted.python.failure import Failure

from cqnnews.crawl.article_queue import ArticleTask, Batch
from cqnnews.crawl.known import KnownArticles
from cqnnews.signals import Walked, walks_ended
from cqnnews.crawl.spiders.articles import ArticleSpider
from cqnnews.crawl.spiders.failures import failure_reason, unanswered
from cqnnews.crawl.spiders.listing import Listing, PageAsk, WalkLimits
from cqnnews.crawl.spiders.navigator import Ask, Navigator
from cqnnews.crawl.spiders.walker import Below, ListingWalker
from cqnnews.outputs.summary import UNANSWERED

__all__ = ["Listing", "SectionSpider"]

# a navigation page's kind (navigator.Ask): its callback and errback
CALLBACKS = {"home": ("parse_home", "page_failed"), "channel": ("parse_channel", "channel_failed"),
             "rss": ("parse_rss", "rss_failed"), "sitemap": ("parse_sitemap", "sitemap_failed"),
             "node": ("parse_sitemap_node", "sitemap_node_failed")}


class SectionSpider(ArticleSpider):
    """The navigation and the listing walk of one section, then its articles (:class:`ArticleSpider`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._walker: ListingWalker | None = None

    # --- what the callbacks ask (made on first use: the run is the RunLedger's, made after the spider) -----------

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

    @property
    def walker(self) -> ListingWalker:
        if self._walker is None:
            self._walker = ListingWalker(self.section, self.run, self.known, self.args, self.visited,
                                         WalkLimits.from_settings(self.settings), self.logger)
        return self._walker

    # --- requests ------------------------------------------------------------------------------------------------

    def _requests(self, steps: Iterable[Ask | PageAsk | Below | ArticleTask]) -> Iterator[Request]:
        """The requests of what the navigator or the walker asks for; articles to fetch at once scheduled."""
        late: list[ArticleTask] = []
        for step in steps:
            if isinstance(step, Below):
                step = self.navigator.follow(step.url, step.listing)  # type: ignore[assignment]
            if isinstance(step, Ask):
                callback, errback = CALLBACKS[step.kind]
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

    # --- navigation ----------------------------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        if not self.run.coordination.walks_listings():
            return  # joining a crawl already fetching articles: take them from the shared queue
        for request in self._requests([Ask("home", self.urls.url("/"))]):
            yield request

    def parse_home(self, response: Response) -> Any:
        """The home page: listings linked from it by name, then each channel's page.

        @site_url https://www.cqn.com.cn/
        @returns requests 1
        """
        yield from self._requests(self.navigator.home(response))

    def parse_channel(self, response: Response, position: int, found: list[str] | None = None) -> Any:
        """A channel page: the section's listings on it, by name or alias (else by node id, else in RSS).

        @channel_page
        @returns requests 1
        """
        yield from self._requests(self.navigator.channel(response, position, found))

    def channel_failed(self, failure: Failure) -> Iterator[Request]:
        request = failure.request  # type: ignore[attr-defined]
        self.run.coordination.done_with(request)
        yield from self._requests(self.navigator.channel_failed(request.url, failure_reason(failure),
                                                                **request.cb_kwargs))

    def parse_rss(self, response: Response, position: int, wanted: list[str]) -> Iterator[Request]:
        yield from self._requests(self.navigator.rss(response.body, response.url, position, wanted))

    def rss_failed(self, failure: Failure) -> Iterator[Request]:
        request = failure.request  # type: ignore[attr-defined]
        self.run.coordination.done_with(request)
        yield from self._requests(self.navigator.sitemap(**request.cb_kwargs))

    def parse_sitemap(self, response: Response, position: int, wanted: list[str]) -> Iterator[Request]:
        yield from self._requests(self.navigator.sitemap_nodes(response.body, response.url, position, wanted))

    def sitemap_failed(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        self.run.coordination.done_with(request)
        self.navigator.all_missing(request.cb_kwargs["position"], request.cb_kwargs["wanted"],
                                   "/rss.xml and /sitemap.xml do not have it")

    def parse_sitemap_node(self, response: Response, position: int) -> Any:
        """A listing page the sitemap named: walked if its breadcrumb names a listing still wanted."""
        listing = self.navigator.sitemap_node(response, position)
        if listing is not None:
            yield from self.parse_listing(response, listing=listing, page=1)
        self.navigator.sitemap_answered(position)

    def sitemap_node_failed(self, failure: Failure) -> None:
        self.run.coordination.done_with(failure.request)  # type: ignore[attr-defined]
        self.navigator.sitemap_answered(failure.request.cb_kwargs["position"])  # type: ignore[attr-defined]

    # --- listings ------------------------------------------------------------------------------------------------

    def parse_listing(self, response: Response, listing: Listing, page: int, known_pages: int = 0) -> Any:
        """One page of a listing: its articles noted, the next pages (and listings below it) requested.

        @site_url https://www.cqn.com.cn/qt/node_20762.htm
        @listing 要闻一
        @notes_articles 1
        """
        if page == 1 and listing.route == "node_id":
            self.navigator.guess_answered(listing, response.url, found=True)
        yield from self._requests(self.walker.read(response, listing, page, known_pages))

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
        if self._walker is not None:
            self._walker.stopped(reason)
        walked = self._walker.results(missing) if self._walker is not None else Walked(missing=tuple(missing))
        self.crawler.signals.send_catch_log(walks_ended, walked=walked)

