"""From an article page to an :class:`~cqnnews.items.Article`: pick the layout, read, overlay.

Parsers are tried in order; the first whose ``matches`` accepts the page reads it.  The
enpproperty block, where present, then overrides date, title, subtitle and keywords.
"""

from __future__ import annotations

from datetime import datetime, timezone

from parsel import Selector

from cqnnews import dates
from cqnnews.items import Article
from cqnnews.parsers import enpproperty
from cqnnews.parsers.base import ArticleParseError, LayoutParser
from cqnnews.parsers.current import CurrentLayout, split_keywords
from cqnnews.urls import SiteUrls, article_id

PARSERS: list[LayoutParser] = [CurrentLayout()]

__all__ = ["ArticleParseError", "PARSERS", "extract"]


def utc_now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def extract(page: str, url: str, urls: SiteUrls, *, sections: list[str] | None = None,
            fetched_at: str | None = None, now: datetime | None = None) -> Article:
    """The article on ``page`` (decoded HTML) fetched from ``url``.

    Raises :class:`ArticleParseError` for a page no parser can read into an article.
    """
    canonical_url = urls.canonical(url)
    aid = article_id(canonical_url)
    if aid is None:
        raise ArticleParseError("URL holds no article id")
    sel = Selector(text=page)
    parser = next((p for p in PARSERS if p.matches(sel)), None)
    if parser is None:
        raise ArticleParseError("no parser recognises the page layout")
    parsed = parser.parse(sel, url, urls.canonical)
    props = enpproperty.properties(page)
    flags: list[str] = []

    published = parsed.published_at
    if "date" in props:
        published = dates.parse_datetime(props["date"], now) or published
    if published is None:
        flags.append("no_date")
    title = props.get("title") or parsed.title
    keywords = split_keywords(props["keyword"]) if "keyword" in props else parsed.keywords
    body = parsed.body
    if not body.text and not body.images:
        raise ArticleParseError("empty body")
    authors = body.authors or (props["author"].split() if "author" in props else [])

    path = canonical_url.split("/", 4)
    return Article(
        url=canonical_url,
        article_id=aid,
        revision=1,
        channel=path[3] if len(path) > 3 else "",
        breadcrumb=parsed.breadcrumb,
        sections=list(sections or []),
        title=title,
        subtitle=props.get("subtitle") or body.subtitle,
        published_at=dates.isoformat(published) if published else None,
        source=parsed.source,
        authors=authors,
        editor=body.editor,
        keywords=keywords,
        body=body.text,
        images=body.images,
        attachments=body.attachments,
        layout=parser.name,
        fetched_at=fetched_at or utc_now(),
        flags=flags,
    )
