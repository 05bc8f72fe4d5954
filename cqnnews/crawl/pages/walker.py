"""The listing walk: one walk per listing (its node: its first page's URL), page by page.

Two routes to one node are one walk; two nodes with one name are two walks, their articles
merged by id as cross-listed articles are.  Each page's items (:mod:`cqnnews.reading.listings`) and
pagination (:mod:`cqnnews.reading.pagination`) are counted (``listing/reading/<reading>``,
``listing/pagination/<sign>``) and kept per listing for the summary and ``scrapy smoke``.  A walk
ends at its last page, at ``-a since``, after ``CQN_STOP_AFTER_KNOWN_PAGES`` pages of known
articles, or early: a page repeating an earlier one, the cap (``CQN_MAX_LISTING_PAGES``), a run
stopped with pages of it in flight; the next run resumes an early end there (the crawl state
keeps the page), apart from the new pages at the top.

The :class:`ListingWalker` reads pages and says what to ask for next; the spider makes the
requests.  It owns what the walks found and reports it once, as a frozen
:class:`~cqnnews.signals.Walked` the spider sends as it closes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from scrapy.http import Response

from cqnnews.crawl.arguments import RunArguments
from cqnnews.crawl.article_queue import ArticleTask
from cqnnews.crawl.known import KnownArticles, ListingPage
from cqnnews.crawl.pages.listing import Listing, PageAsk, Walk, WalkLimits, selected
from cqnnews.crawl.run import Run
from cqnnews.reading import listings, navigation, pagination
from cqnnews.reading.navigation import page_selector
from cqnnews.sections import Section
from cqnnews.signals import Walked, article_counted, crawl_moved, frozen


@dataclass(frozen=True)
class Below:
    """A listing a listing's first page links below itself: followed as the navigation follows any listing."""

    url: str
    listing: Listing


Step = PageAsk | Below | ArticleTask


