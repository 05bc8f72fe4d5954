"""What a run counts, kept by one component fed by signals: :class:`RunTally`.

The component that sees something happen sends its signal (:mod:`cqnnews.signals`: an article failed,
counted, unchanged, read; the articles requested and scheduled; where the crawl is; an attachment tried or
failed; the feed prepared) or Scrapy's ``item_dropped``; the tally, made with the run (:meth:`cqnnews.crawl.run.Run.open`)
and connected to the crawler's signals, is the only writer of what it counts.  Every other component reads
it through read-only views: the commit, the ledger building the run's outcome, the progress lines.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Any

from itemadapter import ItemAdapter
from scrapy import signals as scrapy_signals
from scrapy.exceptions import DropItem

from cqnnews import signals
from cqnnews.items import Article
from cqnnews.state.history import ArticlesRead
from cqnnews.state.records import Retry

logger = logging.getLogger(__name__)

#: what a section's tally counts; ``totals`` counts each article once
OUTCOMES = ("new", "duplicate", "revised", "unchanged", "dropped", "failed", "not_fetched")


class Counted(DropItem):
    """An item dropped by a pipeline that counted the article's outcome itself: the tally does not count it dropped."""


@dataclass(frozen=True)
class Failed:
    article_id: int
    url: str
    sections: list[str]
    reason: str


class RunTally:
    """The run's counts: outcomes per section and in total, the articles failed, unchanged and dropped, the
    attachments not downloaded, every article read (for the monitors), and where the crawl is."""

    def __init__(self, stats: Any, canonical: Callable[[str], str]) -> None:
        self._stats = stats  # the crawler's StatsCollector
        self._canonical = canonical  # a failed article's URL as the crawl state keeps it
        self._failed: list[Failed] = []
        self._unchanged: set[int] = set()  # rechecked, same content: only seen again
        self._dropped: set[int] = set()  # refused by a pipeline
        self._by_section: dict[str, Counter[str]] = {}
        self._totals: Counter[str] = Counter()  # each article once
        self._attachment_failures: list[Mapping[str, Any]] = []  # files not downloaded, and why
        self._attachment_attempts: dict[int, int] = {}  # pending for an attachment: runs tried
        self._attachment_retries: dict[int, Retry] = {}  # exported, a file to fetch next run
        self._reading = ArticlesRead()  # every article read, counted for the monitors
        self._prepared_feed: str | None = None  # the feed whose articles the state holds as prepared
        self._where = "navigation"
        self._articles_scheduled = False
        self._articles_requested = 0

    def connect(self, manager: Any) -> "RunTally":
        """Listen to the run's signals on ``manager`` (the crawler's SignalManager)."""
        for signal, receiver in ((signals.article_failed, self._article_failed),
                                 (signals.article_counted, self._article_counted),
                                 (signals.article_unchanged, self._article_unchanged),
                                 (scrapy_signals.item_dropped, self._item_dropped),
                                 (signals.article_read, self._article_read),
                                 (signals.articles_requested, self._articles_requested_now),
                                 (signals.articles_scheduled, self._articles_scheduled_now),
                                 (signals.crawl_moved, self._crawl_moved),
                                 (signals.attachment_tried, self._attachment_tried),
                                 (signals.attachment_failed, self._attachment_failed),
                                 (signals.feed_prepared, self._feed_prepared)):
            manager.connect(receiver, signal=signal)
        return self

    # what the signals say: the only writers

    def _add(self, sections: Sequence[str], outcome: str) -> None:
        self._totals[outcome] += 1
        for name in list(sections) or ["(none)"]:
            self._by_section.setdefault(name, Counter())[outcome] += 1

    def _article_failed(self, article_id: int, url: str, sections: Sequence[str], reason: str) -> None:
        self._stats.inc_value("cqnnews/article/failed")
        self._add(sections, "failed")
        self._failed.append(Failed(article_id, self._canonical(url), list(sections), reason))
        logger.warning("skipped article %s: %s", url, reason)

    def _article_counted(self, sections: Sequence[str], outcome: str) -> None:
        self._add(sections, outcome)

    def _article_unchanged(self, article_id: int, sections: Sequence[str]) -> None:
        self._unchanged.add(article_id)
        self._add(sections, "unchanged")

    def _item_dropped(self, item: Any, exception: BaseException | None = None) -> None:
        if isinstance(exception, Counted):
            return
        adapter = ItemAdapter(item)
        self._dropped.add(adapter.get("article_id"))
        self._add(list(adapter.get("sections") or []), "dropped")

    def _article_read(self, article: Article, fallbacks: Mapping[str, str],
                      rejected: Sequence[tuple[str, str]] = ()) -> None:
        self._reading.add(article, fallbacks, rejected)

    def _articles_requested_now(self, count: int) -> None:
        self._articles_requested = count

    def _articles_scheduled_now(self) -> None:
        self._articles_scheduled = True

    def _crawl_moved(self, where: str) -> None:
        self._where = where

    def _attachment_tried(self, attempts: Mapping[int, int]) -> None:
        self._attachment_attempts.update(attempts)

    def _attachment_failed(self, article_id: int, url: str, reason: str, attempt: int, retry: Retry | None) -> None:
        self._attachment_failures.append(MappingProxyType({"article_id": article_id, "url": url, "reason": reason,
                                                           "attempt": attempt, "retried": retry is not None}))
        if retry is not None:
            self._attachment_retries[article_id] = retry

    def _feed_prepared(self, feed: str) -> None:
        self._prepared_feed = feed

    # what the others read

    @property
    def failed(self) -> tuple[Failed, ...]:
        return tuple(self._failed)

    @property
    def unchanged(self) -> frozenset[int]:
        return frozenset(self._unchanged)

    @property
    def dropped(self) -> frozenset[int]:
        return frozenset(self._dropped)

    @property
    def by_section(self) -> Mapping[str, Mapping[str, int]]:
        """Each section's outcomes: an article found in two sections counts in both."""
        return MappingProxyType({name: MappingProxyType(counts) for name, counts in self._by_section.items()})

    @property
    def totals(self) -> Mapping[str, int]:
        return MappingProxyType(self._totals)

    @property
    def attachment_failures(self) -> tuple[Mapping[str, Any], ...]:
        return tuple(self._attachment_failures)

    @property
    def attachment_attempts(self) -> Mapping[int, int]:
        return MappingProxyType(self._attachment_attempts)

    @property
    def attachment_retries(self) -> Mapping[int, Retry]:
        return MappingProxyType(self._attachment_retries)

    @property
    def articles_read(self) -> ArticlesRead:
        """A copy: what was read so far."""
        return replace(self._reading, body_chars=list(self._reading.body_chars))

    @property
    def prepared_feed(self) -> str | None:
        return self._prepared_feed

    @property
    def where(self) -> str:
        return self._where

    @property
    def articles_scheduled(self) -> bool:
        return self._articles_scheduled

    @property
    def articles_requested(self) -> int:
        return self._articles_requested

    def settled(self) -> set[int]:
        """Articles with an outcome other than exported."""
        return self._unchanged | self._dropped | {f.article_id for f in self._failed}

    def progress(self, found: int) -> str:
        """The progress line, ``found`` the articles the run found to fetch so far."""
        done = sum(self._totals[k] for k in ("new", "revised", "unchanged", "failed"))
        return f"{self._where}; {found} articles to fetch, {done}/{self._articles_requested} fetched, " \
               f"{len(self._failed)} failed"
