"""What a run is to fetch once its listings are walked, as plain tasks the spider turns into requests.

Every article found this run, those pending from earlier runs (unless gone), and those ``-a
recheck_days`` asks for again; for ``scrapy smoke``, the newest few of each listing instead.
The found and pending ones are written to the crawl state as pending before the first task
comes out, so a run that dies leaves them for the next.  The queue reads the state, the run's
scratch and the settings it is given, and knows nothing of Scrapy or of the spider.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from cqnnews.state.scratch import LAST

if TYPE_CHECKING:
    from cqnnews.state import CrawlState
    from cqnnews.state.scratch import RunScratch
    from cqnnews.urls import SiteUrls


@dataclass(frozen=True)
class ArticleTask:
    """One article to fetch: plain data, made into a request by the spider."""

    article_id: int
    url: str  # the URL to fetch (fetchable)
    sections: tuple[str, ...]  # every listing it was found in
    again: bool = False  # queued again (a worker died holding it): past the duplicate filter
    recheck: bool = False  # exported before, fetched again to see whether it changed


@dataclass(frozen=True)
class Batch:
    """What the spider is to request next, and whether it stays open (handed out by the coordination)."""

    tasks: tuple[ArticleTask, ...] = ()
    keep_open: bool = False  # True: the spider stays open (DontCloseSpider) though nothing may be queued now
    kind: str = "articles"  # articles; switch: the crawl's switch to articles; requeue: what dead workers held


def gone(reason: str | None) -> bool:
    """A failure reason that says the article is not there any more (404, 410)."""
    return bool(reason) and reason.startswith(("HTTP 404", "HTTP 410"))  # type: ignore[union-attr]


class ArticleQueue:
    """The articles of one run, handed out once (:meth:`tasks` is a generator: read it once)."""

    def __init__(self, store: CrawlState, scratch: RunScratch, urls: SiteUrls, now: datetime,
                 recheck_days: int = 0, sample: int = 0) -> None:
        self.store, self.scratch, self.urls, self.now = store, scratch, urls, now
        self.recheck_days = recheck_days
        self.sample = sample  # scrapy smoke (CQN_SMOKE_ARTICLES): this many of each listing, the newest
        self.requested = 0  # how many tasks the run hands out, known once the first is out
        self.attachment_attempts: dict[int, int] = {}  # pending for an attachment only: the runs that tried it

    def tasks(self) -> Iterator[ArticleTask]:
        """Every article to fetch: found this run, pending from earlier ones (unless gone), rechecks."""
        self._take_pending()
        self.store.add_pending((aid, self.urls.canonical(url), sections) for aid, url, sections in self.scratch.found())
        rechecks = self._rechecks()
        if self.sample:
            yield from self._sample()
            return
        self.requested = self.scratch.found_count + len(rechecks)
        for aid, url, sections in self.scratch.found():
            yield ArticleTask(aid, url, tuple(sections))
        yield from rechecks

    def _take_pending(self) -> None:
        """Earlier runs' pending articles into this run's scratch, but those gone and not listed this run."""
        for pending in self.store.pending():
            fetch = self.urls.fetchable(pending.url)
            if fetch is None or (not self.scratch.has(pending.article_id) and gone(pending.reason)):
                continue  # gone (404) and not on any listing walked this run
            self.scratch.add(pending.article_id, fetch, pending.sections, LAST)
            if (pending.reason or "").startswith("attachment "):  # exported; a file of it still to fetch
                self.attachment_attempts[pending.article_id] = pending.attempts

    def _rechecks(self) -> list[ArticleTask]:
        if not self.recheck_days:
            return []
        cutoff = self.now - timedelta(days=self.recheck_days)
        rechecks = [ArticleTask(k.article_id, fetch, tuple(k.sections), recheck=True)
                    for k in self.store.published_since(cutoff)
                    if not self.scratch.has(k.article_id) and (fetch := self.urls.fetchable(k.url))]
        self.scratch.requested(t.article_id for t in rechecks)
        return rechecks

    def _sample(self) -> Iterator[ArticleTask]:
        """``sample`` articles of each listing (the newest), each once; the others are not missed."""
        taken: dict[str, int] = {}
        chosen = []
        for aid, url, sections in self.scratch.found():
            if any(taken.get(name, 0) < self.sample for name in sections):
                for name in sections:
                    taken[name] = taken.get(name, 0) + 1
                chosen.append(ArticleTask(aid, url, tuple(sections)))
        self.requested = len(chosen)
        self.scratch.keep_only(t.article_id for t in chosen)
        yield from chosen
