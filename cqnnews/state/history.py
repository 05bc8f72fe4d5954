"""What each run read, in a few numbers, kept in the crawl state: the history the monitors compare a run with.

:class:`ArticlesRead` counts every article a run read (exported or found unchanged): how many had a
publication time with its time of day, authors, a source of their own, their body's length, and
how many were read by the generic reader or with a fallback reading, and how many had a reading's value
refused by its field's check (:mod:`cqnnews.reading.parsers.fields`).  :class:`RunProfile` is one
run's line of history: those shares, the new articles per section and the route that found each
listing, on the day of the run's clock.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from cqnnews.items import Article

OWN_SOURCE = "中国质量新闻网"  # what a page that names no source is given
COVERAGE = ("time_of_day", "authors", "source", "body_chars")  # body_chars: the median body length


@dataclass
class ArticlesRead:
    """Every article a run read, counted."""

    articles: int = 0
    time_of_day: int = 0
    authors: int = 0
    source: int = 0
    generic: int = 0
    fallback: int = 0
    body_chars: list[int] = field(default_factory=list)
    rejected: int = 0  # articles with at least one reading whose value its field refused

    def add(self, article: Article, fallbacks: Mapping[str, str], rejected: Sequence[tuple[str, str]] = ()) -> None:
        self.articles += 1
        published = article.published_at or ""
        self.time_of_day += bool(published) and "date_from_url" not in article.flags and \
            published[11:19] not in ("", "00:00:00")
        self.authors += bool(article.authors)
        self.source += bool(article.source) and article.source != OWN_SOURCE
        self.generic += article.layout == "generic"
        self.fallback += bool(fallbacks)
        self.rejected += bool(rejected)
        self.body_chars.append(len(article.body))

    def shares(self) -> dict[str, float | None]:
        """Each field's share of the articles read (body_chars: the median length); None when none was read."""
        n = self.articles
        if not n:
            return {name: None for name in (*COVERAGE, "generic", "fallback", "rejected")}
        return {"time_of_day": round(self.time_of_day / n, 4), "authors": round(self.authors / n, 4),
                "source": round(self.source / n, 4), "body_chars": float(statistics.median(self.body_chars)),
                "generic": round(self.generic / n, 4), "fallback": round(self.fallback / n, 4),
                "rejected": round(self.rejected / n, 4)}


@dataclass
class RunProfile:
    """One run, as the monitors remember it."""

    day: str  # the run's clock, Beijing date (CQN_NOW in tests)
    started_at: str | None
    articles_read: int
    shares: dict[str, float | None]  # time_of_day, authors, source, body_chars, generic, fallback, rejected
    new_by_section: dict[str, int]  # new articles of each section walked (0: walked, nothing new)
    routes: dict[str, str]  # listing -> the route that found it
    healthy: bool = True

    def record(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def of(cls, record: Mapping[str, Any]) -> "RunProfile":
        return cls(**{k: record[k] for k in cls.__dataclass_fields__ if k in record})


def generic_listing_share(listings: Iterable[Mapping[str, Any]]) -> float | None:
    """The share of the listings walked whose items the generic listing reading read (not the selectors on
    record); None when no listing page held items."""
    read = [e for e in listings if e.get("readings")]
    return round(sum("generic" in e["readings"] for e in read) / len(read), 4) if read else None


def median_of(history: Iterable[RunProfile], name: str, least_articles: int) -> float | None:
    """The median share ``name`` of the runs that read at least ``least_articles``; None without any."""
    values = [p.shares.get(name) for p in history if p.articles_read >= least_articles]
    present = [v for v in values if v is not None]
    return float(statistics.median(present)) if present else None
