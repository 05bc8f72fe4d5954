"""A spider for one news-centre section: navigation, then listings, then articles.

The walk has two phases.  First the spider finds the section's channels and listings by
link text and walks every listing page, noting each article once with every listing it
was found in.  When no listing page is left (``spider_idle``), it requests each noted
article once; so an article listed in two listings comes out once, with both in
``sections``.  Listings below a listing (抽查公告 > 国家抽查 > 2024) are found on its first
page: links to listing pages not met before are its children.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response, TextResponse
from scrapy.settings import BaseSettings
from twisted.python.failure import Failure

from cqnnews import navigation
from cqnnews.feeds import apply_default_feed
from cqnnews.items import Article
from cqnnews.parsers import ArticleParseError, extract
from cqnnews.sections import BadArgument, Channel, Section
from cqnnews.text import compact
from cqnnews.urls import SiteUrls, article_id

Order = tuple[int, ...]  # position of a listing in the site map: channel, then link positions


@dataclass
class Found:
    """An article seen on listings, not yet requested."""

    url: str
    sections: dict[str, Order] = field(default_factory=dict)


@dataclass(frozen=True)
class Listing:
    channel: Channel
    path: tuple[str, ...]  # names from the channel page down
    order: Order
    record: bool  # False for a listing walked only to reach chosen listings below it

    @property
    def name(self) -> str:
        return ">>".join(self.path)


class SectionSpider(Spider):
    section: ClassVar[Section]

    def __init__(self, *args: Any, sub: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.chosen = self.section.choose(sub)
        self.found: dict[int, Found] = {}
        self.visited: set[str] = set()
        self._articles_scheduled = False

    @classmethod
    def check_arguments(cls, spargs: dict[str, str]) -> None:
        """Raise BadArgument, naming what is accepted, for arguments the run cannot start with."""
        unknown = set(spargs) - {"sub"}
        if unknown:
            raise BadArgument(f"unknown argument {', '.join(sorted(unknown))} for spider {cls.name}; accepted: "
                              "-a sub=NAME[,NAME...]")
        cls.section.choose(spargs.get("sub"))

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        apply_default_feed(settings, cls.name)

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> "SectionSpider":
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.urls = SiteUrls(crawler.settings.get("CQN_BASE_URL"))
        spider.node_ids = crawler.settings.getdict("CQN_NODE_IDS")
        crawler.signals.connect(spider._on_idle, signal=signals.spider_idle)
        return spider  # type: ignore[return-value]

    def _count(self, key: str, n: int = 1) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(f"cqnnews/{key}", n)

    def _selected(self, path: tuple[str, ...]) -> bool:
        return not self.chosen or any(name in self.chosen for name in path)

    def _leads_to_chosen(self, channel: Channel, path: tuple[str, ...]) -> bool:
        return bool(self.chosen & set(channel.below.get(path[-1], ())))

    def _node_url(self, channel: Channel, name: str) -> str | None:
        node = self.node_ids.get(name, channel.node_ids.get(name))
        return self.urls.url(f"/{channel.slug}/node_{node}.htm") if node else None

    # --- navigation ------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        yield Request(self.urls.url("/"), callback=self.parse_home, dont_filter=True)

    def parse_home(self, response: Response) -> Any:
        links = navigation.links_by_text(response.selector, response.url)
        for i, channel in enumerate(self.section.channels):
            url = links.get(compact(channel.name))
            fetch = self.urls.fetchable(url) if url else None
            if fetch is None:
                self._count("navigation/fallback")
                fetch = self.urls.url(f"/{channel.slug}/index.htm")
                self.logger.warning("home page %s has no link %r; trying %s", response.url, channel.name, fetch)
            yield Request(fetch, callback=self.parse_channel, cb_kwargs={"channel": channel, "position": i})

    def parse_channel(self, response: Response, channel: Channel, position: int) -> Any:
        sel = response.selector
        by_name = {compact(name): url for name, url in navigation.node_links(sel, response.url)}
        names = list(channel.listings) if channel.only_listed else list(
            dict.fromkeys([*(name for name, _ in navigation.node_links(sel, response.url)), *channel.listings]))
        for i, name in enumerate(names):
            url = by_name.get(compact(name))
            fetch = self.urls.fetchable(url) if url else None
            if fetch is None and (fetch := self._node_url(channel, name)) is not None:
                self._count("navigation/fallback")
                self.logger.warning("channel page %s has no link %r; using its node id: %s", response.url, name, fetch)
            if fetch is None:
                self._count("navigation/missing")
                self.logger.error("channel page %s has no link %r and no node id is configured for it "
                                  "(set CQN_NODE_IDS)", response.url, name)
                continue
            if name not in channel.names:
                self.logger.info("channel %s links a listing the registry does not know: %s (%s)",
                                 channel.name, name, fetch)
            yield from self._follow(fetch, Listing(channel, (name,), (position, i), record=False))

    def _follow(self, url: str, listing: Listing) -> Any:
        if url in self.visited:
            return
        self.visited.add(url)
        selected = self._selected(listing.path)
        if selected or self._leads_to_chosen(listing.channel, listing.path):
            listing = Listing(listing.channel, listing.path, listing.order, record=selected)
            yield Request(url, callback=self.parse_listing, cb_kwargs={"listing": listing, "page": 1})

    # --- listings --------------------------------------------------------------------

    def parse_listing(self, response: Response, listing: Listing, page: int) -> Any:
        sel = response.selector
        self._count("listing/pages")
        items = navigation.listing_items(sel, response.url)
        children = []
        if page == 1:
            inside = self.urls.url(f"/{listing.channel.slug}/")
            children = [(name, fetch) for name, url in navigation.node_links(sel, response.url)
                        if (fetch := self.urls.fetchable(url)) and fetch not in self.visited
                        and fetch.startswith(inside)]
            for i, (name, fetch) in enumerate(children):
                yield from self._follow(fetch, Listing(listing.channel, (*listing.path, name),
                                                       (*listing.order, i), record=False))
        if not items and not children:
            self._count("listing/empty_pages")
            self.logger.warning("listing page %s (%s, page %d) holds no article links", response.url, listing.name,
                                page)
        if listing.record:
            self._note(items, listing)
        if items and page < navigation.last_page(sel):
            yield Request(navigation.listing_page_url(response.url, page + 1), callback=self.parse_listing,
                          cb_kwargs={"listing": listing, "page": page + 1})

    def _note(self, items: list[tuple[str, str]], listing: Listing) -> None:
        for url, _title in items:
            fetch = self.urls.fetchable(url)
            aid = article_id(url)
            if fetch is None or aid is None:
                continue
            known = self.found.get(aid)
            if known is None:
                self.found[aid] = Found(fetch, {listing.name: listing.order})
                self._count("listing/articles")
            elif listing.name not in known.sections:
                known.sections[listing.name] = listing.order
                self._count("listing/cross_listed")

    def _on_idle(self, spider: Spider) -> None:
        if spider is not self or self._articles_scheduled:
            return
        self._articles_scheduled = True
        assert self.crawler.engine is not None
        for aid, found in sorted(self.found.items(), reverse=True):
            sections = sorted(found.sections, key=found.sections.__getitem__)
            self.crawler.engine.crawl(Request(found.url, callback=self.parse_article, errback=self.article_failed,
                                              cb_kwargs={"sections": sections}, meta={"article_id": aid}))
        if self.found:
            raise DontCloseSpider

    # --- articles --------------------------------------------------------------------

    def parse_article(self, response: Response, sections: list[str]) -> Any:
        if not isinstance(response, TextResponse):
            self._count("article/failed")
            self.logger.warning("skipped article %s: not a text page (%s)", response.url,
                                response.headers.get("Content-Type", b"").decode("latin-1"))
            return
        try:
            article: Article = extract(response.text, response.url, self.urls, sections=sections)
        except ArticleParseError as exc:
            self._count("article/failed")
            self.logger.warning("skipped article %s: %s", response.url, exc)
            return
        self._count("article/parsed")
        for flag in article.flags:
            self._count(f"article/flag/{flag}")
        yield article

    def article_failed(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        self._count("article/failed")
        self.logger.warning("skipped article %s: %s", request.url, failure.getErrorMessage() or failure.type.__name__)
