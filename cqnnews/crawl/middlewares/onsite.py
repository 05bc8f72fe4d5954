"""Redirects and meta refreshes are followed only within the site: never someone else's page under our URL.

Scrapy's offsite filter lets through every request marked ``dont_filter`` (as a single run's
requests are) and a redirect keeps that mark.  Here a redirected request (one carrying
``redirect_urls``, from a 3xx or a meta refresh) to a host that is neither the crawled
origin (``CQN_BASE_URL``) nor one of the site's own hosts is refused: its article or
listing page fails with the reason, counted ``cqnnews/redirect/offsite``.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest

from cqnnews.urls import SiteUrls


class RedirectedOffSite(IgnoreRequest):
    """A redirect that leaves the site."""


class OnSiteRedirectsMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.urls = SiteUrls(crawler.settings.get("CQN_BASE_URL"))

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "OnSiteRedirectsMiddleware":
        return cls(crawler)

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        if request.meta.get("redirect_urls") and not self.urls.on_site(request.url):
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value("cqnnews/redirect/offsite")
            raise RedirectedOffSite(f"redirected off the site to {urlsplit(request.url).netloc} "
                                    f"(from {request.meta['redirect_urls'][0]})")
