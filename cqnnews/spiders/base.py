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

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response
from scrapy.settings import BaseSettings
from twisted.python.failure import Failure

from cqnnews import navigation
from cqnnews.feeds import apply_default_feed
from cqnnews.known import KnownArticles, ListingPage
from cqnnews.navigation import page_selector
from cqnnews.run import Run, run_of
from cqnnews.sections import Channel, Section
from cqnnews.spiders.arguments import RunArguments, parse_arguments
from cqnnews.spiders.articles import ArticleCallbacks, failure_reason
from cqnnews.spiders.listing import Listing, Walk
from cqnnews.spiders.navigation import NavigationCallbacks
from cqnnews.summary import UNANSWERED
from cqnnews.urls import SiteUrls, article_id

__all__ = ["Listing", "SectionSpider"]


class SectionSpider(NavigationCallbacks, ArticleCallbacks, Spider):
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

    def idle(self, spider: Spider) -> None:
        """Listings done: the coordination queues articles (in batches, or across workers)."""
        if spider is self and not self.settings.getbool("CQN_SAMPLE_ONLY") \
                and self.run.coordination.idle(self.run, self):
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

    def _follow(self, url: str, listing: Listing) -> Any:
        if url in self.visited:
            return
        self.visited.add(url)
        channel = self._channel(listing)
        selected = self._selected(listing.path, channel if listing.registry == listing.path[-1] else None)
        if selected or self._leads_to_chosen(channel, listing.path):
            listing = replace(listing, record=selected)
            yield Request(url, callback=self.parse_listing, errback=self.page_failed,
                          dont_filter=self.run.coordination.pages_bypass_filter(),
                          cb_kwargs={"listing": listing, "page": 1})

    def parse_listing(self, response: Response, listing: Listing, page: int, known_pages: int = 0) -> Any:
        """One page of a listing: its articles noted, the next pages (and listings below it) requested.

        @site_url https://www.cqn.com.cn/qt/node_20762.htm
        @listing 要闻一
        @notes_articles 1
        """
        sel = page_selector(response)
        if page == 1:
            listing = self._arrived(listing, sel, response.url)
        self.run.where = f"listing {listing.name} page {page}"
        self.run.count("listing/pages")
        items = navigation.listing_items(sel, response.url)
        children = []
        if page == 1:
            inside = self.urls.url(f"/{self._channel(listing).slug}/")
            children = [(name, fetch) for name, url in navigation.sub_listing_links(sel, response.url, bool(items))
                        if (fetch := self.urls.fetchable(url)) and fetch not in self.visited
                        and fetch.startswith(inside)]
            for i, (name, fetch) in enumerate(children):
                yield from self._follow(fetch, Listing(listing.channel, (*listing.path, name),
                                                       (*listing.order, i), record=False, route="below"))
        if not items and not children:
            self.run.count("listing/empty_pages")
            self.logger.warning("listing page %s (%s, page %d) holds no article links", response.url, listing.name,
                                page)
        if page == 1 and (items or not children):  # an index of listings below links none of its own
            self.run.first_pages[listing.name] = len(items)
        if not listing.record:
            return
        walk = self.walks.setdefault(listing.name, Walk(requested=page))
        if items and walk.repeats([url for url, _ in items]):
            self._end(walk, listing, "repeated_pages", f"page {page} ({response.url}) repeats an earlier page")
            return
        sorted_ = self._note([url for url, _ in items], listing)
        if self.settings.getint("CQN_SMOKE_ARTICLES"):  # scrapy smoke: the first page of each listing only
            self._end(walk, listing)
            return
        known_pages = known_pages + 1 if sorted_.all_known else 0
        last = navigation.last_page(sel)
        if self.max_listing_pages <= page < last:
            self._end(walk, listing, "capped",
                      f"page {page} of {last} is the most one run walks (CQN_MAX_LISTING_PAGES)")
            return
        if not items or page >= last or sorted_.reached_since:
            self._end(walk, listing)
            return
        if known_pages >= self.stop_after and not (self.args.full or listing.name in self.run.walk_in_full):
            self._end(walk, listing, "stopped_at_known")
            return
        if walk.done:  # a page further on ended the walk while this one was in flight
            return
        # A shared crawl walks page by page: its pages are parsed by whichever worker takes them; so does a
        # resumable job (JOBDIR), whose walk state would not survive the pause (see Coordination.asks_ahead).
        grow = sorted_.none_known and self.run.coordination.asks_ahead() and not self.args.since
        for n in walk.next_pages(page, last, grow, self.listing_window):
            yield Request(navigation.listing_page_url(response.url, n), callback=self.parse_listing,
                          errback=self.page_failed, dont_filter=self.run.coordination.pages_bypass_filter(),
                          cb_kwargs={"listing": listing, "page": n, "known_pages": known_pages})

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

    def _end(self, walk: Walk, listing: Listing, counted: str | None = None, why: str | None = None) -> None:
        """The walk of ``listing`` is over for this run (counted as ``listing/<counted>``)."""
        walk.done = True
        self.run.complete.add(listing.name)
        if counted:
            self.run.count(f"listing/{counted}")
        if why:
            self.logger.warning("listing %s ends here: %s", listing.name, why)

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
            self.run.incomplete.add(listing.name)
        if listing is None and (why := unanswered(failure)) is not None and request.url == self.urls.url("/"):
            self.crawler.stats.set_value(UNANSWERED, why)  # type: ignore[union-attr]  # the summary's first problem
            self.logger.error("the home page did not answer: %s (%s, after every retry)", why, request.url)
            return
        self.logger.error("page %s failed: %s%s", request.url, reason,
                          f"; listing {listing.name} will be walked in full next run" if listing else "")

    def _note(self, links: list[str], listing: Listing) -> ListingPage:
        """Note the page's articles not exported before, with this listing; what the page says of the walk."""
        run = self.run
        page = self.known.sort(links, self.args.since)
        if page.out_of_range:
            run.count("listing/id_out_of_range", page.out_of_range)
            self.logger.warning("listing %s: skipped %d links whose article id is out of range", listing.name,
                                page.out_of_range)
        for _ in range(page.exported):
            run.add([listing.name], "duplicate")
        run.coordination.noted(run, [(aid, run.urls.canonical(fetch), listing.name, listing.order)
                                     for aid, fetch in page.fresh], self)
        new, again = run.scratch.note(page.fresh, listing.name, listing.order)
        run.count("listing/articles", new)
        run.count("listing/cross_listed", again)
        return page


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
