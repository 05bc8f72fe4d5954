"""The navigation half of a section spider: from the home page to the section's listings, by every route.

A listing of the registry (:mod:`cqnnews.sections`) is found by, in order:

1. ``menu``: a link to its node among the home page's links, by its name or an alias
   (the 2018 home page links 要闻 straight to ``/qt/node_20762.htm``);
2. ``more``: the ``[更多]`` link of the home page's ``dl.cont`` block that bears its name;
3. ``channel``: its link on the channel page (the channel found on the home page by its name
   or an alias, else at ``/<slug>/index.htm``), where every other listing the channel page
   links is found too, unless the section walks only its listings on record;
4. ``node_id``: the node ids recorded for it (``CQN_NODE_IDS``, then the registry's);
5. ``rss``: an item of ``/rss.xml`` linking its node;
6. ``sitemap``: a node of ``/sitemap.xml`` under the channel's slug whose own breadcrumb names it.

Each listing walked counts its route (``listing/route/<route>``) and the summary names it.  A
listing is missing only when every route failed: a channel page that answers 404 is a
warning, not a failed run, when the listings were found by other routes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import replace
from typing import Any

from scrapy import Request
from scrapy.http import Response
from twisted.python.failure import Failure

from cqnnews import navigation
from cqnnews.navigation import page_selector
from cqnnews.run import Run
from cqnnews.sections import Channel, Section
from cqnnews.spiders.arguments import RunArguments
from cqnnews.spiders.articles import failure_reason
from cqnnews.spiders.listing import Listing
from cqnnews.text import compact
from cqnnews.urls import SiteUrls

HOME_ROUTES = ("menu", "more")


class NavigationCallbacks:
    """Mixed into :class:`~cqnnews.spiders.base.SectionSpider` (callbacks must be spider methods)."""

    section: Section
    args: RunArguments
    run: Run
    urls: SiteUrls
    node_ids: dict[str, Any]
    logger: Any
    settings: Any
    visited: set[str]  # every listing node asked for, by any route
    missing: list[str]  # listings no route found
    guesses: dict[tuple[int, str], set[str]]  # listings sought by node id: the URLs not answered yet
    sitemap_left: dict[int, tuple[set[str], int]]  # by channel: listings still wanted, sitemap nodes not answered

    page_failed: Callable[[Failure], Any]  # the spider's: a navigation or listing page that failed on every try
    _follow: Callable[[str, Listing], Iterator[Request]]  # the spider's listing walk

    def _recorded_ids(self, channel: Channel, name: str) -> tuple[int, ...]:
        """``CQN_NODE_IDS`` for the listing (by its name or an alias), then the registry's."""
        ids: list[int] = []
        for alias in channel.names_of(name):
            configured = self.node_ids.get(alias)
            ids.extend(int(i) for i in (configured if isinstance(configured, (list, tuple)) else
                                        (configured,) if configured else ()))
        return tuple(dict.fromkeys((*ids, *channel.node_ids.get(name, ()))))

    def _required(self, channel: Channel, name: str) -> bool:
        """A listing the run needs: one the section walks alone, one ``-a sub`` chose, and for ``scrapy smoke``
        every listing on record."""
        return channel.only_listed or bool(self.args.chosen & set(channel.names_of(name))) \
            or self.settings.getint("CQN_SMOKE_ARTICLES") > 0

    def _listing(self, position: int, text: str, route: str, registry: str | None, index: int) -> Listing:
        return Listing(position, (text,), (position, index), record=False, route=route, registry=registry)

    def _index(self, channel: Channel, name: str | None, k: int) -> int:
        """Navigation order: the registry's listings in their order, then the others as the channel page has them."""
        return channel.listings.index(name) if name in channel.listings else len(channel.listings) + k

    async def start(self) -> AsyncIterator[Any]:
        if not self.run.coordination.walks_listings():
            return  # joining a crawl already fetching articles: take them from the shared queue
        yield Request(self.urls.url("/"), callback=self.parse_home, errback=self.page_failed,
                      dont_filter=self.run.coordination.pages_bypass_filter())

    def parse_home(self, response: Response) -> Any:
        """The home page: listings linked from it by name, then each channel's page.

        @site_url https://www.cqn.com.cn/
        @returns requests 1
        """
        sel = page_selector(response)
        routes = {"menu": navigation.menu_links(sel, response.url), "more": navigation.more_links(sel, response.url)}
        links = navigation.links_by_text(sel, response.url)
        for i, channel in enumerate(self.section.channels):
            found: list[str] = []
            for route in HOME_ROUTES:
                for k, (text, url) in enumerate(routes[route]):
                    name = channel.listing_named(text)
                    if name is None or (fetch := self.urls.fetchable(url)) is None:
                        continue
                    found.append(name)
                    yield from self._follow(fetch, self._listing(i, text, route, name, self._index(channel, name, k)))
            url = next((links[n] for n in (channel.name, *channel.also) if n in links), None)
            fetch = self.urls.fetchable(url) if url else None
            if fetch is None:
                self.run.count("navigation/fallback")
                fetch = self.urls.url(f"/{channel.slug}/index.htm")
                self.logger.info("home page %s has no link %r; trying %s", response.url, channel.name, fetch)
            yield Request(fetch, callback=self.parse_channel, errback=self.channel_failed,
                          dont_filter=self.run.coordination.pages_bypass_filter(),
                          cb_kwargs={"position": i, "found": sorted(set(found))})

    def parse_channel(self, response: Response, position: int, found: list[str] | None = None) -> Any:
        """A channel page: the section's listings on it, by name or alias (else by node id, else in RSS).

        @channel_page
        @returns requests 1
        """
        channel = self.section.channels[position]
        links = navigation.node_links(page_selector(response), response.url)
        seen = set(found or ())
        if not links:
            self.run.count("navigation/route_failed/channel")
            self.logger.warning("channel page %s links no listings: has the layout changed?", response.url)
        for k, (text, url) in enumerate(links):
            name = channel.listing_named(compact(text))
            fetch = self.urls.fetchable(url)
            if fetch is None or (name is None and channel.only_listed):
                continue
            if name is None:
                self.logger.info("channel %s links a listing the registry does not know: %s (%s)",
                                 channel.name, text, fetch)
            else:
                seen.add(name)
            yield from self._follow(fetch, self._listing(position, text, "channel", name,
                                                         self._index(channel, name, k)))
        if not links and not channel.listings:
            self._missing(channel, channel.name, f"its channel page {response.url} links no listings")
        yield from self._other_routes(position, seen)

    def channel_failed(self, failure: Failure) -> Iterator[Any]:
        """A channel page that failed: its listings are sought by node id and in RSS instead."""
        request = failure.request  # type: ignore[attr-defined]
        self.run.coordination.done_with(request)
        position, found = request.cb_kwargs["position"], set(request.cb_kwargs.get("found") or ())
        channel = self.section.channels[position]
        self.run.count("navigation/route_failed/channel")
        self.logger.warning("channel page %s failed (%s): looking for the listings of %s by other routes",
                            request.url, failure_reason(failure), channel.name)
        if not channel.listings:
            self._missing(channel, channel.name, f"its channel page {request.url} failed and no listing is on record")
        yield from self._other_routes(position, found)

    def _other_routes(self, position: int, found: set[str]) -> Iterator[Request]:
        """The registry's node ids of each listing not reached yet (all of them for a listing no other route
        found; else those other routes did not reach), then /rss.xml for listings still without a route."""
        channel = self.section.channels[position]
        in_rss = []
        for name in channel.listings:
            urls = [url for node in self._recorded_ids(channel, name)
                    if (url := self.urls.url(f"/{channel.slug}/node_{node}.htm")) not in self.visited]
            if name not in found:
                if not urls:
                    in_rss.append(name)
                    continue
                self.guesses[(position, name)] = set(urls)
                self.logger.info("listing %s of %s not linked from the home or channel page: trying its node ids",
                                 name, channel.name)
            for url in urls:
                yield from self._follow(url, self._listing(position, name, "node_id", name,
                                                           self._index(channel, name, 0)))
        if in_rss:
            yield Request(self.urls.url("/rss.xml"), callback=self.parse_rss, errback=self.rss_failed, dont_filter=True,
                          cb_kwargs={"position": position, "wanted": in_rss})

    def guess_answered(self, listing: Listing, url: str, found: bool) -> None:
        """A listing page sought by node id answered (``found``) or not (404): missing once none of the ids of
        a listing no other route found did."""
        key = (listing.channel, listing.registry or listing.name)
        if not found:
            self.run.count("navigation/route_failed/node_id")
        urls = self.guesses.get(key)
        if urls is None:
            return
        if found:
            del self.guesses[key]
            return
        urls.discard(url)
        if not urls:
            del self.guesses[key]
            channel = self.section.channels[listing.channel]
            self._missing(channel, key[1], "no route found it: not on the home or channel page, its node ids "
                                           "answered 404")

    def parse_rss(self, response: Response, position: int, wanted: list[str]) -> Iterator[Request]:
        """``/rss.xml``: items linking a listing's node, by the listing's name or an alias."""
        channel = self.section.channels[position]
        items = navigation.rss_listings(response.body, response.url)
        unfound: list[str] = []
        for name in wanted:
            urls = [url for text, url in items if text in channel.names_of(name)]
            for url in urls:
                if (fetch := self.urls.fetchable(url)) is not None:
                    yield from self._follow(fetch, self._listing(position, name, "rss", name,
                                                                 self._index(channel, name, 0)))
            if not urls:
                unfound.append(name)
        yield from self._sitemap(position, unfound)

    def rss_failed(self, failure: Failure) -> Iterator[Request]:
        request = failure.request  # type: ignore[attr-defined]
        self.run.coordination.done_with(request)
        yield from self._sitemap(request.cb_kwargs["position"], list(request.cb_kwargs["wanted"]))

    def _sitemap(self, position: int, wanted: list[str]) -> Iterator[Request]:
        """The last route: ``/sitemap.xml``, where it exists, for listings no other route found."""
        if wanted:
            yield Request(self.urls.url("/sitemap.xml"), callback=self.parse_sitemap, errback=self.sitemap_failed,
                          dont_filter=True, cb_kwargs={"position": position, "wanted": wanted})

    def parse_sitemap(self, response: Response, position: int, wanted: list[str]) -> Iterator[Request]:
        """``/sitemap.xml``: each listing node of the channel it lists, asked for to see which listing it is."""
        channel = self.section.channels[position]
        nodes = [fetch for url in navigation.sitemap_nodes(response.body, response.url, channel.slug)
                 if (fetch := self.urls.fetchable(url)) and fetch not in self.visited]
        if not nodes:
            self._all_missing(position, wanted, "not in /sitemap.xml either")
            return
        self.sitemap_left[position] = (set(wanted), len(nodes))
        for url in nodes:
            yield Request(url, callback=self.parse_sitemap_node, errback=self.sitemap_node_failed,
                          dont_filter=self.run.coordination.pages_bypass_filter(), cb_kwargs={"position": position})

    def parse_sitemap_node(self, response: Response, position: int) -> Any:
        """A listing page the sitemap named: walked if its breadcrumb names a listing still wanted."""
        channel = self.section.channels[position]
        crumb = navigation.crumb_name(page_selector(response))
        wanted, left = self.sitemap_left.get(position, (set(), 1))
        name = channel.listing_named(crumb) if crumb else None
        if name in wanted and response.url not in self.visited:
            wanted.discard(name)
            self.visited.add(response.url)
            listing = replace(self._listing(position, crumb or name, "sitemap", name, self._index(channel, name, 0)),
                              record=True, node=response.url)
            yield from self.parse_listing(response, listing=listing, page=1)  # type: ignore[attr-defined]
        self._sitemap_answered(position)

    def sitemap_node_failed(self, failure: Failure) -> None:
        self.run.coordination.done_with(failure.request)  # type: ignore[attr-defined]
        self._sitemap_answered(failure.request.cb_kwargs["position"])  # type: ignore[attr-defined]

    def _sitemap_answered(self, position: int) -> None:
        wanted, left = self.sitemap_left.get(position, (set(), 1))
        self.sitemap_left[position] = (wanted, left - 1)
        if left - 1 <= 0:
            self._all_missing(position, sorted(wanted), "no node in /sitemap.xml is it")

    def sitemap_failed(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        self.run.coordination.done_with(request)
        self._all_missing(request.cb_kwargs["position"], request.cb_kwargs["wanted"], "/rss.xml and /sitemap.xml "
                          "do not have it")

    def _all_missing(self, position: int, wanted: list[str], why: str) -> None:
        channel = self.section.channels[position]
        for name in wanted:
            self._missing(channel, name, f"no route found it (home page, channel page, node ids; {why})")

    def _missing(self, channel: Channel, name: str, why: str) -> None:
        if name == channel.name or self._required(channel, name):
            self.run.count("navigation/missing")
            self.missing.append(f"{channel.name}>>{name}" if name != channel.name else name)
            self.logger.error("listing %s of %s is missing: %s (set CQN_NODE_IDS to name its node)",
                              name, channel.name, why)
        else:
            self.run.count("navigation/absent_optional")
            self.logger.info("listing %s of %s is not on the site today: %s", name, channel.name, why)
