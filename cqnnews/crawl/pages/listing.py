"""A listing being walked, how far its walk has gone, and how far a walk may go."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from scrapy.settings import BaseSettings

Order = tuple[int, ...]  # position of a listing in the site map: channel, then link positions


@dataclass(frozen=True)
class Listing:
    """A listing being walked; plain data, so a request carrying it can wait in a shared Redis queue."""

    channel: int  # index in the spider's section.channels
    path: tuple[str, ...]  # names from the channel page down
    order: Order
    record: bool  # False for a listing walked only to reach chosen listings below it
    route: str = "channel"  # how it was found: menu, more, channel, node_id, rss, below
    registry: str | None = None  # the registry's name for it (要闻 for a link named 要闻一), if it has one
    node: str = ""  # its first page's URL: what the listing is (two routes to one node are one walk)

    @property
    def name(self) -> str:
        return ">>".join(self.path)


@dataclass(frozen=True)
class PageAsk:
    """A page of a listing to request."""

    url: str
    listing: Listing
    page: int
    known_pages: int = 0  # pages in a row of known articles before it


@dataclass
class Walk:
    """How far the walk of one listing (one node) has gone (in this process)."""

    requested: int  # the highest page asked for
    window: int = 1  # how many pages past the one just read to have asked for
    done: bool = False
    seen: dict[int, int] = field(default_factory=dict)  # each page's articles, hashed: the page that held them
    read: set[int] = field(default_factory=set)  # pages read this run
    asked: int = 1  # pages asked for this run (the first included)
    resume: int = 0  # where an earlier run left the walk unfinished (0: it did not)
    head_requested: int = 1  # a resumed walk: the highest page asked for before ``resume``
    ended: str = ""  # why the walk ended early (repeated_pages, capped, ...), "" if it did not

    def repeats(self, links: list[str], page: int | None = None) -> bool:
        """Whether a page holds exactly the articles of another page read before.  The same page delivered
        twice (a re-queue, a retry) is the same page, not a repeat."""
        key = hash(tuple(links))
        if key in self.seen and (page is None or self.seen[key] != page):
            return True
        self.seen.setdefault(key, page if page is not None else -1)
        return False

    def repeats_last(self, links: list[str]) -> bool:
        """Whether the page repeats the furthest page read with articles of its own: a site answering any page
        number past its last with its last page (pages asked ahead may come back in any order)."""
        return self.seen.get(hash(tuple(links))) == max(self.seen.values(), default=None)

    def next_pages(self, page: int, last: int, grow: bool, most: int, cap: int = 0) -> range:
        """The pages to ask for after reading ``page`` of ``last``.

        Pages of nothing but new articles (a first run, a back-fill) say the walk goes on
        (``grow``): ask for the next pages together, twice as many each time, up to ``most``.
        Any known article brings it back to one page at a time, so a daily run asks for no
        page past the first known one.  A resumed walk asks for the pages before ``resume``
        (new since the earlier run) apart from those from ``resume`` on; ``cap`` (0: none) is
        the most pages one run asks for.
        """
        self.window = min(self.window * 2, most) if grow else 1
        head = 0 < page < self.resume
        limit = min(last, self.resume - 1) if head else last
        target = min(page + self.window, limit)
        done = self.head_requested if head else self.requested
        if cap:
            target = min(target, max(done, page) + max(0, cap - self.asked))
        pages = range(max(done, page) + 1, target + 1)
        if head:
            self.head_requested = max(self.head_requested, target)
        else:
            self.requested = max(self.requested, target)
        self.asked += len(pages)
        return pages


@dataclass(frozen=True)
class WalkLimits:
    """How far a run walks each listing, from the settings."""

    stop_after: int = 1  # pages in a row of known articles that end a walk (CQN_STOP_AFTER_KNOWN_PAGES)
    window: int = 1  # pages asked for ahead at most (CQN_LISTING_WINDOW)
    most: int = 0  # pages one run asks for of a listing (CQN_MAX_LISTING_PAGES; 0: no bound)
    sample: bool = False  # scrapy smoke (CQN_SMOKE_ARTICLES): the first page of each listing only

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> "WalkLimits":
        return cls(max(1, settings.getint("CQN_STOP_AFTER_KNOWN_PAGES")), max(1, settings.getint("CQN_LISTING_WINDOW")),
                   settings.getint("CQN_MAX_LISTING_PAGES"), settings.getint("CQN_SMOKE_ARTICLES") > 0)


def selected(chosen: Collection[str], path: tuple[str, ...], names: Collection[str] = ()) -> bool:
    """Whether ``-a sub=`` (``chosen``; empty: every listing) chose the listing at ``path`` or one above it;
    ``names``: the registry's names for the listing (a name stands for its aliases until the listing page shows
    which it is)."""
    if not chosen or any(name in chosen for name in path):
        return True
    return bool(set(chosen) & set(names))
