"""The navigation: from the home page to the section's listings, by every route.

A listing of the registry (:mod:`cqnnews.sections`) is found by, in order: ``menu``, a link to
its node among the home page's links, by its name or an alias (the 2018 home page links 要闻
straight to ``/qt/node_20762.htm``); ``more``, the ``[更多]`` link of the home page's ``dl.cont``
block that bears its name; ``channel``, its link on the channel page (found on the home page by
name or alias, else at ``/<slug>/index.htm``), where every other listing the page links is found
too, unless the section walks only its listings on record; ``node_id``, the node ids recorded for
it (``CQN_NODE_IDS``, then the registry's); ``rss``, an item of ``/rss.xml``; ``sitemap``, a node
of ``/sitemap.xml`` under the channel's slug whose own breadcrumb names it.  A listing is missing
only when every route failed.  The :class:`Navigator` reads the pages and says what to ask for
(:class:`Ask`, :class:`~cqnnews.crawl.pages.listing.PageAsk`); the spider makes the requests.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from scrapy.http import Response

from cqnnews.crawl.arguments import RunArguments
from cqnnews.crawl.pages.listing import Listing, PageAsk, selected
from cqnnews.crawl.run import Run
from cqnnews.reading import navigation
from cqnnews.reading.navigation import page_selector
from cqnnews.sections import Channel, Section
from cqnnews.text import compact

HOME_ROUTES = ("menu", "more")


@dataclass(frozen=True)
class Ask:
    """A navigation page to request: ``kind`` (home, channel, rss, sitemap, node) names the spider's callback."""

    kind: str
    url: str
    cb_kwargs: Mapping[str, Any] = field(default_factory=dict)
    dont_filter: bool | None = None  # None: as the coordination has navigation and listing pages


Step = Ask | PageAsk


