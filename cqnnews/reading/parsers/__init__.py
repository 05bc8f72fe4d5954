"""From article pages to an :class:`~cqnnews.items.Article`: pick the layout, read, assemble.

Layouts are tried in order; the first whose ``matches`` accepts the page reads it, each
field by its chain of readings (:mod:`cqnnews.reading.parsers.readings`: the current layout's ends
in readings that hold on any page, and the generic reader for the body).  An article split
over pages is read page by page and assembled once, so bylines and editor lines on its
last page are found; the site's habits are read from the body whatever reading found it.
The enpproperty block of the first page, where present, overrides title, subtitle and
keywords (its date is one reading of the publication time).
"""

from __future__ import annotations

import re
from datetime import datetime

from lxml import etree

from cqnnews.clock import utc_now
from cqnnews.items import Article
from cqnnews.reading import dates
from cqnnews.reading.decoding import decode_page
from cqnnews.reading.parsers import enpproperty
from cqnnews.reading.parsers.base import ArticleParseError, Page, PageContent
from cqnnews.reading.parsers.current import CURRENT
from cqnnews.reading.parsers.fields import author_problem, subtitle_problem
from cqnnews.reading.parsers.habits import interpret
from cqnnews.reading.parsers.layout import Layout
from cqnnews.reading.parsers.old import OLD
from cqnnews.reading.parsers.readings import split_keywords
from cqnnews.urls import SiteUrls, article_id

_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")  # lxml refuses it in a str; XHTML pages start with it
LAYOUTS: tuple[Layout, ...] = (OLD, CURRENT)  # the first that matches reads the page; CURRENT matches any
# Pages are decoded first, then parsed as UTF-8 bytes: a <meta charset> in the page cannot change
# the encoding lxml reads them in.  Not shared across threads.
# huge_tree: libxml2 otherwise stops at about 255 levels of nesting (Word pastes of unclosed
# <span>/<font> go deeper) and silently drops the rest of the body.
_PARSER = etree.HTMLParser(encoding="utf-8", collect_ids=False, huge_tree=True)

__all__ = ["ArticleParseError", "LAYOUTS", "PageContent", "assemble", "extract", "extract_bytes", "extract_pages",
           "read"]


def read(body: bytes, content_type: str | None, url: str, urls: SiteUrls, now: datetime | None = None) -> PageContent:
    """One page, as fetched (raw bytes and its Content-Type header), read by the first parser that
    recognises it (no publication time after ``now``, the run's clock); raises :class:`ArticleParseError`
    for a page that is not an article."""
    decoded = decode_page(body, content_type)
    text = decoded.text
    if "\x00" in text:  # the parser would make each a replacement character; they are never text
        text = text.replace("\x00", "")
    reading = read_text(text, url, urls, now)
    reading.control_characters = text is not decoded.text
    reading.encoding_repaired = decoded.repaired
    reading.charset_misdeclared = decoded.misdeclared
    reading.garbled = decoded.garbled
    return reading


def read_text(page: str, url: str, urls: SiteUrls, now: datetime | None = None) -> PageContent:
    """One page already decoded to text."""
    html = _XML_DECLARATION.sub("", page, count=1).encode("utf-8", "replace")
    try:
        root = etree.fromstring(html, _PARSER)
    except (etree.LxmlError, ValueError) as exc:
        raise ArticleParseError(f"not an HTML page ({exc})") from None
    if root is None:
        raise ArticleParseError("not an HTML page (Document is empty)")
    parsed = Page(root, html)
    layout = next(lay for lay in LAYOUTS if lay.matches(parsed))
    return layout.read(parsed, url, enpproperty.properties(page), now)


def _channel(canonical_url: str) -> str:
    parts = canonical_url.split("/")
    if len(parts) > 4 and parts[3] == "news":  # old layout: /news/<channel>/<sub>/<id>.html
        return parts[4]
    return parts[3] if len(parts) > 3 else ""


