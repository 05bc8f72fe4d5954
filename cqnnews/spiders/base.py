"""A spider for one news-centre section: navigation, then listings, then articles.

The walk has two phases.  First the spider finds the section's channels and listings by
link text and walks their listing pages, noting each article once with every listing it
was found in.  When no listing page is left (``spider_idle``), it writes what it found to
the crawl state as pending and requests each article once; so an article listed in two
listings comes out once, with both in ``sections``, and an article the run did not
finish is fetched by the next run.

Walking stops early on what earlier runs exported: a listing stops paging after
``CQN_STOP_AFTER_KNOWN_PAGES`` pages holding only known articles (``-a full=true`` walks
them all), and at articles older than ``-a since``.  Known articles are never requested
again, except those ``-a recheck_days`` asks for, which come out again only if changed.
"""

from __future__ import annotations

from collections import Counter
import itertools
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, ClassVar

from scrapy import Request, Selector, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response, TextResponse
from scrapy.settings import BaseSettings
from twisted.python.failure import Failure

from cqnnews import navigation
from cqnnews.dates import SHANGHAI
from cqnnews.feeds import apply_default_feed
from cqnnews.items import Article
from cqnnews.decoding import Decoded, as_utf8, decode_page
from cqnnews.parsers import ArticleParseError, PageReading, assemble, read_page
from cqnnews.sections import Channel, Section
from cqnnews.spiders.arguments import RunArguments, parse_arguments
from cqnnews.state import CrawlState, lock
from cqnnews.distributed import Coordinator, redis_settings
from cqnnews.state.redis_store import RedisStateStore, connect
from cqnnews.state.scratch import LAST, RunScratch
from cqnnews.state.store import CONTENT_FIELDS, StateStore, content_hash
from cqnnews.text import compact
from cqnnews.urls import SiteUrls, article_day, article_id

Order = tuple[int, ...]  # position of a listing in the site map: channel, then link positions
@dataclass(frozen=True)
class Failed:
    article_id: int
    url: str
    sections: list[str]
    reason: str


@dataclass
class Walk:
    """How far the walk of one listing has gone (in this process)."""

    requested: int  # the highest page asked for
    window: int = 1  # how many pages past the one just read to have asked for
    done: bool = False


@dataclass(frozen=True)
class Listing:
    """A listing being walked; plain data, so a request carrying it can wait in a shared Redis queue."""

    channel: int  # index in the spider's section.channels
    path: tuple[str, ...]  # names from the channel page down
    order: Order
    record: bool  # False for a listing walked only to reach chosen listings below it

    @property
    def name(self) -> str:
        return ">>".join(self.path)


