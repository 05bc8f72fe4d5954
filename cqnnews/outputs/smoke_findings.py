"""What ``scrapy smoke`` found: for each spider, how each listing was reached and how its sampled articles read.

A spider passes when the home page answered, every listing it needs was found by some route
(``navigation.missing`` empty), each listing's first page linked articles, and every sampled
article was read with a title, a publication time (not only the day from its URL) and a body.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

FIELDS = ("title", "published_at", "source", "breadcrumb", "authors", "keywords", "body")
REQUIRED = ("title", "published_at", "body")


@dataclass
class Sample:
    """One sampled article: where it was listed, how it was read, which fields it lacks."""

    url: str
    listings: list[str]
    layout: str | None = None  # current, old, generic; None when it could not be read
    fallbacks: dict[str, str] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    failed: str | None = None  # why it could not be read

    @property
    def ok(self) -> bool:
        return self.failed is None and not any(f in self.missing for f in (*REQUIRED, "time_of_day"))


def sample_of(item: Any, fallbacks: dict[str, str]) -> Sample:
    """A sampled article as the crawl exported it."""
    record = item if isinstance(item, dict) else {name: getattr(item, name) for name in (*FIELDS, "url", "sections",
                                                                                           "layout", "flags")}
    missing = [name for name in FIELDS if not record.get(name)]
    if record.get("published_at") and "date_from_url" in record.get("flags", []):
        missing.append("time_of_day")
    return Sample(record["url"], list(record["sections"]), record["layout"], dict(fallbacks), missing)


@dataclass
class SpiderReport:
    spider: str
    home: bool = False  # the home page answered
    routes: dict[str, str] = field(default_factory=dict)  # listing: the route that found it
    first_pages: dict[str, int] = field(default_factory=dict)  # listing: articles its first page links
    routes_failed: dict[str, int] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)  # listings no route found
    samples: list[Sample] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    # each listing walked (cqnnews.crawl.pages.walker): name, node, route, readings of its items, pagination sign
    listings: list[dict[str, Any]] = field(default_factory=list)
    ambiguous_pages: int = 0  # listing pages whose list could not be told from a side column

    def read_by(self, name: str) -> tuple[str, str]:
        """(how the listing's items were read, what its pagination was read from), over its nodes."""
        entries = [e for e in self.listings if e.get("name") == name]
        readings = sorted({r for e in entries for r in e.get("readings") or {}})
        signs = sorted({e["pagination"] for e in entries if e.get("pagination")})
        return " | ".join(readings) or "-", " | ".join(signs) or "-"

    def judge(self) -> None:
        """Fill ``problems``: what makes this spider fail the smoke test."""
        if not self.home:
            self.problems.append("the home page did not answer")
        self.problems += [f"listing {name}: no route found it" for name in self.missing]
        if self.home and not self.routes and not self.missing:
            self.problems.append("no listing found at all")
        self.problems += [f"listing {name}: its first page links no article" for name, n in self.first_pages.items()
                          if n == 0 and name in self.routes]
        if self.ambiguous_pages:
            self.problems.append(f"{self.ambiguous_pages} listing pages: their list could not be told from a side "
                                 "column")
        for sample in self.samples:
            if sample.failed:
                self.problems.append(f"article {sample.url} ({'、'.join(sample.listings)}): {sample.failed}")
            elif not sample.ok:
                lacking = [f for f in (*REQUIRED, "time_of_day") if f in sample.missing]
                self.problems.append(f"article {sample.url} ({'、'.join(sample.listings)}): no {', '.join(lacking)}")

    @property
    def ok(self) -> bool:
        return not self.problems


def table(reports: list[SpiderReport]) -> str:
    """One line per listing: spider, listing, route, articles on its first page, articles sampled and read,
    readers used, fields missing from the sample, the reading of its items (the selectors on record, or
    ``generic``) and the sign its pagination was read from."""
    rows = [("spider", "listing", "route", "linked", "read", "reader", "missing fields", "items by", "pages by")]
    for report in reports:
        names = list(dict.fromkeys([*report.routes, *report.missing]))
        if not names:
            rows.append((report.spider, "-", "-", "-", "-", "-", "; ".join(report.problems) or "-", "-", "-"))
        for name in names:
            samples = [s for s in report.samples if name in s.listings]
            readers = sorted({s.layout + "".join(f" {k}:{v}" for k, v in sorted(s.fallbacks.items()))
                              for s in samples if s.layout}) or ["-"]
            missing = sorted({f for s in samples for f in s.missing} | {"(failed)" for s in samples if s.failed})
            rows.append((report.spider, name, report.routes.get(name, "MISSING"),
                         str(report.first_pages.get(name, "-")),
                         f"{sum(s.ok for s in samples)}/{len(samples)}", " | ".join(readers),
                         ", ".join(missing) or "-", *report.read_by(name)))
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(cell + " " * (w - _width(cell)) for cell, w in zip(row, widths)).rstrip()
                     for row in rows)


def _width(text: str) -> int:
    """Columns the text takes in a terminal: CJK characters take two."""
    return sum(2 if ord(c) > 0x2e80 else 1 for c in text)


def write(reports: list[SpiderReport], path: Path, origin: str) -> None:
    data = {"origin": origin, "ok": all(r.ok for r in reports),
            "spiders": [{**asdict(r), "ok": r.ok} for r in reports]}
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
