"""Which articles of a listing page earlier runs exported already: the spider asks before it notes any.

A daily run requests only what is new.  For each listing page the spider hands over the
links it found; :class:`KnownArticles` answers which articles are new or still pending
(to fetch), which were exported before (duplicates, not requested again), and what that
says of the walk: every article known (the walk may stop), none known (it may ask ahead),
or ``-a since`` reached.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from cqnnews.state import CrawlState
from cqnnews.urls import SiteUrls, article_day, article_id

MAX_ID = 2**63 - 1  # the largest integer SQLite (and the feed's readers) hold


@dataclass(frozen=True)
class ListingPage:
    fresh: list[tuple[int, str]]  # (article id, URL to fetch) not exported before, in page order
    exported: int  # articles on the page exported by an earlier run
    all_known: bool  # the page held articles and every one was exported or pending already
    none_known: bool  # no article on the page was known
    reached_since: bool  # the page reached articles published before ``-a since``
    out_of_range: int = 0  # links whose article id no state can hold (2^63 or more): skipped


class KnownArticles:
    def __init__(self, store: CrawlState, urls: SiteUrls) -> None:
        self.store = store
        self.urls = urls

    def sort(self, links: Iterable[str], since: date | None = None,
             days: Mapping[str, date | None] | None = None) -> ListingPage:
        """The article links of one listing page, sorted by what earlier runs did with them; ``days``: the date the
        page shows beside a link, for ``-a since`` where the URL holds none (the old ``/news/…/<id>.html``)."""
        entries = [(aid, fetch, url) for url in links
                   if (fetch := self.urls.fetchable(url)) and (aid := article_id(url)) is not None]
        out_of_range = sum(aid > MAX_ID for aid, _, _ in entries)
        if out_of_range:
            entries = [e for e in entries if e[0] <= MAX_ID]
        reached_since = False
        if since is not None:
            kept = [e for e in entries if (day := article_day(e[2]) or (days or {}).get(e[2])) is None
                    or day >= since]
            reached_since = len(kept) < len(entries)
            entries = kept
        known = self.store.known(aid for aid, _, _ in entries)
        fresh = [(aid, fetch) for aid, fetch, _ in entries if known.get(aid) != "exported"]
        known_here = sum(aid in known for aid, _, _ in entries)
        return ListingPage(fresh=fresh, exported=len(entries) - len(fresh),
                           all_known=bool(entries) and known_here == len(entries), none_known=known_here == 0,
                           reached_since=reached_since, out_of_range=out_of_range)