class Navigator:
    """The routes to one run's listings: which listings were reached (``visited``), which none found (``missing``)."""

    def __init__(self, section: Section, run: Run, args: RunArguments, node_ids: Mapping[str, Any],
                 all_required: bool, logger: Any) -> None:
        self.section, self.run, self.args, self.node_ids, self.logger = section, run, args, node_ids, logger
        self.urls = run.urls
        self.all_required = all_required  # scrapy smoke: every listing on record is required
        self.visited: set[str] = set()  # every listing node asked for, by any route
        self.missing: list[str] = []  # listings no route found
        self.guesses: dict[tuple[int, str], set[str]] = {}  # listings sought by node id: the URLs not answered yet
        self.sitemap_left: dict[int, tuple[set[str], int]] = {}  # by channel: listings wanted, nodes not answered

    def follow(self, url: str, listing: Listing) -> PageAsk | None:
        """A listing found (by any route): its first page to ask for, once a node, if ``-a sub`` leads to it."""
        if url in self.visited:  # another route to the same node: one walk
            return None
        self.visited.add(url)
        channel = self.section.channels[listing.channel]
        names = channel.names_of(listing.path[-1]) if listing.registry == listing.path[-1] else ()
        chosen = selected(self.args.chosen, listing.path, names)
        if chosen or self.args.chosen & set(channel.below.get(listing.path[-1], ())):
            return PageAsk(url, replace(listing, record=chosen, node=url), 1)
        return None

    def _follow(self, url: str, position: int, text: str, route: str, name: str | None, index: int) -> list[Step]:
        ask = self.follow(url, Listing(position, (text,), (position, index), record=False, route=route, registry=name))
        return [ask] if ask is not None else []

    def _recorded_ids(self, channel: Channel, name: str) -> tuple[int, ...]:
        """``CQN_NODE_IDS`` for the listing (by its name or an alias), then the registry's."""
        ids: list[int] = []
        for alias in channel.names_of(name):
            configured = self.node_ids.get(alias)
            ids.extend(int(i) for i in (configured if isinstance(configured, (list, tuple)) else
                                        (configured,) if configured else ()))
        return tuple(dict.fromkeys((*ids, *channel.node_ids.get(name, ()))))

    def _index(self, channel: Channel, name: str | None, k: int) -> int:
        """Navigation order: the registry's listings in their order, then the others as the channel page has them."""
        return channel.listings.index(name) if name in channel.listings else len(channel.listings) + k

    def home(self, response: Response) -> list[Step]:
        """The home page: listings linked from it by name, then each channel's page."""
        sel = page_selector(response)
        routes = {"menu": navigation.menu_links(sel, response.url), "more": navigation.more_links(sel, response.url)}
        links = navigation.links_by_text(sel, response.url)
        steps: list[Step] = []
        for i, channel in enumerate(self.section.channels):
            found: list[str] = []
            for route in HOME_ROUTES:
                for k, (text, url) in enumerate(routes[route]):
                    name = channel.listing_named(text)
                    if name is None or (fetch := self.urls.fetchable(url)) is None:
                        continue
                    found.append(name)
                    steps += self._follow(fetch, i, text, route, name, self._index(channel, name, k))
            url = next((links[n] for n in (channel.name, *channel.also) if n in links), None)
            fetch = self.urls.fetchable(url) if url else None
            if fetch is None:
                self.run.count("navigation/fallback")
                fetch = self.urls.url(f"/{channel.slug}/index.htm")
                self.logger.info("home page %s has no link %r; trying %s", response.url, channel.name, fetch)
            steps.append(Ask("channel", fetch, {"position": i, "found": sorted(set(found))}))
        return steps

    def channel(self, response: Response, position: int, found: list[str] | None = None) -> list[Step]:
        """A channel page: the section's listings on it, by name or alias (else by node id, else in RSS)."""
        channel = self.section.channels[position]
        links = navigation.node_links(page_selector(response), response.url)
        seen = set(found or ())
        steps: list[Step] = []
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
            steps += self._follow(fetch, position, text, "channel", name, self._index(channel, name, k))
        if not links and not channel.listings:
            self._missing(channel, channel.name, f"its channel page {response.url} links no listings")
        return steps + self._other_routes(position, seen)

    def channel_failed(self, url: str, reason: str, position: int, found: list[str] | None = None) -> list[Step]:
        """A channel page that failed: its listings are sought by node id and in RSS instead."""
        channel = self.section.channels[position]
        self.run.count("navigation/route_failed/channel")
        self.logger.warning("channel page %s failed (%s): looking for the listings of %s by other routes",
                            url, reason, channel.name)
        if not channel.listings:
            self._missing(channel, channel.name, f"its channel page {url} failed and no listing is on record")
        return self._other_routes(position, set(found or ()))

    def _other_routes(self, position: int, found: set[str]) -> list[Step]:
        """The registry's node ids of each listing not reached yet (all of them for a listing no other route
        found; else those other routes did not reach), then /rss.xml for listings still without a route."""
        channel = self.section.channels[position]
        in_rss, steps = [], []
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
                steps += self._follow(url, position, name, "node_id", name, self._index(channel, name, 0))
        if in_rss:
            steps.append(Ask("rss", self.urls.url("/rss.xml"), {"position": position, "wanted": in_rss}, True))
        return steps

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

    def rss(self, body: bytes, url: str, position: int, wanted: list[str]) -> list[Step]:
        """``/rss.xml``: items linking a listing's node, by the listing's name or an alias."""
        channel = self.section.channels[position]
        items = navigation.rss_listings(body, url)
        unfound: list[str] = []
        steps: list[Step] = []
        for name in wanted:
            urls = [url for text, url in items if text in channel.names_of(name)]
            for url in urls:
                if (fetch := self.urls.fetchable(url)) is not None:
                    steps += self._follow(fetch, position, name, "rss", name, self._index(channel, name, 0))
            if not urls:
                unfound.append(name)
        return steps + self.sitemap(position, unfound)

    def sitemap(self, position: int, wanted: list[str]) -> list[Step]:
        """The last route: ``/sitemap.xml``, where it exists, for listings no other route found."""
        return [Ask("sitemap", self.urls.url("/sitemap.xml"), {"position": position, "wanted": wanted}, True)] \
            if wanted else []

    def sitemap_nodes(self, body: bytes, url: str, position: int, wanted: list[str]) -> list[Step]:
        """``/sitemap.xml``: each listing node of the channel it lists, asked for to see which listing it is."""
        channel = self.section.channels[position]
        nodes = [fetch for node in navigation.sitemap_nodes(body, url, channel.slug)
                 if (fetch := self.urls.fetchable(node)) and fetch not in self.visited]
        if not nodes:
            self.all_missing(position, wanted, "not in /sitemap.xml either")
            return []
        self.sitemap_left[position] = (set(wanted), len(nodes))
        return [Ask("node", node, {"position": position}) for node in nodes]

    def sitemap_node(self, response: Response, position: int) -> Listing | None:
        """A listing page the sitemap named: the listing to walk from it, if its breadcrumb names one still
        wanted (then :meth:`sitemap_answered`)."""
        channel = self.section.channels[position]
        crumb = navigation.crumb_name(page_selector(response))
        wanted, _ = self.sitemap_left.get(position, (set(), 1))
        name = channel.listing_named(crumb) if crumb else None
        if name not in wanted or response.url in self.visited:
            return None
        wanted.discard(name)
        self.visited.add(response.url)
        return Listing(position, (crumb or name or "",), (position, self._index(channel, name, 0)), record=True,
                       route="sitemap", registry=name, node=response.url)

    def sitemap_answered(self, position: int) -> None:
        wanted, left = self.sitemap_left.get(position, (set(), 1))
        self.sitemap_left[position] = (wanted, left - 1)
        if left - 1 <= 0:
            self.all_missing(position, sorted(wanted), "no node in /sitemap.xml is it")

    def all_missing(self, position: int, wanted: list[str], why: str) -> None:
        channel = self.section.channels[position]
        for name in wanted:
            self._missing(channel, name, f"no route found it (home page, channel page, node ids; {why})")

    def _missing(self, channel: Channel, name: str, why: str) -> None:
        """A listing no route found: missing if the run needs it (one the section walks alone, one ``-a sub``
        chose, every listing on record for ``scrapy smoke``), else only not on the site today."""
        if name == channel.name or channel.only_listed or bool(self.args.chosen & set(channel.names_of(name))) \
                or self.all_required:
            self.run.count("navigation/missing")
            self.missing.append(f"{channel.name}>>{name}" if name != channel.name else name)
            self.logger.error("listing %s of %s is missing: %s (set CQN_NODE_IDS to name its node)",
                              name, channel.name, why)
        else:
            self.run.count("navigation/absent_optional")
            self.logger.info("listing %s of %s is not on the site today: %s", name, channel.name, why)