class SectionSpider(Spider):
    section: ClassVar[Section]
    # set in from_crawler, from the settings
    urls: SiteUrls
    store: CrawlState
    coordinator: Coordinator | None
    node_ids: dict[str, int]
    stop_after: int
    batch_size: int
    listing_window: int
    now: datetime
    walk_in_full: set[str]
    run_lock: lock.RunLock

    def __init__(self, *args: Any, sub: str | None = None, since: str | None = None, full: str | None = None,
                 recheck_days: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        given = {"sub": sub, "since": since, "full": full, "recheck_days": recheck_days}
        self.args: RunArguments = parse_arguments(self.section, {k: v for k, v in given.items() if v is not None})
        self.scratch = RunScratch()  # found, requested and exported articles of this run, on disk
        self.visited: set[str] = set()
        self.walks: dict[str, Walk] = {}
        self.failed: list[Failed] = []
        self.unchanged: set[int] = set()
        self.tally: dict[str, Counter[str]] = {}  # per section: new, duplicate, revised, unchanged, failed...
        self.totals: Counter[str] = Counter()  # the same, each article counted once
        self.where = "navigation"
        self.incomplete: set[str] = set()  # listings with a page that failed this run
        self.complete: set[str] = set()  # listings walked to their end (or to -a since) this run
        self._articles_scheduled = False
        self.articles_requested = 0

    @classmethod
    def check_arguments(cls, spargs: dict[str, str]) -> None:
        """Raise BadArgument, naming what is accepted, for arguments the run cannot start with."""
        parse_arguments(cls.section, spargs)

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        redis_url = settings.get("CQN_REDIS_URL")
        if redis_url:
            settings.setdict(redis_settings(redis_url, cls.name), priority="spider")
        apply_default_feed(settings, cls.name, worker=bool(redis_url))

    @property
    def local(self) -> bool:
        """One process, no Redis: requests bypass the duplicate filter where a resumed job needs them."""
        return self.coordinator is None

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> "SectionSpider":
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.urls = SiteUrls(settings.get("CQN_BASE_URL"))
        spider.node_ids = settings.getdict("CQN_NODE_IDS")
        spider.stop_after = max(1, settings.getint("CQN_STOP_AFTER_KNOWN_PAGES", 1))
        spider.batch_size = max(1, settings.getint("CQN_ARTICLE_BATCH", 500))
        spider.listing_window = max(1, settings.getint("CQN_LISTING_WINDOW", 8))
        now = settings.get("CQN_NOW")
        spider.now = datetime.fromisoformat(now) if now else datetime.now(SHANGHAI)
        redis_url = settings.get("CQN_REDIS_URL")
        spider.coordinator = None
        if redis_url:  # one of several workers sharing a crawl
            client = connect(redis_url)
            spider.store = RedisStateStore(client, spider.name)
            spider.coordinator = Coordinator(client, spider.name)
            crawler.signals.connect(spider.coordinator.join, signal=signals.spider_opened)
        else:
            spider.run_lock = lock.acquire(settings.get("CQN_STATE_DIR"), spider.name)
            spider.store = StateStore.open(settings.get("CQN_STATE_DIR"), spider.name)
        spider.walk_in_full = spider.store.incomplete_listings()
        crawler.signals.connect(spider._on_idle, signal=signals.spider_idle)
        return spider  # type: ignore[return-value]

    # --- bookkeeping -----------------------------------------------------------------

    def _count(self, key: str, n: int = 1) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(f"cqnnews/{key}", n)

    def _tally(self, sections: list[str] | dict[str, Order], what: str) -> None:
        self.totals[what] += 1
        for name in sections or ["(none)"]:
            self.tally.setdefault(name, Counter())[what] += 1

    def progress(self) -> str:
        done = sum(self.totals[k] for k in ("new", "revised", "unchanged", "failed"))
        return (f"{self.where}; {self.scratch.found_count} articles to fetch, {done}/{self.articles_requested} fetched, "
                f"{len(self.failed)} failed")

    # --- navigation ------------------------------------------------------------------

    def _selected(self, path: tuple[str, ...]) -> bool:
        return not self.args.chosen or any(name in self.args.chosen for name in path)

    def _leads_to_chosen(self, channel: Channel, path: tuple[str, ...]) -> bool:
        return bool(self.args.chosen & set(channel.below.get(path[-1], ())))

    def _channel(self, listing: Listing) -> Channel:
        return self.section.channels[listing.channel]

    def _node_url(self, channel: Channel, name: str) -> str | None:
        node = self.node_ids.get(name, channel.node_ids.get(name))
        return self.urls.url(f"/{channel.slug}/node_{node}.htm") if node else None

    async def start(self) -> AsyncIterator[Any]:
        if self.coordinator is not None and self.coordinator.phase() != "listings":
            return  # joining a crawl already fetching articles: take them from the shared queue
        yield Request(self.urls.url("/"), callback=self.parse_home, errback=self.page_failed, dont_filter=self.local)

    def parse_home(self, response: Response) -> Any:
        links = navigation.links_by_text(page_selector(response), response.url)
        for i, channel in enumerate(self.section.channels):
            url = links.get(compact(channel.name))
            fetch = self.urls.fetchable(url) if url else None
            if fetch is None:
                self._count("navigation/fallback")
                fetch = self.urls.url(f"/{channel.slug}/index.htm")
                self.logger.warning("home page %s has no link %r; trying %s", response.url, channel.name, fetch)
            yield Request(fetch, callback=self.parse_channel, errback=self.page_failed, dont_filter=self.local,
                          cb_kwargs={"position": i})

    def parse_channel(self, response: Response, position: int) -> Any:
        channel = self.section.channels[position]
        links = navigation.node_links(page_selector(response), response.url)
        by_name = {compact(name): url for name, url in links}
        names = list(channel.listings) if channel.only_listed else list(
            dict.fromkeys([*(name for name, _ in links), *channel.listings]))
        if not links:
            self._count("navigation/missing")
            self.logger.error("channel page %s links no listings at all: has the layout changed?", response.url)
        for i, name in enumerate(names):
            url = by_name.get(compact(name))
            fetch = self.urls.fetchable(url) if url else None
            if fetch is None and (fetch := self._node_url(channel, name)) is not None:
                self._count("navigation/fallback")
                self.logger.warning("channel page %s has no link %r; using its node id: %s", response.url, name, fetch)
            if fetch is None:
                if channel.only_listed or name in self.args.chosen:
                    self._count("navigation/missing")
                    self.logger.error("channel page %s has no link %r and no node id is configured for it "
                                      "(set CQN_NODE_IDS)", response.url, name)
                else:
                    self._count("navigation/absent_optional")
                    self.logger.info("channel page %s does not link %r today", response.url, name)
                continue
            if name not in channel.names:
                self.logger.info("channel %s links a listing the registry does not know: %s (%s)",
                                 channel.name, name, fetch)
            yield from self._follow(fetch, Listing(position, (name,), (position, i), record=False))

    def _follow(self, url: str, listing: Listing) -> Any:
        if url in self.visited:
            return
        self.visited.add(url)
        selected = self._selected(listing.path)
        if selected or self._leads_to_chosen(self._channel(listing), listing.path):
            listing = Listing(listing.channel, listing.path, listing.order, record=selected)
            yield Request(url, callback=self.parse_listing, errback=self.page_failed, dont_filter=self.local,
                          cb_kwargs={"listing": listing, "page": 1})

    # --- listings --------------------------------------------------------------------

    def parse_listing(self, response: Response, listing: Listing, page: int, known_pages: int = 0) -> Any:
        sel = page_selector(response)
        self.where = f"listing {listing.name} page {page}"
        self._count("listing/pages")
        items = navigation.listing_items(sel, response.url)
        children = []
        if page == 1:
            inside = self.urls.url(f"/{self._channel(listing).slug}/")
            children = [(name, fetch) for name, url in navigation.node_links(sel, response.url)
                        if (fetch := self.urls.fetchable(url)) and fetch not in self.visited
                        and fetch.startswith(inside)]
            for i, (name, fetch) in enumerate(children):
                yield from self._follow(fetch, Listing(listing.channel, (*listing.path, name),
                                                       (*listing.order, i), record=False))
        if not items and not children:
            self._count("listing/empty_pages")
            self.logger.warning("listing page %s (%s, page %d) holds no article links", response.url, listing.name,
                                page)
        if not listing.record:
            return
        all_known, none_known, reached_since = self._note(items, listing)
        known_pages = known_pages + 1 if all_known else 0
        walk = self.walks.setdefault(listing.name, Walk(requested=page))
        last = navigation.last_page(sel)
        if not items or page >= last or reached_since:
            walk.done = True
            self.complete.add(listing.name)
            return
        full = self.args.full or listing.name in self.walk_in_full
        if known_pages >= self.stop_after and not full:
            walk.done = True
            self._count("listing/stopped_at_known")
            self.complete.add(listing.name)
            return
        if walk.done:  # a page further on ended the walk while this one was in flight
            return
        # Pages of nothing but new articles (a first run, a back-fill) say the walk goes on: ask for
        # the next pages together, twice as many each time.  Any known article brings it back to one
        # page at a time, so a daily run asks for no page past the first known one.  A shared crawl
        # walks page by page: its pages are parsed by whichever worker takes them; so does a resumable
        # job (JOBDIR), whose walk state would not survive the pause.
        grow = none_known and self.local and not self.args.since and not self.settings.get("JOBDIR")
        walk.window = min(walk.window * 2, self.listing_window) if grow else 1
        target = min(page + walk.window, last)
        for n in range(max(walk.requested, page) + 1, target + 1):
            yield Request(navigation.listing_page_url(response.url, n), callback=self.parse_listing,
                          errback=self.page_failed, dont_filter=self.local,
                          cb_kwargs={"listing": listing, "page": n, "known_pages": known_pages})
        walk.requested = max(walk.requested, target)

    def page_failed(self, failure: Failure) -> None:
        """A navigation or listing page that failed on every try: the walk of its listing is incomplete."""
        request = failure.request  # type: ignore[attr-defined]
        listing = request.cb_kwargs.get("listing")
        self._count("listing/failed" if listing else "navigation/failed")
        if listing is not None:
            self.incomplete.add(listing.name)
        self.logger.error("page %s failed: %s%s", request.url, _reason(failure),
                          f"; listing {listing.name} will be walked in full next run" if listing else "")

    def _note(self, items: list[tuple[str, str]], listing: Listing) -> tuple[bool, bool, bool]:
        """Note the page's new articles; (every article on it was known, none was, it reached ``since``)."""
        entries = [(aid, fetch, url) for url, _ in items
                   if (fetch := self.urls.fetchable(url)) and (aid := article_id(url)) is not None]
        since = self.args.since
        reached_since = False
        if since is not None:
            fresh = [e for e in entries if (day := article_day(e[2])) is None or day >= since]
            reached_since = len(fresh) < len(entries)
            entries = fresh
        known = self.store.known(aid for aid, _, _ in entries)
        if self.coordinator is not None:
            noted = [(aid, self.urls.canonical(fetch), listing.name, listing.order)
                     for aid, fetch, _ in entries if known.get(aid) != "exported"]
            self.coordinator.note(noted)
            if self.coordinator.phase() == "articles":  # found after the switch: queue it now
                self.store.add_pending((aid, url, [name]) for aid, url, name, _ in noted)
                assert self.crawler.engine is not None
                for aid, url, name, _ in noted:
                    self.crawler.engine.crawl(self._article_request(aid, self.urls.fetchable(url) or url, [name]))
        fresh = []
        for aid, fetch, _ in entries:
            if known.get(aid) == "exported":
                self._tally([listing.name], "duplicate")
            else:
                fresh.append((aid, fetch))
        new, again = self.scratch.note(fresh, listing.name, listing.order)
        self._count("listing/articles", new)
        self._count("listing/cross_listed", again)
        known_here = sum(aid in known for aid, _, _ in entries)
        return bool(entries) and known_here == len(entries), known_here == 0, reached_since

    # --- articles --------------------------------------------------------------------

    def _on_idle(self, spider: Spider) -> None:
        """Listings done: note what was found as pending, then feed article requests in batches.

        Batches keep the scheduler (and memory) small whatever the size of the crawl; the
        next batch goes in each time the spider runs dry.
        """
        if spider is not self:
            return
        if self.coordinator is not None:
            return self._on_idle_distributed()
        if not self._articles_scheduled:
            self._articles_scheduled = True
            self.where = "articles"
            self._queue = self._article_requests()
        batch = list(itertools.islice(self._queue, self.batch_size))
        assert self.crawler.engine is not None
        for request in batch:
            self.crawler.engine.crawl(request)
        if batch:
            raise DontCloseSpider

    def _article_requests(self) -> Iterator[Request]:
        for pending in self.store.pending():
            fetch = self.urls.fetchable(pending.url)
            if fetch is None or (not self.scratch.has(pending.article_id) and _gone(pending.reason)):
                continue  # gone (404) and not on any listing walked this run
            self.scratch.add(pending.article_id, fetch, pending.sections, LAST)
        self.store.add_pending((aid, self.urls.canonical(url), sections) for aid, url, sections in self.scratch.found())
        rechecks = []
        if self.args.recheck_days:
            cutoff = self.now - timedelta(days=self.args.recheck_days)
            rechecks = [(k.article_id, fetch, k.sections) for k in self.store.published_since(cutoff)
                        if not self.scratch.has(k.article_id) and (fetch := self.urls.fetchable(k.url))]
            self.scratch.requested(aid for aid, _, _ in rechecks)
        self.articles_requested = self.scratch.found_count + len(rechecks)
        for aid, url, sections in self.scratch.found():
            yield self._article_request(aid, url, sections)
        for aid, url, sections in rechecks:
            yield self._article_request(aid, url, sections, recheck=True)

    def _article_request(self, aid: int, url: str, sections: list[str], recheck: bool = False,
                         again: bool = False) -> Request:
        # Each article is requested once by construction (the scratch database is keyed by id), so a
        # single process need not remember a fingerprint per article; a resumed job (JOBDIR) and a
        # shared crawl do, to drop what was already queued.
        unique = self.local and not self.settings.get("JOBDIR")
        return Request(url, callback=self.parse_article, errback=self.article_failed, dont_filter=again or unique,
                       cb_kwargs={"sections": sections, "recheck": recheck},
                       meta={"article_id": aid, "sections": sections, "first_url": url})

    def _on_idle_distributed(self) -> None:
        """Idle in a shared crawl: switch it to articles, queue leftovers, or let this worker go."""
        crawl = self.coordinator
        assert crawl is not None and self.crawler.engine is not None
        crawl.idle()
        if crawl.done():
            return
        if not crawl.everyone_idle():
            raise DontCloseSpider
        if crawl.phase() == "listings":
            if crawl.take_switch():
                for aid, (url, orders) in crawl.found().items():
                    fetch = self.urls.fetchable(url)
                    for name, order in orders.items():
                        if fetch is not None:
                            self.scratch.note([(aid, fetch)], name, order)
                self.where = "articles"
                self._queue = self._article_requests()
                for request in self._queue:
                    self.crawler.engine.crawl(request)
                crawl.articles_phase()
            raise DontCloseSpider
        # articles phase, nothing queued, nobody busy: what a killed worker took and did not export
        claimed = crawl.claimed_by_live_workers()
        by_id = {p.article_id: p for p in self.store.pending() if p.article_id not in claimed and not _gone(p.reason)}
        left = crawl.requeue_once(list(by_id))
        if left:
            for aid in left:
                pending = by_id[aid]
                fetch = self.urls.fetchable(pending.url)
                if fetch is not None:
                    self.crawler.engine.crawl(self._article_request(aid, fetch, pending.sections, again=True))
            self.logger.info("queued again %d articles a worker took and did not finish", len(left))
            raise DontCloseSpider
        crawl.finish()

    def parse_article(self, response: Response, sections: list[str], recheck: bool = False,
                      pages: list[tuple[PageReading, dict[str, str], Decoded]] | None = None,
                      rest: list[str] | None = None) -> Any:
        """Read one page of an article; once every page is read, assemble and yield the article."""
        aid = int(response.meta["article_id"])
        if not isinstance(response, TextResponse):
            self._fail(aid, response.url, sections, "not a text page")
            return
        decoded = decode_page(response.body, response.headers.get("Content-Type", b"").decode("latin-1"))
        if decoded.repaired:
            self._count("extract/encoding_repaired")
        if decoded.misdeclared:
            self._count("extract/charset_misdeclared")
        try:
            reading, props = read_page(decoded.text, response.url, self.urls, utf8=as_utf8(decoded, response.body))
        except ArticleParseError as exc:
            self._fail(aid, response.url, sections, str(exc))
            return
        pages = [*(pages or []), (reading, props, decoded)]
        if rest is None:  # the first page: it names the others
            rest = [u for u in (self.urls.fetchable(p) for p in reading.more_pages) if u]
        if rest:
            yield Request(rest[0], callback=self.parse_article, errback=self.article_failed,
                          cb_kwargs={"sections": sections, "recheck": recheck, "pages": pages, "rest": rest[1:]},
                          meta={k: response.meta[k] for k in ("article_id", "sections", "first_url")})
            return
        try:
            article = assemble([p[0] for p in pages], pages[0][1], response.meta.get("first_url") or response.url,
                               self.urls, sections=sections, now=self.now, decoded=[p[2] for p in pages])
        except ArticleParseError as exc:
            self._fail(aid, response.url, sections, str(exc))
            return
        yield from self._emit(article, sections)

    def _emit(self, article: Article, sections: list[str]) -> Any:
        if article.layout == "generic":
            self._count("extract/generic")
        for flag in article.flags:
            self._count(f"article/flag/{flag}")
        before = self.store.exported(article.article_id)
        if before is not None:
            if content_hash({k: getattr(article, k) for k in CONTENT_FIELDS}) == before.content_hash:
                self.unchanged.add(article.article_id)
                self._tally(sections, "unchanged")
                return
            article.revision = before.revision + 1
            article.sections = list(dict.fromkeys([*before.sections, *sections]))
            self._tally(article.sections, "revised")
        else:
            self._tally(sections, "new")
        self._count("article/parsed")
        yield article

    def article_failed(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        reason = _reason(failure)
        if _gone(reason):
            self._count("article/not_found")
        self._fail(int(request.meta["article_id"]), request.url, request.meta["sections"], reason)

    def _fail(self, aid: int, url: str, sections: list[str], reason: str) -> None:
        self._count("article/failed")
        self._tally(sections, "failed")
        self.failed.append(Failed(aid, self.urls.canonical(url), list(sections), reason))
        self.logger.warning("skipped article %s: %s", url, reason)


def page_selector(response: Response) -> Selector:
    """The page decoded as articles are: Scrapy's own guess, where no charset is declared, is slow."""
    return Selector(text=decode_page(response.body, response.headers.get("Content-Type", b"").decode("latin-1")).text,
                    type="html")


def _reason(failure: Failure) -> str:
    """Why a request failed, in a few words: ``HTTP 404``, ``forbidden by robots.txt``, ``TimeoutError``..."""
    value = failure.value
    response = getattr(value, "response", None)
    if response is not None and getattr(response, "status", None):
        return f"HTTP {response.status}"
    message = failure.getErrorMessage() or failure.type.__name__
    if "robots.txt" in message:
        return "forbidden by robots.txt"
    return f"{failure.type.__name__}: {message}" if message != failure.type.__name__ else message


def _gone(reason: str | None) -> bool:
    return bool(reason) and reason.startswith(("HTTP 404", "HTTP 410"))  # type: ignore[union-attr]
