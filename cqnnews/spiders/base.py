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

from dataclasses import replace
from functools import cached_property
from typing import Any, ClassVar

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response
from scrapy.settings import BaseSettings

from cqnnews import navigation
from cqnnews.article_queue import ArticleQueue
from cqnnews.feeds import apply_default_feed
from cqnnews.known import KnownArticles
from cqnnews.run import Run, run_of
from cqnnews.sections import Channel, Section
from cqnnews.spiders.arguments import RunArguments, parse_arguments
from cqnnews.spiders.article_page import ArticlePage
from cqnnews.spiders.articles import ArticleCallbacks
from cqnnews.spiders.listing import Listing, Walk
from cqnnews.spiders.navigation import NavigationCallbacks
from cqnnews.spiders.walking import ListingCallbacks
from cqnnews.urls import SiteUrls, article_id

__all__ = ["Listing", "SectionSpider"]


class SectionSpider(NavigationCallbacks, ListingCallbacks, ArticleCallbacks, Spider):
    section: ClassVar[Section]
    # set in from_crawler, from the settings
    urls: SiteUrls
    node_ids: dict[str, int]
    stop_after: int
    listing_window: int
    max_listing_pages: int

    def __init__(self, *args: Any, sub: str | None = None, since: str | None = None, full: str | None = None,
                 recheck_days: str | None = None, **kwargs: Any) -> None:  # _job, _version: scrapyd's, kept as is
        super().__init__(*args, **kwargs)
        given = {"sub": sub, "since": since, "full": full, "recheck_days": recheck_days}
        self.args: RunArguments = parse_arguments(self.section, {k: v for k, v in given.items() if v is not None})
        self.visited: set[str] = set()
        self.walks: dict[str, Walk] = {}
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
        spider.stop_after = max(1, settings.getint("CQN_STOP_AFTER_KNOWN_PAGES"))
        spider.listing_window = max(1, settings.getint("CQN_LISTING_WINDOW"))
        spider.max_listing_pages = settings.getint("CQN_MAX_LISTING_PAGES")
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

    def _selected(self, path: tuple[str, ...], channel: Channel | None = None) -> bool:
        """Whether ``-a sub=`` chose the listing (or one above it); a registry name stands for its aliases too,
        until the listing page shows which it is."""
        chosen = self.args.chosen
        if not chosen or any(name in chosen for name in path):
            return True
        return channel is not None and bool(chosen & set(channel.names_of(path[-1])))

    def _leads_to_chosen(self, channel: Channel, path: tuple[str, ...]) -> bool:
        return bool(self.args.chosen & set(channel.below.get(path[-1], ())))

    def _channel(self, listing: Listing) -> Channel:
        return self.section.channels[listing.channel]

    def _arrived(self, listing: Listing, sel: Any, url: str) -> Listing:
        """The first page of a listing: named as its own breadcrumb names it, where that is a name the registry
        knows for it (the home page of 2018 calls 要闻 the listings its pages call 要闻一 and 要闻二); its route
        counted and kept for the summary."""
        if listing.route == "node_id":
            self.guess_answered(listing, url, found=True)
        channel = self._channel(listing)
        crumb = navigation.crumb_name(sel)
        if listing.registry and crumb and crumb != listing.path[-1] and crumb in channel.names_of(listing.registry):
            path = (*listing.path[:-1], crumb)
            listing = replace(listing, path=path, record=listing.record and self._selected(path))
        self.run.count(f"listing/route/{listing.route}")
        self.run.routes.setdefault(listing.name, listing.route)
        return listing
