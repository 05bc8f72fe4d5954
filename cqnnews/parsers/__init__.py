"""From article pages to an :class:`~cqnnews.items.Article`: pick the layout, read, assemble.

Parsers are tried in order; the first whose ``matches`` accepts the page reads it (the
generic one accepts any page).  An article split over pages is read page by page and
assembled once, so bylines and editor lines on its last page are found.  The
enpproperty block of the first page, where present, overrides date, title, subtitle and
keywords.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone

from lxml import etree

from cqnnews import dates
from cqnnews.decoding import Decoded, as_utf8, decode_page
from cqnnews.items import Article
from cqnnews.parsers import enpproperty, truncate
from cqnnews.parsers.base import ArticleParseError, LayoutParser, Page, PageReading, Truncated, class_names, container
from cqnnews.parsers.current import CurrentLayout, split_keywords
from cqnnews.parsers.generic import GenericLayout
from cqnnews.parsers.habits import interpret
from cqnnews.parsers.old import OldLayout
from cqnnews.urls import SiteUrls, article_id

_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")  # lxml refuses it in a str; XHTML pages start with it
PARSERS: list[LayoutParser] = [CurrentLayout(), OldLayout(), GenericLayout()]
# Pages are parsed as UTF-8 bytes whatever they were served in (they are decoded first): a third
# faster than from str, and a <meta charset> in the page cannot change the encoding.  Plain lxml
# elements (not lxml.html's) and no id index: nothing here needs them.  Not shared across threads.
_PARSER = etree.HTMLParser(encoding="utf-8", collect_ids=False)

__all__ = ["ArticleParseError", "PARSERS", "PageReading", "assemble", "extract", "extract_bytes", "extract_pages", "read_page"]


def utc_now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def read_page(page: str, url: str, urls: SiteUrls, *, utf8: bytes | None = None) -> tuple[PageReading, dict[str, str]]:
    """One page read by the first parser that recognises it, with its enpproperty fields.

    ``utf8``: the page's text in UTF-8 where the caller has it (see :func:`~cqnnews.decoding.as_utf8`).
    """
    if utf8 is not None and b"<?xml" not in utf8:  # then the declaration pattern has nothing to take out
        html = utf8
    else:
        html = _XML_DECLARATION.sub("", page, count=1).encode("utf-8", "replace")
    reading = _read_region(html, url, urls)
    if reading is None:
        reading = _read_whole(html, url, urls)
    return reading, enpproperty.properties(page)


def _region(parser: LayoutParser) -> truncate.Region | None:
    landmarks = parser.landmarks()
    body = container(landmarks[-1]) if landmarks else None
    return truncate.Region(class_names(landmarks), body, _PARSER) if body else None


_REGIONS = [(parser, _region(parser)) for parser in PARSERS]


def _read_region(html: bytes, url: str, urls: SiteUrls) -> PageReading | None:
    """The page read from only the region its parser reads; None where the region cannot tell
    what the whole page would (then the whole page is parsed).

    The parser is the first whose body container the page may hold: a parser tried before it
    could match only a page whose bytes hold its container's class name, or a character
    reference that lxml would turn into it.
    """
    for parser, region in _REGIONS:
        if region is None:
            return None
        if not region.may_hold_body(html):
            continue
        parsed = region.parse(html)
        if parsed is None:
            return None
        page = Page(parsed[0], html, open=parsed[1], classes=region.classes)
        try:
            return parser.read(page, url, urls.canonical) if parser.matches(page) else None
        except Truncated:
            return None
    return None


def _read_whole(html: bytes, url: str, urls: SiteUrls) -> PageReading:
    try:
        root = etree.fromstring(html, _PARSER)
    except (etree.LxmlError, ValueError) as exc:
        raise ArticleParseError(f"not an HTML page ({exc})") from None
    if root is None:
        raise ArticleParseError("not an HTML page (Document is empty)")
    parsed = Page(root, html)
    parser = next(p for p in PARSERS if p.matches(parsed))
    return parser.read(parsed, url, urls.canonical)


def _channel(canonical_url: str) -> str:
    parts = canonical_url.split("/")
    if len(parts) > 4 and parts[3] == "news":  # old layout: /news/<channel>/<sub>/<id>.html
        return parts[4]
    return parts[3] if len(parts) > 3 else ""


def assemble(readings: list[PageReading], props: dict[str, str], url: str, urls: SiteUrls, *,
             sections: list[str] | None = None, fetched_at: str | None = None, now: datetime | None = None,
             decoded: list[Decoded] | None = None) -> Article:
    """The article made of its pages, first page first."""
    first = readings[0]
    canonical_url = urls.canonical(url)
    aid = article_id(canonical_url) or (int(props["articleid"]) if props.get("articleid", "").isdigit() else None)
    if aid is None:
        raise ArticleParseError("no article id in the URL or the page")
    title = props.get("title") or first.title
    if first.body is not None:
        body = first.body
    else:
        body = interpret([u for r in readings for u in r.units], title, url, urls.canonical)
    if not body.text and not body.images:
        raise ArticleParseError("empty body")

    flags: list[str] = []
    published = first.published_at
    if "date" in props:
        published = dates.parse_datetime(props["date"], now) or published
    if published is None:
        flags.append("no_date")
    if decoded and any(d.garbled for d in decoded):
        flags.append("garbled")
    keywords = split_keywords(props["keyword"]) if "keyword" in props else first.keywords
    authors = body.authors or (props["author"].split() if "author" in props else [])

    return Article(
        url=canonical_url,
        article_id=aid,
        revision=1,
        channel=_channel(canonical_url),
        breadcrumb=first.breadcrumb,
        sections=list(sections or []),
        title=title,
        subtitle=props.get("subtitle") or body.subtitle,
        published_at=dates.isoformat(published) if published else None,
        source=first.source,
        authors=authors,
        editor=body.editor,
        keywords=keywords,
        body=body.text,
        images=body.images,
        attachments=body.attachments,
        layout=first.layout,
        pages=len(readings),
        fetched_at=fetched_at or utc_now(),
        flags=flags,
    )


def extract(page: str, url: str, urls: SiteUrls, *, sections: list[str] | None = None,
            fetched_at: str | None = None, now: datetime | None = None) -> Article:
    """The article on one decoded page fetched from ``url`` (other pages of it are not fetched).

    Raises :class:`ArticleParseError` for a page no parser can read into an article.
    """
    reading, props = read_page(page, url, urls)
    return assemble([reading], props, url, urls, sections=sections, fetched_at=fetched_at, now=now)


def extract_pages(pages: list[tuple[bytes, str | None, str]], urls: SiteUrls, **kwargs: object) -> Article:
    """The article on its pages, each as (raw bytes, Content-Type header, URL), first page first."""
    decoded = [decode_page(body, content_type) for body, content_type, _ in pages]
    readings = [read_page(d.text, url, urls, utf8=as_utf8(d, body)) for d, (body, _, url) in zip(decoded, pages)]
    return assemble([r for r, _ in readings], readings[0][1], pages[0][2], urls, decoded=decoded,
                    **kwargs)  # type: ignore[arg-type]


def extract_bytes(body: bytes, content_type: str | None, url: str, urls: SiteUrls, **kwargs: object) -> Article:
    """The article on one page as raw bytes and its Content-Type header."""
    return extract_pages([(body, content_type, url)], urls, **kwargs)
