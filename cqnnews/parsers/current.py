"""The current layout (records from 2016 to 2026): div.box, div.Detail_Title, div.publish."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from urllib.parse import urljoin

from cqnnews.dates import parse_datetime
from cqnnews.parsers.base import ArticleParseError, LayoutParser, Page, PageReading, text_of, xpath
from cqnnews.parsers.units import Element, Unit, flatten
from cqnnews.text import clean
from cqnnews.urls import article_id

OWN_SOURCE = "中国质量新闻网"
_KEYWORDS_ANYWHERE = "//meta[translate(@name,'KEYWORDS','keywords')='keywords']/@content"
_SOURCE_PREFIX = re.compile(r"^\s*(?:来源|来自|稿源)\s*[:：]\s*")
_KEYWORD_SPLIT = re.compile(r"[,，;；、\s]+")
_TIME = re.compile(r"^\s*\d{4}\s*[-/年]\s*\d{1,2}\s*[-/月]\s*\d{1,2}\s*日?(?:\s*\d{1,2}[:：]\d{1,2}(?:[:：]\d{1,2})?)?")
_PAGER_TEXT = re.compile(r"^(?:\s*(?:\d+|上一页|下一页|首页|尾页|共\d+页)\s*)+$")
_PAGE_NUMBER = re.compile(r"content_\d+(?:_(\d+))?\.html?$")


def split_keywords(text: str) -> list[str]:
    return list(dict.fromkeys(k for k in _KEYWORD_SPLIT.split(text) if k))


def meta_keywords(root: Element) -> list[str]:
    """The page's ``<meta name="keywords">``, in order, no repeats."""
    found = _head_keywords(root)
    if found is None:
        anywhere = xpath(_KEYWORDS_ANYWHERE)(root)
        found = str(anywhere[0]) if anywhere else None
    return split_keywords(found) if found is not None else []


def _head_keywords(root: Element) -> str | None:
    """What ``/html/head/meta[translate(@name,'KEYWORDS','keywords')='keywords']/@content`` finds first,
    without XPath: <head> has a handful of children, and evaluating the expression costs more."""
    if root.tag != "html":
        return None
    for head in root.iterchildren("head"):
        for meta in head.iterchildren("meta"):
            name = meta.get("name")
            if name and name.isascii() and name.lower() == "keywords" and (content := meta.get("content")) is not None:
                return content
    return None


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


class CurrentLayout(LayoutParser):
    name = "current"
    breadcrumb_css = "div.box"
    title_css: tuple[str, ...] = ("div.Detail_Title h1", "div.title h1", "div.title")
    publish_css = "div.publish"
    source_css = "span.from"
    body_css = "div.Detail_Content div.content"

    def matches(self, page: Page) -> bool:
        return page.first(self.body_css) is not None and (page.first(self.publish_css) is not None or
                                                          page.first(self.title_css[0]) is not None)

    def _first_text(self, page: Page, selector: str) -> str:
        text = page.first_text(selector)
        return clean(text) if text else ""

    def breadcrumb(self, page: Page) -> list[str]:
        box = page.first(self.breadcrumb_css)
        if box is None:
            return []
        return [c for c in (clean(text_of(a)) for a in box.iter("a")) if c]

    def title(self, page: Page) -> str:
        for selector in self.title_css:
            if text := self._first_text(page, selector):
                return text
        return ""

    def published_at(self, page: Page) -> datetime | None:
        return parse_datetime(self._first_text(page, self.publish_css))

    def source(self, page: Page) -> str:
        publish = page.first(self.publish_css)
        if publish is None:
            return OWN_SOURCE
        span = page.first_text(self.source_css, within=publish)
        text = clean(span) if span is not None else _TIME.sub("", clean(text_of(publish)))
        return _SOURCE_PREFIX.sub("", text).strip() or OWN_SOURCE

    def keywords(self, page: Page) -> list[str]:
        return meta_keywords(page.root)

    def read(self, page: Page, url: str, canonical: Callable[[str], str]) -> PageReading:
        title = self.title(page)
        if not title:
            raise ArticleParseError("no title")
        body = page.first(self.body_css)
        assert body is not None  # matches() found it
        units, more = take_pager(flatten(body), url)
        return PageReading(layout=self.name, breadcrumb=self.breadcrumb(page), title=title,
                           published_at=self.published_at(page), source=self.source(page),
                           keywords=self.keywords(page), units=units, more_pages=more)