class ListingWalker:
    """The walks of one run's listings, and what they found."""

    def __init__(self, section: Section, run: Run, known: KnownArticles, args: RunArguments, visited: set[str],
                 limits: WalkLimits, logger: Any) -> None:
        self.section, self.run, self.known, self.args, self.limits, self.logger = \
            section, run, known, args, limits, logger
        self.urls = run.urls
        self.visited = visited  # every node asked for this run, by any route (the navigation's)
        self.walk_in_full, self.resume_walks = set(run.walk_in_full), dict(run.resume_walks)  # earlier runs'
        self.walks: dict[str, Walk] = {}
        self.complete: set[str] = set()  # listings walked to their end (or to -a since)
        self.incomplete: set[str] = set()  # listings with a page that failed this run
        self.routes: dict[str, str] = {}  # the route that found each listing walked
        self.first_pages: dict[str, int] = {}  # articles linked from each listing's first page
        self.unfinished: dict[str, int] = {}  # node: where this run's walk ended early (the page to resume at)
        self.finished: set[str] = set()  # nodes walked to their end (or a known stop)
        self.listings: dict[str, dict[str, Any]] = {}  # node: name, route, reading, pagination...

    def arrived(self, listing: Listing, sel: Any) -> Listing:
        """The first page of a listing: named as its own breadcrumb names it, where that is a name the registry
        knows for it (the home page of 2018 calls 要闻 the listings its pages call 要闻一 and 要闻二); its route
        counted and kept for the summary."""
        channel = self.section.channels[listing.channel]
        crumb = navigation.crumb_name(sel)
        if listing.registry and crumb and crumb != listing.path[-1] and crumb in channel.names_of(listing.registry):
            path = (*listing.path[:-1], crumb)
            listing = replace(listing, path=path, record=listing.record and selected(self.args.chosen, path))
        self.run.count(f"listing/route/{listing.route}")
        self.routes.setdefault(listing.name, listing.route)
        return listing

    def read(self, response: Response, listing: Listing, page: int, known_pages: int = 0) -> list[Step]:
        """One page of a listing: its articles noted; what to ask for next (pages, listings below it)."""
        run, limits = self.run, self.limits
        sel = page_selector(response)
        node = listing.node or pagination.node_page_url(response.url, 1)  # a listing made elsewhere (contracts)
        if page == 1:
            listing = self.arrived(listing, sel)
        run.send(crawl_moved, where=f"listing {listing.name} page {page}")
        run.count("listing/pages")
        read = listings.read_items(sel, response.url)
        run.count(f"listing/reading/{read.reading}")
        if read.ambiguous:
            run.count("listing/ambiguous_pages")
            self.logger.warning("listing page %s (%s, page %d): its list cannot be told from another group of "
                                "article links; took the larger (%d links)", response.url, listing.name, page,
                                len(read.items))
        items = read.urls
        steps: list[Step] = []
        if page == 1:
            inside = self.urls.url(f"/{self.section.channels[listing.channel].slug}/")
            children = [(name, fetch) for name, url in navigation.sub_listing_links(sel, response.url, bool(items))
                        if (fetch := self.urls.fetchable(url)) and fetch not in self.visited
                        and fetch.startswith(inside)]
            steps += [Below(fetch, Listing(listing.channel, (*listing.path, name), (*listing.order, i), record=False,
                                           route="below")) for i, (name, fetch) in enumerate(children)]
        if not items and not steps:
            run.count("listing/empty_pages")
            self.logger.warning("listing page %s (%s, page %d) holds no article links", response.url, listing.name,
                                page)
        if page == 1 and (items or not steps):  # an index of listings below links none of its own
            self.first_pages[listing.name] = len(items)
        if not listing.record:
            return steps
        walk = self.walks.get(node)
        if walk is None:
            walk = self.walks[node] = Walk(requested=page, resume=self.resume_walks.get(self.urls.canonical(node), 0))
        if page in walk.read:  # the same page delivered twice (a re-queue, a retry): read already
            run.count("listing/page_again")
            return steps
        walk.read.add(page)
        pages = pagination.read_pagination(sel, response.url, node, page)
        run.count(f"listing/pagination/{pages.sign}")
        self._describe(node, listing, read.reading if items else None, pages.sign if page == 1 else None)
        if items and walk.repeats(items, page):
            if walk.done:  # past the end found already
                return steps
            if walk.repeats_last(items):  # a site answering past its last page with its last page
                end = walk.seen[hash(tuple(items))]
                self._end(walk, listing, node, "repeated_pages", f"page {page} ({response.url}) repeats page "
                          f"{end}: the listing ends at page {end}", early=False)
            else:
                self._end(walk, listing, node, "repeated_pages",
                          f"page {page} ({response.url}) repeats an earlier page", resume=page)
            return steps
        sorted_, late = self._note(items, listing, {i.url: i.day for i in read.items})
        steps += late
        if limits.sample:  # scrapy smoke: the first page of each listing only
            walk.done = True
            self.complete.add(listing.name)
            return steps
        known_pages = known_pages + 1 if sorted_.all_known else 0
        last = pages.last
        head = 0 < page < walk.resume
        if page == 1 and walk.resume > 1 and walk.requested < walk.resume:
            # resumed: from where the earlier run left (it was there then, whatever this page's signs reach), and
            # the top of the listing as a daily run walks it
            self.logger.info("listing %s resumes at page %d, where an earlier run left it", listing.name,
                             walk.resume)
            walk.requested, walk.asked = walk.resume, walk.asked + 1
            steps.append(PageAsk(pages.url(node, walk.resume), listing, walk.resume))
        if (page >= last and not head) or ((not items or sorted_.reached_since) and not head):
            self._end(walk, listing, node)
            return steps
        if not items or sorted_.reached_since or page >= last:  # the top of a resumed walk: the rest goes on
            return steps
        in_full = self.args.full or listing.name in self.walk_in_full or 0 < walk.resume <= page
        if known_pages >= limits.stop_after and not in_full:
            run.count("listing/stopped_at_known")
            if not walk.resume:
                self._end(walk, listing, node)
            return steps  # a resumed walk goes on from where it was left
        if walk.done:  # a page further on ended the walk while this one was in flight
            return steps
        # A shared crawl walks page by page: its pages are parsed by whichever worker takes them; so does a
        # resumable job (JOBDIR), whose walk state would not survive the pause (see Coordination.asks_ahead).
        grow = sorted_.none_known and run.coordination.asks_ahead() and not self.args.since
        ahead = list(walk.next_pages(page, last, grow, limits.window, limits.most))
        if not ahead and not head and walk.requested <= page < last and walk.asked >= limits.most > 0:
            self._end(walk, listing, node, "capped", f"page {page} of {last} ends the {limits.most} pages one run "
                      "walks (CQN_MAX_LISTING_PAGES)", resume=page + 1)
            return steps
        return steps + [PageAsk(pages.url(node, n), listing, n, known_pages) for n in ahead]

    def _describe(self, node: str, listing: Listing, reading: str | None, sign: str | None) -> None:
        """The listing as the summary and ``scrapy smoke`` show it: name, node, route, reading, pagination."""
        entry = self.listings.setdefault(node, {"name": listing.name, "node": self.urls.canonical(node),
                                                "route": listing.route, "readings": {}, "pagination": None,
                                                "ended": None})
        entry["name"] = listing.name
        if reading:
            entry["readings"][reading] = entry["readings"].get(reading, 0) + 1
        if sign:
            entry["pagination"] = sign

    def _end(self, walk: Walk, listing: Listing, node: str, counted: str | None = None, why: str | None = None,
             resume: int = 0, early: bool = True) -> None:
        """The walk of ``listing`` is over for this run (counted as ``listing/<counted>``); ``resume``: it ended
        early, and the next run resumes at that page."""
        walk.done = True
        if counted != "stopped":
            self.complete.add(listing.name)
        key = self.urls.canonical(node)
        if resume:
            walk.ended = counted or "early"
            self.unfinished[key] = resume
            self.run.count(f"listing/ended_early/{walk.ended}")
            self.listings.setdefault(node, {"name": listing.name, "node": key})["ended"] = walk.ended
        else:
            self.finished.add(key)
        if counted:
            self.run.count(f"listing/{counted}")
        if why:
            self.logger.warning("listing %s ends here: %s%s", listing.name, why,
                                f"; the next run resumes at page {resume}" if resume and early else "")

    def stopped(self, reason: str) -> None:
        """A run stopped (or cut off) with pages of a walk in flight: the walk resumes next run where it was."""
        if reason == "finished":
            return
        for node, walk in self.walks.items():
            if not walk.done and walk.read:
                skipped = set(range(walk.head_requested + 1, walk.resume))  # a resumed walk's pages not asked for
                resume = min(set(range(1, walk.requested + 1)) - walk.read - skipped, default=walk.requested + 1)
                name = self.listings.get(node, {}).get("name", node)
                self._end(walk, Listing(0, (name,), (0,), record=True), node, "stopped",
                          f"the run stopped ({reason}) with page {resume} not read", resume=resume)

    def failed(self, listing: Listing, page: int | None) -> None:
        """A page of ``listing`` failed on every try: walked in full next run (``walk_in_full``)."""
        self.incomplete.add(listing.name)
        walk = self.walks.get(listing.node)
        if walk is not None and 1 < walk.resume == page:  # where to resume is gone
            self.finished.add(self.urls.canonical(listing.node))

    def _note(self, links: list[str], listing: Listing, days: dict[str, Any]) -> tuple[ListingPage, list[Step]]:
        """Note the page's articles not exported before, with this listing; what the page says of the walk, and
        the articles to request at once (a shared crawl past its switch to articles)."""
        run = self.run
        page = self.known.sort(links, self.args.since, days)
        if page.out_of_range:
            run.count("listing/id_out_of_range", page.out_of_range)
            self.logger.warning("listing %s: skipped %d links whose article id is out of range", listing.name,
                                page.out_of_range)
        for _ in range(page.exported):
            run.send(article_counted, sections=[listing.name], outcome="duplicate")
        late = run.coordination.noted(run, [(aid, run.urls.canonical(fetch), listing.name, listing.order)
                                            for aid, fetch in page.fresh])
        new, again = run.scratch.note(page.fresh, listing.name, listing.order)
        run.count("listing/articles", new)
        run.count("listing/cross_listed", again)
        return page, list(late)

    def results(self, missing: list[str]) -> Walked:
        """What the walks found, frozen (with the listings the navigation found no route to)."""
        return Walked(routes=frozen(self.routes), missing=tuple(missing), first_pages=frozen(self.first_pages),
                      listings=frozen(list(self.listings.values())), complete=frozenset(self.complete),
                      incomplete=frozenset(self.incomplete), unfinished=frozen(self.unfinished),
                      finished=frozenset(self.finished))
