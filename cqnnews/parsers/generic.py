"""Pages in no layout the site is known for: trafilatura reads the text.

Marked ``layout: generic``: no byline, caption or attachment habits are read, and the
source is the site's own.  Title and date are read first, on the untouched tree:
trafilatura's title rules, else the page's ``<h1>``; the date from ``<time datetime>``
or article metadata, else htmldate's search (trafilatura's own, keeping only the day).
The text comes from trafilatura without its metadata pass and its fallback extractors,
which cost three quarters of its time and add nothing the steps above do not.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import lxml.html

from cqnnews.dates import parse_datetime
from cqnnews.parsers.base import ArticleParseError, LayoutParser, Page, PageReading, text_of, xpath
from cqnnews.parsers.current import OWN_SOURCE, meta_keywords
from cqnnews.parsers.habits import Body
from cqnnews.text import clean

DATE_XPATHS = (
    "//time/@datetime",
    "//meta[@property='article:published_time']/@content",
    "//meta[@name='pubdate' or @name='PubDate' or @name='publishdate']/@content",
    "//time",
)
_HTML_PARSER = lxml.html.HTMLParser(encoding="utf-8", collect_ids=False, huge_tree=True)


class GenericLayout(LayoutParser):
    name = "generic"

    def matches(self, page: Page) -> bool:
        return True

    def published_at(self, root: lxml.html.HtmlElement) -> datetime | None:
        for expression in DATE_XPATHS:
            for value in xpath(expression)(root):
                if (found := parse_datetime(value if isinstance(value, str) else text_of(value))) is not None:
                    return found
        from htmldate import find_date  # trafilatura's date search; slow, for pages without date markup

        found_day = find_date(root, extensive_search=True, original_date=True, outputformat="%Y-%m-%d")
        return parse_datetime(found_day) if found_day else None

    def title(self, root: lxml.html.HtmlElement) -> str:
        from trafilatura.metadata import extract_title

        h1 = root.xpath("//h1")
        return clean(extract_title(root) or (text_of(h1[0]) if h1 else ""))

    def read(self, page: Page, url: str, canonical: Callable[[str], str]) -> PageReading:
        import trafilatura  # slow to import; only rare pages need it

        # trafilatura wants lxml.html's elements and changes the tree it reads: a tree of its own
        root = lxml.html.document_fromstring(page.html, parser=_HTML_PARSER)
        title = self.title(root)
        if not title:
            raise ArticleParseError("no title")
        published = self.published_at(root)
        keywords = meta_keywords(root)
        doc = trafilatura.bare_extraction(root, url=url, with_metadata=False, include_comments=False,
                                          include_tables=True, favor_precision=True, fast=True)
        if doc is None:
            raise ArticleParseError("no article text found in an unknown layout")
        data = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
        text = "\n".join(line for line in (clean(x) for x in (data.get("text") or "").splitlines()) if line)
        if not text:
            raise ArticleParseError("no article text found in an unknown layout")
        return PageReading(layout=self.name, breadcrumb=[], title=title, published_at=published, source=OWN_SOURCE,
                           keywords=keywords, body=Body(text=text))
