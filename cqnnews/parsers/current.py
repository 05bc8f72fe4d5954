"""The current layout (records from 2016 to 2026): div.box, div.Detail_Title, div.publish."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

from parsel import Selector

from cqnnews.dates import parse_datetime
from cqnnews.parsers.base import ArticleParseError, LayoutParser, ParsedPage
from cqnnews.parsers.habits import interpret
from cqnnews.parsers.units import flatten
from cqnnews.text import clean

OWN_SOURCE = "中国质量新闻网"
_SOURCE_PREFIX = re.compile(r"^\s*(?:来源|来自|稿源)\s*[:：]\s*")
_KEYWORD_SPLIT = re.compile(r"[,，;；、\s]+")
_TIME = re.compile(r"^\s*\d{4}\s*[-/年]\s*\d{1,2}\s*[-/月]\s*\d{1,2}\s*日?(?:\s*\d{1,2}[:：]\d{1,2}(?:[:：]\d{1,2})?)?")


def split_keywords(text: str) -> list[str]:
    return list(dict.fromkeys(k for k in _KEYWORD_SPLIT.split(text) if k))


class CurrentLayout(LayoutParser):
    name = "current"
    breadcrumb_css = "div.box"
    title_css = ("div.Detail_Title h1", "div.title h1", "div.title")
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

    def published_at(self, sel: Selector) -> datetime | None:
        return parse_datetime(clean(sel.css(self.publish_css).xpath("string()").get("")))

    def source(self, sel: Selector) -> str:
        publish = sel.css(self.publish_css)[:1]
        spans = publish.css(self.source_css)
        text = clean(spans.xpath("string()").get("")) if spans else _TIME.sub("", clean(publish.xpath("string()").get("")))
        return _SOURCE_PREFIX.sub("", text).strip() or OWN_SOURCE

    def keywords(self, sel: Selector) -> list[str]:
        return split_keywords(sel.xpath(self.keywords_xpath).get(""))

    def parse(self, sel: Selector, url: str, canonical: Callable[[str], str]) -> ParsedPage:
        title = self.title(sel)
        if not title:
            raise ArticleParseError("no title")
        container = sel.css(self.body_css)[0].root
        body = interpret(flatten(container), title, url, canonical)
        return ParsedPage(layout=self.name, breadcrumb=self.breadcrumb(sel), title=title,
                          published_at=self.published_at(sel), source=self.source(sel),
                          keywords=self.keywords(sel), body=body)
