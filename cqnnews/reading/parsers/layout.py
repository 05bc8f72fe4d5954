"""A layout: one chain of readings per field (:mod:`cqnnews.reading.parsers.readings`), and what it takes to read a page.

Title and body are required: a page with neither is not an article.  Every other field
has a last reading that always gives a value (the site as source, no breadcrumb) or none
at all (no publication date: the article is flagged, never dropped).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urljoin

from cqnnews.reading.parsers import fields
from cqnnews.reading.parsers.base import ArticleParseError, Page, PageContent
from cqnnews.reading.parsers.chain import Context, Found, Reading, first
from cqnnews.reading.parsers.meta_line import meta_line
from cqnnews.reading.parsers.readings import HEADLINE_MAX, OWN_SOURCE, URL_DATE, meta_keywords
from cqnnews.reading.parsers.units import Unit
from cqnnews.urls import article_id

_PAGER_TEXT = re.compile(r"^(?:\s*(?:\d+|上一页|下一页|首页|尾页|共\d+页)\s*)+$")
_PAGE_NUMBER = re.compile(r"content_\d+(?:_(\d+))?\.html?$")


def take_pager(units: list[Unit], url: str) -> tuple[list[Unit], list[str]]:
    """Drop the "1 2 下一页" line of an article split over pages; the other pages' URLs, in order."""
    aid = article_id(url)
    kept, pages = [], {}
    for unit in units:
        hrefs = [urljoin(url, h) for h, _ in unit.links] if unit.links and _PAGER_TEXT.match(unit.text) else []
        if unit.kind == "text" and hrefs and all(article_id(h) == aid for h in hrefs):
            for h in hrefs:
                m = _PAGE_NUMBER.search(h.split("?")[0])
                pages[int(m[1] or 1) if m else 1] = h
            continue
        kept.append(unit)
    this = _PAGE_NUMBER.search(url.split("?")[0])
    this_page = int(this[1] or 1) if this else 1
    return kept, [pages[n] for n in sorted(pages) if n != this_page]


@dataclass(frozen=True)
class BodyReading:
    """One way of finding the body: its units, and the layout it stands for (current, old, generic)."""

    name: str
    layout: str
    read: Callable[[Context], list[Unit] | None]


@dataclass(frozen=True)
class Layout:
    name: str
    matches: Callable[[Page], bool]
    title: tuple[Reading[str], ...]
    published_at: tuple[Reading[datetime], ...]
    source: tuple[Reading[str], ...]
    breadcrumb: tuple[Reading[list[str]], ...]
    body: tuple[BodyReading, ...]

    def read(self, page: Page, url: str, properties: dict[str, str], now: datetime | None = None) -> PageContent:
        ctx = Context(page, url, properties=properties, now=now)
        fallbacks: dict[str, str] = {}
        title = first(self.title, ctx, "title")
        for i, reading in enumerate(self.body):
            units = reading.read(ctx)
            if units:
                if i:
                    fallbacks["body"] = reading.name
                layout = reading.layout
                break
        else:
            raise ArticleParseError("no article text")
        if title is None:  # a body without a headline anywhere: its first short line, if it has one
            line = next((u.text for u in units if u.kind == "text"), "")
            if not line or len(line) > HEADLINE_MAX:
                raise ArticleParseError("no title")
            if (why := fields.problem("title", line, ctx)) is not None:
                ctx.rejected.append(("title", "first_line", why))
                raise ArticleParseError(f"no title (its first line is {why})")
            title = Found(line, "first_line", True)
        ctx.title = title.value
        published = first(self.published_at, ctx, "published_at")
        source = first(self.source, ctx, "source")
        breadcrumb = first(self.breadcrumb, ctx, "breadcrumb")
        authors = []
        for name in meta_line(ctx).authors:
            if (why := fields.author_problem(name, title.value)) is None:
                authors.append(name)
            else:
                ctx.rejected.append(("authors", "meta_line", why))
        for name, found in (("title", title), ("published_at", published), ("source", source),
                            ("breadcrumb", breadcrumb)):
            if found is not None and found.fallback:
                fallbacks[name] = found.reading
        units, more = take_pager(units, url)
        return PageContent(layout=layout, breadcrumb=breadcrumb.value if breadcrumb else [], title=title.value,
                           published_at=published.value if published else None,
                           source=source.value if source else OWN_SOURCE, keywords=meta_keywords(page.root),
                           units=units, more_pages=more, properties=properties, fallbacks=fallbacks,
                           date_from_url=published is not None and published.reading == URL_DATE.name,
                           authors=authors, rejected=[(f, r) for f, r, _ in ctx.rejected])
