"""The listing half of a section spider: one walk per listing (its node: its first page's URL), page by page.

Two routes to one node are one walk; two nodes with one name are two walks, their articles
merged by id as cross-listed articles are.  Each page's items are read by the chain of
readings of :mod:`cqnnews.listings` and its pagination by :mod:`cqnnews.pagination`; both
are counted (``listing/reading/<reading>``, ``listing/pagination/<sign>``) and kept per
listing for the summary and ``scrapy smoke``.  A walk ends at its last page, at ``-a
since``, after ``CQN_STOP_AFTER_KNOWN_PAGES`` pages of known articles, or early: a page
repeating an earlier one, the cap (``CQN_MAX_LISTING_PAGES``), a run stopped or cut off
with pages of it in flight.  An early end is recorded in the crawl state (the page to
resume at) and the next run resumes there, apart from the new pages at the top.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from scrapy import Request
from scrapy.http import Response
from twisted.python.failure import Failure

from cqnnews import listings, navigation, pagination
from cqnnews.known import KnownArticles, ListingPage
from cqnnews.navigation import page_selector
from cqnnews.run import Run
from cqnnews.signals import article_counted, crawl_moved
from cqnnews.spiders.articles import failure_reason, unanswered
from cqnnews.spiders.listing import Listing, Walk
from cqnnews.summary import UNANSWERED

EARLY = ("repeated_pages", "capped", "stopped", "failed")  # ways a walk ends before its last page


class ListingCallbacks:
    """Mixed into :class:`~cqnnews.spiders.base.SectionSpider` (callbacks must be spider methods)."""

    run: Run
    known: KnownArticles
    args: Any
    urls: Any
    logger: Any
    settings: Any
    crawler: Any
    visited: set[str]
    walks: dict[str, Walk]
    stop_after: int
    listing_window: int
    max_listing_pages: int

    def _follow(self, url: str, listing: Listing) -> Any:
        if url in self.visited:  # another route to the same node: one walk
            return
        self.visited.add(url)
        channel = self._channel(listing)  # type: ignore[attr-defined]
        named = channel if listing.registry == listing.path[-1] else None
        selected = self._selected(listing.path, named)  # type: ignore[attr-defined]
        if selected or self._leads_to_chosen(channel, listing.path):  # type: ignore[attr-defined]
            listing = replace(listing, record=selected, node=url)
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
        node = listing.node or pagination.node_page_url(response.url, 1)  # a listing made elsewhere (contracts)
        if page == 1:
            listing = self._arrived(listing, sel, response.url)  # type: ignore[attr-defined]
        self.run.send(crawl_moved, where=f"listing {listing.name} page {page}")
        self.run.count("listing/pages")
        read = listings.read_items(sel, response.url)
        self.run.count(f"listing/reading/{read.reading}")
        if read.ambiguous:
            self.run.count("listing/ambiguous_pages")
            self.logger.warning("listing page %s (%s, page %d): its list cannot be told from another group of "
                                "article links; took the larger (%d links)", response.url, listing.name, page,
                                len(read.items))
        items = read.urls
        children = []
        if page == 1:
            inside = self.urls.url(f"/{self._channel(listing).slug}/")  # type: ignore[attr-defined]
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
        walk = self.walks.get(node)
        if walk is None:
            resume = self.run.resume_walks.get(self.urls.canonical(node), 0)
            walk = self.walks[node] = Walk(requested=page, resume=resume)
        if page in walk.read:  # the same page delivered twice (a re-queue, a retry): read already
            self.run.count("listing/page_again")
            return
        walk.read.add(page)
        pages = pagination.read_pagination(sel, response.url, node, page)
        self.run.count(f"listing/pagination/{pages.sign}")
        self._describe(node, listing, read.reading if items else None, pages.sign if page == 1 else None)
        if items and walk.repeats(items, page):
            if walk.done:  # past the end found already
                return
            if walk.repeats_last(items):  # a site answering past its last page with its last page
                end = walk.seen[hash(tuple(items))]
                self._end(walk, listing, node, "repeated_pages", f"page {page} ({response.url}) repeats page "
                          f"{end}: the listing ends at page {end}", early=False)
            else:
                self._end(walk, listing, node, "repeated_pages",
                          f"page {page} ({response.url}) repeats an earlier page", resume=page)
            return
        sorted_ = self._note(items, listing, {i.url: i.day for i in read.items})
        if self.settings.getint("CQN_SMOKE_ARTICLES"):  # scrapy smoke: the first page of each listing only
            walk.done = True
            self.run.complete.add(listing.name)
            return
        known_pages = known_pages + 1 if sorted_.all_known else 0
        last = pages.last
        head = 0 < page < walk.resume
        if page == 1 and walk.resume > 1 and walk.requested < walk.resume:
            # resumed: from where the earlier run left (it was there then, whatever this page's signs reach), and
            # the top of the listing as a daily run walks it
            self.logger.info("listing %s resumes at page %d, where an earlier run left it", listing.name,
                             walk.resume)
            walk.requested, walk.asked = walk.resume, walk.asked + 1
            yield Request(pages.url(node, walk.resume), callback=self.parse_listing, errback=self.page_failed,
                          dont_filter=self.run.coordination.pages_bypass_filter(),
                          cb_kwargs={"listing": listing, "page": walk.resume, "known_pages": 0})
        if (page >= last and not head) or ((not items or sorted_.reached_since) and not head):
            self._end(walk, listing, node)
            return
        if not items or sorted_.reached_since or page >= last:  # the top of a resumed walk: the rest goes on
            return
        in_full = self.args.full or listing.name in self.run.walk_in_full or 0 < walk.resume <= page
        if known_pages >= self.stop_after and not in_full:
            self.run.count("listing/stopped_at_known")
            if not walk.resume:
                self._end(walk, listing, node)
            return  # a resumed walk goes on from where it was left
        if walk.done:  # a page further on ended the walk while this one was in flight
            return
        # A shared crawl walks page by page: its pages are parsed by whichever worker takes them; so does a
        # resumable job (JOBDIR), whose walk state would not survive the pause (see Coordination.asks_ahead).
        grow = sorted_.none_known and self.run.coordination.asks_ahead() and not self.args.since
        ahead = list(walk.next_pages(page, last, grow, self.listing_window, self.max_listing_pages))
        if not ahead and not head and walk.requested <= page < last and walk.asked >= self.max_listing_pages > 0:
            self._end(walk, listing, node, "capped",
                      f"page {page} of {last} ends the {self.max_listing_pages} pages one run walks "
                      "(CQN_MAX_LISTING_PAGES)", resume=page + 1)
            return
        for n in ahead:
            yield Request(pages.url(node, n), callback=self.parse_listing, errback=self.page_failed,
                          dont_filter=self.run.coordination.pages_bypass_filter(),
                          cb_kwargs={"listing": listing, "page": n, "known_pages": known_pages})

    def _describe(self, node: str, listing: Listing, reading: str | None, sign: str | None) -> None:
        """The listing as the summary and ``scrapy smoke`` show it: name, node, route, reading, pagination."""
        entry = self.run.listings.setdefault(node, {"name": listing.name, "node": self.urls.canonical(node),
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
            self.run.complete.add(listing.name)
        key = self.urls.canonical(node)
        if resume:
            walk.ended = counted or "early"
            self.run.walks_unfinished[key] = resume
            self.run.count(f"listing/ended_early/{walk.ended}")
            self.run.listings.setdefault(node, {"name": listing.name, "node": key})["ended"] = walk.ended
        else:
            self.run.walks_finished.add(key)
        if counted:
            self.run.count(f"listing/{counted}")
        if why:
            self.logger.warning("listing %s ends here: %s%s", listing.name, why,
                                f"; the next run resumes at page {resume}" if resume and early else "")

    def closed(self, reason: str) -> None:
        """A run stopped (or cut off) with pages of a walk in flight: the walk resumes next run where it was."""
        if reason == "finished":
            return
        for node, walk in self.walks.items():
            if not walk.done and walk.read:
                skipped = set(range(walk.head_requested + 1, walk.resume))  # a resumed walk's pages not asked for
                resume = min(set(range(1, walk.requested + 1)) - walk.read - skipped, default=walk.requested + 1)
                name = self.run.listings.get(node, {}).get("name", node)
                self._end(walk, Listing(0, (name,), (0,), record=True), node, "stopped",
                          f"the run stopped ({reason}) with page {resume} not read", resume=resume)

    def page_failed(self, failure: Failure) -> None:
        """A navigation or listing page that failed on every try: the walk of its listing is incomplete."""
        request = failure.request  # type: ignore[attr-defined]
        self.run.coordination.done_with(request)
        listing = request.cb_kwargs.get("listing")
        reason = failure_reason(failure)
        if listing is not None and listing.route == "node_id" and request.cb_kwargs.get("page") == 1 \
                and reason == "HTTP 404":  # a recorded node id the site no longer serves: one route less
            self.logger.warning("listing %s: node id page %s answered 404", listing.name, request.url)
            self.guess_answered(listing, request.url, found=False)  # type: ignore[attr-defined]
            return
        self.run.count("listing/failed" if listing else "navigation/failed")
        if listing is not None:
            self.run.incomplete.add(listing.name)  # walked in full next run (walk_in_full)
            walk = self.walks.get(listing.node)
            if walk is not None and 1 < walk.resume == request.cb_kwargs.get("page"):  # where to resume is gone
                self.run.walks_finished.add(self.urls.canonical(listing.node))
        if listing is None and (why := unanswered(failure)) is not None and request.url == self.urls.url("/"):
            self.crawler.stats.set_value(UNANSWERED, why)  # the summary's first problem
            self.logger.error("the home page did not answer: %s (%s, after every retry)", why, request.url)
            return
        self.logger.error("page %s failed: %s%s", request.url, reason,
                          f"; listing {listing.name} will be walked in full next run" if listing else "")

    def _note(self, links: list[str], listing: Listing, days: dict[str, Any] | None = None) -> ListingPage:
        """Note the page's articles not exported before, with this listing; what the page says of the walk."""
        run = self.run
        page = self.known.sort(links, self.args.since, days)
        if page.out_of_range:
            run.count("listing/id_out_of_range", page.out_of_range)
            self.logger.warning("listing %s: skipped %d links whose article id is out of range", listing.name,
                                page.out_of_range)
        for _ in range(page.exported):
            run.send(article_counted, sections=[listing.name], outcome="duplicate")
        run.coordination.noted(run, [(aid, run.urls.canonical(fetch), listing.name, listing.order)
                                     for aid, fetch in page.fresh], self)  # type: ignore[arg-type]
        new, again = run.scratch.note(page.fresh, listing.name, listing.order)
        run.count("listing/articles", new)
        run.count("listing/cross_listed", again)
        return page
