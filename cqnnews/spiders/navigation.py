"""The navigation half of a section spider: from the home page to the section's channels and listings.

Channels are found by their link text on the home page (else ``/<slug>/index.htm``),
listings by theirs on the channel page (else the node id configured in ``CQN_NODE_IDS`` or
the registry); each listing found is handed to the listing walk (``_follow``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

from scrapy import Request
from scrapy.http import Response

from cqnnews import navigation
from cqnnews.navigation import page_selector
from cqnnews.run import Run
from cqnnews.sections import Channel, Section
from cqnnews.spiders.arguments import RunArguments
from cqnnews.spiders.listing import Listing
from cqnnews.text import compact
from cqnnews.urls import SiteUrls


class NavigationCallbacks:
    """Mixed into :class:`~cqnnews.spiders.base.SectionSpider` (callbacks must be spider methods)."""

    section: Section
    args: RunArguments
    run: Run
    urls: SiteUrls
    node_ids: dict[str, int]
    logger: Any

    page_failed: Callable[[Any], None]  # the spider's: a navigation page that failed on every try
    _follow: Callable[[str, Listing], Iterator[Request]]  # the spider's listing walk

    def _node_url(self, channel: Channel, name: str) -> str | None:
        node = self.node_ids.get(name, channel.node_ids.get(name))
        return self.urls.url(f"/{channel.slug}/node_{node}.htm") if node else None

    async def start(self) -> AsyncIterator[Any]:
        if not self.run.coordination.walks_listings():
            return  # joining a crawl already fetching articles: take them from the shared queue
        yield Request(self.urls.url("/"), callback=self.parse_home, errback=self.page_failed,
                      dont_filter=self.run.coordination.pages_bypass_filter())

    def parse_home(self, response: Response) -> Any:
        """The home page: each channel of the section, by its link text.

        @site_url https://www.cqn.com.cn/
        @returns requests 1
        """
        links = navigation.links_by_text(page_selector(response), response.url)
        for i, channel in enumerate(self.section.channels):
            url = links.get(compact(channel.name))
            fetch = self.urls.fetchable(url) if url else None
            if fetch is None:
                self.run.count("navigation/fallback")
                fetch = self.urls.url(f"/{channel.slug}/index.htm")
                self.logger.warning("home page %s has no link %r; trying %s", response.url, channel.name, fetch)
            yield Request(fetch, callback=self.parse_channel, errback=self.page_failed, 
                          dont_filter=self.run.coordination.pages_bypass_filter(), cb_kwargs={"position": i})

    def parse_channel(self, response: Response, position: int) -> Any:
        """A channel page: the section's listings on it, by link text (else by node id).

        @channel_page
        @returns requests 1
        """
        channel = self.section.channels[position]
        links = navigation.node_links(page_selector(response), response.url)
        by_name = {compact(name): url for name, url in links}
        names = list(channel.listings) if channel.only_listed else list(
            dict.fromkeys([*(name for name, _ in links), *channel.listings]))
        if not links:
            self.run.count("navigation/missing")
            self.logger.error("channel page %s links no listings at all: has the layout changed?", response.url)
        for i, name in enumerate(names):
            url = by_name.get(compact(name))
            fetch = self.urls.fetchable(url) if url else None
            if fetch is None and (fetch := self._node_url(channel, name)) is not None:
                self.run.count("navigation/fallback")
                self.logger.warning("channel page %s has no link %r; using its node id: %s", response.url, name, fetch)
            if fetch is None:
                if channel.only_listed or name in self.args.chosen:
                    self.run.count("navigation/missing")
                    self.logger.error("channel page %s has no link %r and no node id is configured for it "
                                      "(set CQN_NODE_IDS)", response.url, name)
                else:
                    self.run.count("navigation/absent_optional")
                    self.logger.info("channel page %s does not link %r today", response.url, name)
                continue
            if name not in channel.names:
                self.logger.info("channel %s links a listing the registry does not know: %s (%s)",
                                 channel.name, name, fetch)
            yield from self._follow(fetch, Listing(position, (name,), (position, i), record=False))
