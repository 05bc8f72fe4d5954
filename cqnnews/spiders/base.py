"""A spider for one news-centre section: navigation, then listings, then articles.

The walk has two phases.  First the spider finds the section's listings by link text
and walks every listing page, noting each article once with every listing it was found
in.  When no listing page is left (``spider_idle``), it requests each noted article
once; so an article listed in two sub-sections comes out once, with both in
``sections``.
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
from cqnnews.sections import Section
from cqnnews.text import compact
from cqnnews.urls import SiteUrls, article_id


@dataclass
class Found:
    """An article seen on listings, not yet requested."""

    url: str
    sections: list[str] = field(default_factory=list)


class SectionSpider(Spider):
    section: ClassVar[Section]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.found: dict[int, Found] = {}
        self._articles_scheduled = False

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        apply_default_feed(settings, cls.name)

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> "SectionSpider":
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.urls = SiteUrls(crawler.settings.get("CQN_BASE_URL"))
        spider.node_ids = {**spider.section.node_ids, **crawler.settings.getdict("CQN_NODE_IDS")}
        crawler.signals.connect(spider._on_idle, signal=signals.spider_idle)
        return spider  # type: ignore[return-value]

    def _count(self, key: str, n: int = 1) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(f"cqnnews/{key}", n)

    # --- navigation ------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        yield Request(self.urls.url("/"), callback=self.parse_home, dont_filter=True)

    def parse_home(self, response: Response) -> Any:
        links = navigation.links_by_text(response.selector, response.url)
        url = links.get(compact(self.section.channel))
        fetch = self.urls.fetchable(url) if url else None
        if fetch is None:
            self._count("navigation/fallback")
            fetch = self.urls.url(f"/{self.section.slug}/index.htm")
            self.logger.warning("home page %s has no link %r; trying %s", response.url, self.section.channel, fetch)
        yield Request(fetch, callback=self.parse_channel)

    def parse_channel(self, response: Response) -> Any:
        links = navigation.links_by_text(response.selector, response.url)
        for name in self.section.subsections:
            url = links.get(compact(name))
            fetch = self.urls.fetchable(url) if url else None
            if fetch is None and name in self.node_ids:
                self._count("navigation/fallback")
                fetch = self.urls.url(f"/{self.section.slug}/node_{self.node_ids[name]}.htm")
                self.logger.warning("channel page %s has no link %r; using its node id: %s", response.url, name, fetch)
            if fetch is None:
                self._count("navigation/missing")
                self.logger.error("channel page %s has no link %r and no node id is configured for it "
                                  "(set CQN_NODE_IDS)", response.url, name)
                continue
            yield Request(fetch, callback=self.parse_listing, cb_kwargs={"name": name, "page": 1})

    # --- listings --------------------------------------------------------------------

    def parse_listing(self, response: Response, name: str, page: int) -> Any:
        sel = response.selector
        items = navigation.listing_items(sel, response.url)
        self._count("listing/pages")
        if not items:
            self._count("listing/empty_pages")
            self.logger.warning("listing page %s (%s, page %d) holds no article links", response.url, name, page)
        for url, _title in items:
            fetch = self.urls.fetchable(url)
            aid = article_id(url)
            if fetch is None or aid is None:
                continue
            known = self.found.get(aid)
            if known is None:
                self.found[aid] = Found(fetch, [name])
                self._count("listing/articles")
            elif name not in known.sections:
                known.sections.append(name)
                self._count("listing/cross_listed")
        last = navigation.last_page(sel)
        if page < last:
            yield Request(navigation.listing_page_url(response.url, page + 1), callback=self.parse_listing,
                          cb_kwargs={"name": name, "page": page + 1})

    def _on_idle(self, spider: Spider) -> None:
        if spider is not self or self._articles_scheduled:
            return
        self._articles_scheduled = True
        order = {name: i for i, name in enumerate(self.section.subsections)}
        assert self.crawler.engine is not None
        for aid, found in sorted(self.found.items(), reverse=True):
            found.sections.sort(key=lambda s: order.get(s, len(order)))
            self.crawler.engine.crawl(Request(found.url, callback=self.parse_article, errback=self.article_failed,
                                              cb_kwargs={"sections": found.sections}, meta={"article_id": aid}))
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
        if article.flags:
            for flag in article.flags:
                self._count(f"article/flag/{flag}")
        yield article

    def article_failed(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        self._count("article/failed")
        self.logger.warning("skipped article %s: %s", request.url, failure.getErrorMessage() or failure.type.__name__)
