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
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from functools import cached_property
from typing import Any, ClassVar

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response
from scrapy.settings import BaseSettings
from twisted.python.failure import Failure

from cqnnews.article_queue import ArticleQueue, ArticleTask
from cqnnews.coordination import Batch
from cqnnews.feeds import apply_default_feed
from cqnnews.known import KnownArticles
from cqnnews.run import Run, run_of
from cqnnews.sections import Section
from cqnnews.signals import Walked, walks_ended
from cqnnews.spiders.arguments import RunArguments, parse_arguments
from cqnnews.spiders.article_page import ArticlePage
from cqnnews.spiders.articles import ArticleCallbacks, failure_reason, unanswered
from cqnnews.spiders.listing import Listing, WalkLimits, selected
from cqnnews.spiders.navigation import NavigationCallbacks
from cqnnews.spiders.walker import Below, ListingWalker, PageAsk
from cqnnews.summary import UNANSWERED
from cqnnews.urls import SiteUrls, article_id

__all__ = ["Listing", "SectionSpider"]


class SectionSpider(NavigationCallbacks, ArticleCallbacks, Spider):
    section: ClassVar[Section]
    # set in from_crawler, from the settings
    urls: SiteUrls
    node_ids: dict[str, int]

    def __init__(self, *args: Any, sub: str | None = None, since: str | None = None, full: str | None = None,
                 recheck_days: str | None = None, **kwargs: Any) -> None:  # _job, _version: scrapyd's, kept as is
        super().__init__(*args, **kwargs)
        given = {"sub": sub, "since": since, "full": full, "recheck_days": recheck_days}
        self.args: RunArguments = parse_arguments(self.section, {k: v for k, v in given.items() if v is not None})
        self.visited: set[str] = set()  # every listing node asked for, by any route
        self.missing: list[str] = []  # listings no route found
        self._walker: ListingWalker | None = None
        self.guesses: dict[tuple[int, str], set[str]] = {}
        self.sitemap_left: dict[int, tuple[set[str], int]] = {}

    @classmethod
    def check_arguments(cls, spargs: dict[str, str]) -> None:
        """Raise BadArgument, naming what is accepted, for arguments the run cannot start with."""
        parse_arguments(cls.section, spargs)

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        redis_url = settings.get("CQN_REDIS_URL")
        if redis_url:
            from cqnnews.distributed import redis_settings  # the redis extra: only shared crawls

            scope = f"{SiteUrls(settings.get('CQN_BASE_URL')).origin_key}:{cls.name}"
            settings.setdict(redis_settings(redis_url, scope), priority="spider")
        apply_default_feed(settings, cls.name, worker=bool(redis_url))

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> "SectionSpider":
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.urls = SiteUrls(settings.get("CQN_BASE_URL"))
        spider.node_ids = settings.getdict("CQN_NODE_IDS")
        crawler.signals.connect(spider.idle, signal=signals.spider_idle)
        return spider  # type: ignore[return-value]

    @cached_property
    def run(self) -> Run:
        """This run's bookkeeping, held by the RunLedger extension (made after the spider)."""
        return run_of(self.crawler)

    @cached_property
    def known(self) -> KnownArticles:
        return KnownArticles(self.run.store, self.urls)

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

    @cached_property
    def article_queue(self) -> ArticleQueue:
        """What the run is to fetch once its listings are walked; handed out by the coordination."""
        run = self.run
        return ArticleQueue(run.store, run.scratch, run.urls, run.now, self.args.recheck_days,
                            self.settings.getint("CQN_SMOKE_ARTICLES"))

    @cached_property
    def article_page(self) -> ArticlePage:
        return ArticlePage(self.run.urls, self.run.now, self.settings.getint("CQN_MAX_ARTICLE_PAGES"))

    def idle(self, spider: Spider) -> None:
        """Listings done: the coordination hands out articles (in batches, or across workers) to request."""
        if spider is not self or self.settings.getbool("CQN_SAMPLE_ONLY"):
            return
        batch = self.run.coordination.next_batch(self.run, self.article_queue)
        queue = self.article_queue
        self.run.articles_requested = queue.requested
        self.run.attachment_attempts.update(queue.attachment_attempts)
        self.schedule_articles(batch)
        if batch.keep_open:
            raise DontCloseSpider

    # --- listings --------------------------------------------------------------------

    @property
    def walker(self) -> ListingWalker:
        """The listing walks of this run (made on first use: the run is the RunLedger's, made after the spider)."""
        if self._walker is None:
            self._walker = ListingWalker(self.section, self.run, self.known, self.args, self.visited,
                                         WalkLimits.from_settings(self.settings), self.logger)
        return self._walker

    def _follow(self, url: str, listing: Listing) -> Iterator[Request]:
        """A listing found (by any route): walked from its first page, once a node, if ``-a sub`` leads to it."""
        if url in self.visited:  # another route to the same node: one walk
            return
        self.visited.add(url)
        channel = self.section.channels[listing.channel]
        names = channel.names_of(listing.path[-1]) if listing.registry == listing.path[-1] else ()
        chosen = selected(self.args.chosen, listing.path, names)
        if chosen or self.args.chosen & set(channel.below.get(listing.path[-1], ())):
            yield self._listing_request(PageAsk(url, replace(listing, record=chosen, node=url), 1), first=True)

    def _listing_request(self, ask: PageAsk, first: bool = False) -> Request:
        cb_kwargs = {"listing": ask.listing, "page": ask.page}
        return Request(ask.url, callback=self.parse_listing, errback=self.page_failed,
                       dont_filter=self.run.coordination.pages_bypass_filter(),
                       cb_kwargs=cb_kwargs if first else {**cb_kwargs, "known_pages": ask.known_pages})

    def parse_listing(self, response: Response, listing: Listing, page: int, known_pages: int = 0) -> Any:
        """One page of a listing: its articles noted, the next pages (and listings below it) requested.

        @site_url https://www.cqn.com.cn/qt/node_20762.htm
        @listing 要闻一
        @notes_articles 1
        """
        if page == 1 and listing.route == "node_id":
            self.guess_answered(listing, response.url, found=True)
        steps = self.walker.read(response, listing, page, known_pages)
        late = tuple(step for step in steps if isinstance(step, ArticleTask))
        if late:  # a shared crawl past its switch to articles: requested at once
            self.schedule_articles(Batch(late))
        for step in steps:
            if isinstance(step, Below):
                yield from self._follow(step.url, step.listing)
            elif isinstance(step, PageAsk):
                yield self._listing_request(step)

    def page_failed(self, failure: Failure) -> None:
        """A navigation or listing page that failed on every try: the walk of its listing is incomplete."""
        request = failure.request  # type: ignore[attr-defined]
        self.run.coordination.done_with(request)
        listing = request.cb_kwargs.get("listing")
        reason = failure_reason(failure)
        if listing is not None and listing.route == "node_id" and request.cb_kwargs.get("page") == 1 \
                and reason == "HTTP 404":  # a recorded node id the site no longer serves: one route less
            self.logger.warning("listing %s: node id page %s answered 404", listing.name, request.url)
            self.guess_answered(listing, request.url, found=False)
            return
        self.run.count("listing/failed" if listing else "navigation/failed")
        if listing is not None:
            self.walker.failed(listing, request.cb_kwargs.get("page"))
        if listing is None and (why := unanswered(failure)) is not None and request.url == self.urls.url("/"):
            self.crawler.stats.set_value(UNANSWERED, why)  # the summary's first problem
            self.logger.error("the home page did not answer: %s (%s, after every retry)", why, request.url)
            return
        self.logger.error("page %s failed: %s%s", request.url, reason,
                          f"; listing {listing.name} will be walked in full next run" if listing else "")

    def closed(self, reason: str) -> None:
        """The walks stopped where they were (a run stopped or cut off: they resume there next run); what they
        found sent once (:data:`~cqnnews.signals.walks_ended`), for the ledger to record."""
        if self._walker is not None:
            self._walker.stopped(reason)
        walked = self._walker.results(self.missing) if self._walker is not None else Walked(missing=tuple(self.missing))
        self.crawler.signals.send_catch_log(walks_ended, walked=walked)
