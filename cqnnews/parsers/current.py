"""The current layout (records from 2016 to 2026): div.box, div.Detail_Title, div.publish."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from urllib.parse import urljoin

from parsel import Selector

from cqnnews.dates import parse_datetime
from cqnnews.parsers.base import ArticleParseError, LayoutParser, PageReading
from cqnnews.parsers.units import Unit, flatten
from cqnnews.text import clean
from cqnnews.urls import article_id

OWN_SOURCE = "中国质量新闻网"
_SOURCE_PREFIX = re.compile(r"^\s*(?:来源|来自|稿源)\s*[:：]\s*")
_KEYWORD_SPLIT = re.compile(r"[,，;；、\s]+")
_TIME = re.compile(r"^\s*\d{4}\s*[-/年]\s*\d{1,2}\s*[-/月]\s*\d{1,2}\s*日?(?:\s*\d{1,2}[:：]\d{1,2}(?:[:：]\d{1,2})?)?")
_PAGER_TEXT = re.compile(r"^(?:\s*(?:\d+|上一页|下一页|首页|尾页|共\d+页)\s*)+$")
_PAGE_NUMBER = re.compile(r"content_\d+(?:_(\d+))?\.html?$")


def split_keywords(text: str) -> list[str]:
    return list(dict.fromkeys(k for k in _KEYWORD_SPLIT.split(text) if k))


def take_pager(units: list[Unit], url: str) -> tuple[list[Unit], list[str]]:
    """Drop the "1 2 下一页" line of an article split over pages; the other pages' URLs, in order."""
    aid = article_id(url)
    kept, pages = [], {}
    for unit in units:
        hrefs = [urljoin(url, h) for h, _ in unit.links]
        if (unit.kind == "text" and hrefs and _PAGER_TEXT.match(unit.text)
                and all(article_id(h) == aid for h in hrefs)):
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
    keywords_xpath = "//meta[translate(@name,'KEYWORDS','keywords')='keywords']/@content"

    def matches(self, sel: Selector) -> bool:
        return bool(sel.css(self.body_css)) and bool(sel.css(self.publish_css) or sel.css(self.title_css[0]))

    def breadcrumb(self, sel: Selector) -> list[str]:
        box = sel.css(self.breadcrumb_css)[:1]
        return [c for c in (clean(t) for t in box.css("a").xpath("string()").getall()) if c]

    def title(self, sel: Selector) -> str:
        for css in self.title_css:
            text = clean(sel.css(css).xpath("string()").get(""))
            if text:
                return text
        return ""

    def publish_text(self, sel: Selector) -> str:
        return clean(sel.css(self.publish_css).xpath("string()").get(""))

    def published_at(self, sel: Selector) -> datetime | None:
        return parse_datetime(self.publish_text(sel))

    def source(self, sel: Selector) -> str:
        publish = sel.css(self.publish_css)[:1]
        spans = publish.css(self.source_css)
        text = clean(spans.xpath("string()").get("")) if spans else _TIME.sub("", self.publish_text(sel))
        return _SOURCE_PREFIX.sub("", text).strip() or OWN_SOURCE

    def keywords(self, sel: Selector) -> list[str]:
        return split_keywords(sel.xpath(self.keywords_xpath).get(""))

    def read(self, sel: Selector, url: str, canonical: Callable[[str], str]) -> PageReading:
        title = self.title(sel)
        if not title:
            raise ArticleParseError("no title")
        units, more = take_pager(flatten(sel.css(self.body_css)[0].root), url)
        return PageReading(layout=self.name, breadcrumb=self.breadcrumb(sel), title=title,
                           published_at=self.published_at(sel), source=self.source(sel),
                           keywords=self.keywords(sel), units=units, more_pages=more)
