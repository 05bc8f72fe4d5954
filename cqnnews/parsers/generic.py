"""Pages in no layout the site is known for: trafilatura reads title and text.

Marked ``layout: generic``: no byline, caption or attachment habits are read, and the
source is the site's own.  The date comes from the page's ``<time datetime>`` or
article metadata when it has them (trafilatura keeps only the day).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import datetime

from lxml.html import HtmlElement

from cqnnews.dates import parse_datetime
from cqnnews.parsers.base import ArticleParseError, LayoutParser, PageReading, text_of, xpath
from cqnnews.parsers.current import OWN_SOURCE, split_keywords
from cqnnews.parsers.habits import Body
from cqnnews.text import clean

DATE_XPATHS = (
    "//time/@datetime",
    "//meta[@property='article:published_time']/@content",
    "//meta[@name='pubdate' or @name='PubDate' or @name='publishdate']/@content",
    "//time",
)


class GenericLayout(LayoutParser):
    name = "generic"
    keywords_xpath = "//meta[translate(@name,'KEYWORDS','keywords')='keywords']/@content"

    def matches(self, root: HtmlElement) -> bool:
        return True

    def published_at(self, root: HtmlElement, fallback: str | None) -> datetime | None:
        for expression in DATE_XPATHS:
            for value in xpath(expression)(root):
                if (found := parse_datetime(value if isinstance(value, str) else text_of(value))) is not None:
                    return found
        return parse_datetime(fallback) if fallback else None

    def read(self, root: HtmlElement, url: str, canonical: Callable[[str], str]) -> PageReading:
        import trafilatura  # slow to import; only rare pages need it

        doc = trafilatura.bare_extraction(copy.deepcopy(root), url=url, with_metadata=True, include_comments=False,
                                          include_tables=True, favor_precision=True)
        if doc is None:
            raise ArticleParseError("no article text found in an unknown layout")
        data = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
        h1 = root.xpath("//h1")
        title = clean(data.get("title") or (text_of(h1[0]) if h1 else ""))
        text = "\n".join(line for line in (clean(x) for x in (data.get("text") or "").splitlines()) if line)
        if not title:
            raise ArticleParseError("no title")
        return PageReading(layout=self.name, breadcrumb=[], title=title,
                           published_at=self.published_at(root, data.get("date")), source=OWN_SOURCE,
                           keywords=split_keywords("".join(map(str, xpath(self.keywords_xpath)(root)[:1]))),
                           body=Body(text=text))