def assemble(readings: list[PageContent], url: str, urls: SiteUrls, *, sections: list[str] | None = None,
             fetched_at: str | None = None, now: datetime | None = None) -> Article:
    """The article made of its pages (first page first), fetched from ``url``.

    The enpproperty block of the first page, where present, overrides date, title, subtitle
    and keywords.  The values the body's habits found and their fields refused are added to the
    first page's ``rejected``, beside those of its chains.
    """
    first = readings[0]
    props = first.properties
    canonical_url = urls.canonical(url)
    aid = article_id(canonical_url) or (int(props["articleid"]) if props.get("articleid", "").isdigit() else None)
    if aid is None:
        raise ArticleParseError("no article id in the URL or the page")
    title = props.get("title") or first.title
    from_body = not props.get("title") and first.fallbacks.get("title") == "first_line"
    # a title taken from the body's first line stays in the body: it is not a repeated headline
    body = interpret([u for r in readings for u in r.units], "" if from_body else title, url, urls.canonical)
    first.rejected.extend((name, reading) for name, reading, _ in body.rejected)
    if not body.text and not body.images:
        raise ArticleParseError("empty body")

    flags: list[str] = []
    published = first.published_at
    if published is not None and now is not None:
        published = dates.plausible(published, now)
    if published is None:
        flags.append("no_date")
    elif first.date_from_url:
        flags.append("date_from_url")
    if from_body:
        flags.append("title_from_body")
    if any(r.garbled for r in readings):
        flags.append("garbled")
    if any(r.charset_misdeclared for r in readings):
        flags.append("charset_misdeclared")
    if any(r.control_characters for r in readings):
        flags.append("control_characters")
    keywords = split_keywords(props["keyword"]) if "keyword" in props else first.keywords
    authors = body.authors or first.authors or _checked_authors(props.get("author", ""), title, first)
    subtitle = props.get("subtitle")
    if subtitle is not None and subtitle_problem(subtitle, title) is not None:
        first.rejected.append(("subtitle", "enpproperty"))
        subtitle = None

    return Article(
        url=canonical_url,
        article_id=aid,
        revision=1,
        channel=_channel(canonical_url),
        breadcrumb=first.breadcrumb,
        sections=list(sections or []),
        title=title,
        subtitle=subtitle or body.subtitle,
        published_at=dates.isoformat(published) if published else None,
        source=first.source,
        authors=authors,
        editor=body.editor,
        keywords=keywords,
        body=body.text,
        images=body.images,
        attachments=body.attachments,
        tables=body.tables,
        layout=first.layout,
        pages=len(readings),
        fetched_at=fetched_at or utc_now(),
        flags=flags,
    )


def _checked_authors(names: str, title: str, first: PageContent) -> list[str]:
    """The enpproperty block's authors, if each is a name."""
    found = names.split()
    if any(author_problem(n, title) is not None for n in found):
        first.rejected.append(("authors", "enpproperty"))
        return []
    return found


def extract(page: str, url: str, urls: SiteUrls, *, sections: list[str] | None = None,
             fetched_at: str | None = None, now: datetime | None = None) -> Article:
    """The article on one decoded page fetched from ``url`` (other pages of it are not fetched).

    Raises :class:`ArticleParseError` for a page no parser can read into an article.
    """
    return assemble([read_text(page, url, urls, now)], url, urls, sections=sections, fetched_at=fetched_at, now=now)


def extract_pages(pages: list[tuple[bytes, str | None, str]], urls: SiteUrls, *, now: datetime | None = None,
                  **kwargs: object) -> Article:
    """The article on its pages, each as (raw bytes, Content-Type header, URL), first page first."""
    readings = [read(body, content_type, url, urls, now) for body, content_type, url in pages]
    return assemble(readings, pages[0][2], urls, now=now, **kwargs)  # type: ignore[arg-type]


def extract_bytes(body: bytes, content_type: str | None, url: str, urls: SiteUrls, **kwargs: object) -> Article:
    """The article on one page as raw bytes and its Content-Type header."""
    return extract_pages([(body, content_type, url)], urls, **kwargs)
