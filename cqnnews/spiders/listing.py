"""A listing being walked, and how far its walk has gone."""

from __future__ import annotations

from dataclasses import dataclass, field

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

    @property
    def name(self) -> str:
        return ">>".join(self.path)


@dataclass
class Walk:
    """How far the walk of one listing has gone (in this process)."""

    requested: int  # the highest page asked for
    window: int = 1  # how many pages past the one just read to have asked for
    done: bool = False
    seen: set[int] = field(default_factory=set)  # each page's articles, hashed

    def repeats(self, links: list[str]) -> bool:
        """Whether a page holds exactly the articles of a page read before (a site that answers any page
        number past its last with its last page): then the walk is over, whatever ``尾页`` says."""
        key = hash(tuple(links))
        if key in self.seen:
            return True
        self.seen.add(key)
        return False

    def next_pages(self, page: int, last: int, grow: bool, most: int) -> range:
        """The pages to ask for after reading ``page`` of ``last``.

        Pages of nothing but new articles (a first run, a back-fill) say the walk goes on
        (``grow``): ask for the next pages together, twice as many each time, up to ``most``.
        Any known article brings it back to one page at a time, so a daily run asks for no
        page past the first known one.
        """
        self.window = min(self.window * 2, most) if grow else 1
        target = min(page + self.window, last)
        pages = range(max(self.requested, page) + 1, target + 1)
        self.requested = max(self.requested, target)
        return pages
