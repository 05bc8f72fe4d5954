"""Contracts for ``scrapy check``: each callback tried on a page of the origin crawled (``CQN_BASE_URL``).

The sample URLs in the callbacks' docstrings are written as the real site's; they are fetched
from the crawled origin, as a crawl fetches them (the replica serves the same paths, and the
reference article 6121542 is a real one), so the same contracts check the replica and, pointed
there, the real site.  ``scrapy check`` runs them with a throw-away crawl state and no feed.
"""

from __future__ import annotations

from typing import Any

from scrapy.contracts import Contract
from scrapy.exceptions import ContractFail

from cqnnews.crawl.pages.listing import Listing
from cqnnews.urls import SiteUrls, article_id


class _SpiderContract(Contract):
    def __init__(self, method: Any, *args: Any) -> None:
        super().__init__(method, *args)
        self.spider = method.__self__

    def fetchable(self, url: str) -> str:
        fetch = SiteUrls(self.spider.settings.get("CQN_BASE_URL")).fetchable(url)
        if fetch is None:
            raise ValueError(f"not a URL of the site: {url}")
        return fetch


class SiteUrlContract(_SpiderContract):
    """``@site_url URL``: the sample page, a URL of the site fetched from the crawled origin."""

    name = "site_url"

    def adjust_request_args(self, args: dict[str, Any]) -> dict[str, Any]:
        args["url"] = self.fetchable(self.args[0])
        return args


class ChannelPageContract(_SpiderContract):
    """``@channel_page``: the spider's first channel page (``/<slug>/index.htm``)."""

    name = "channel_page"

    def adjust_request_args(self, args: dict[str, Any]) -> dict[str, Any]:
        slug = self.spider.section.channels[0].slug
        args["url"] = self.fetchable(f"https://www.cqn.com.cn/{slug}/index.htm")
        args["cb_kwargs"] = {"position": 0}
        return args


class ListingContract(_SpiderContract):
    """``@listing NAME``: the page is the first page of the listing NAME, walked and recorded."""

    name = "listing"

    def adjust_request_args(self, args: dict[str, Any]) -> dict[str, Any]:
        args["cb_kwargs"] = {"listing": Listing(0, (self.args[0],), (0, 0), record=True), "page": 1}
        return args


class ArticleContract(_SpiderContract):
    """``@article``: the page is an article requested as a crawl requests it (its id from its URL)."""

    name = "article"

    def adjust_request_args(self, args: dict[str, Any]) -> dict[str, Any]:
        aid = article_id(args["url"])
        args["meta"] = {"article_id": aid, "sections": [], "first_url": args["url"]}
        args["cb_kwargs"] = {"sections": []}
        return args


class NotesArticlesContract(_SpiderContract):
    """``@notes_articles N``: reading the page noted at least N articles to fetch."""

    name = "notes_articles"

    def post_process(self, output: list[Any]) -> None:
        found = self.spider.run.scratch.found_count
        if found < int(self.args[0]):
            raise ContractFail(f"noted {found} articles, expected at least {self.args[0]}")
