"""A spider for one news-centre section: navigation, then listings, then articles.

First the spider finds the section's channels and listings by every route there is and walks their listing
pages, noting each article once with every listing it was found in (:class:`~cqnnews.crawl.spiders.walking.
WalkingSpider`).  When no listing page is left (``spider_idle``), it writes what it found to the crawl state as
pending and requests each article once (:class:`~cqnnews.crawl.spiders.articles.ArticleSpider`): an article in two
listings comes out once, with both in ``sections``, and an article the run did not finish is fetched by the next.

Walking stops early on what earlier runs exported: a listing stops paging after ``CQN_STOP_AFTER_KNOWN_PAGES``
pages holding only known articles (``-a full=true`` walks them all), and at articles older than ``-a since``.
Known articles are never requested again, except those ``-a recheck_days`` asks for (out again only if changed).
The callbacks below are the navigation's; what a page means and what to ask next is the navigator's
(:mod:`~cqnnews.crawl.pages.navigator`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from scrapy import Request
from scrapy.http import Response
from twisted.python.failure import Failure

from cqnnews.crawl.pages.failures import failure_reason
from cqnnews.crawl.pages.listing import Listing
from cqnnews.crawl.spiders.walking import WalkingSpider

__all__ = ["Listing", "SectionSpider"]


class SectionSpider(WalkingSpider):
    """The navigation of one section (home page, channel pages, RSS, sitemap), then its listings and articles."""

    navigation_callbacks = {"home": ("parse_home", "page_failed"), "channel": ("parse_channel", "channel_failed"),
                            "rss": ("parse_rss", "rss_failed"), "sitemap": ("parse_sitemap", "sitemap_failed"),
                            "node": ("parse_sitemap_node", "sitemap_node_failed")}

    def parse_home(self, response: Response) -> Any:
        """The home page: listings linked from it by name, then each channel's page.

        @site_url https://www.cqn.com.cn/
        @returns requests 1
        """
        yield from self.requests_for(self.navigator.home(response))

    def parse_channel(self, response: Response, position: int, found: list[str] | None = None) -> Any:
        """A channel page: the section's listings on it, by name or alias (else by node id, else in RSS).

        @channel_page
        @returns requests 1
        """
        yield from self.requests_for(self.navigator.channel(response, position, found))

    def channel_failed(self, failure: Failure) -> Iterator[Request]:
        request = failure.request  # type: ignore[attr-defined]
        self.run.coordination.done_with(request)
        yield from self.requests_for(self.navigator.channel_failed(request.url, failure_reason(failure),
                                                                **request.cb_kwargs))

    def parse_rss(self, response: Response, position: int, wanted: list[str]) -> Iterator[Request]:
        yield from self.requests_for(self.navigator.rss(response.body, response.url, position, wanted))

    def rss_failed(self, failure: Failure) -> Iterator[Request]:
        request = failure.request  # type: ignore[attr-defined]
        self.run.coordination.done_with(request)
        yield from self.requests_for(self.navigator.sitemap(**request.cb_kwargs))

    def parse_sitemap(self, response: Response, position: int, wanted: list[str]) -> Iterator[Request]:
        yield from self.requests_for(self.navigator.sitemap_nodes(response.body, response.url, position, wanted))

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
