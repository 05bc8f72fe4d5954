"""An article page, read: the page object a section spider's ``parse_article`` asks.

An article split over pages is read page by page, each page's reading carried to the next
request, and assembled once the last is read.  The page object reads one response and says
what it came to (:class:`ArticleRead`): the article, the next page to fetch, or why it could
not be read; with what to count.  It neither counts, logs nor requests: the spider does.
What happens to the article then (cleaning, deduplication against earlier runs, validation)
is the item pipelines' job.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from scrapy.http import Response, TextResponse

from cqnnews.items import Article
from cqnnews.reading.parsers import ArticleParseError, PageContent, assemble, read
from cqnnews.urls import SiteUrls


@dataclass(frozen=True)
class ArticleRead:
    """What one page of an article came to: an article, a next page, or a failure (``failed``)."""

    article: Article | None = None  # assembled: the last page is read
    failed: str | None = None  # why the article cannot be read
    next_url: str | None = None  # the next page to fetch, carrying ``pages`` and ``rest``
    pages: tuple[PageContent, ...] = ()  # the pages read so far, first first
    rest: tuple[str, ...] = ()  # the pages after ``next_url``
    too_many: bool = False  # the article names more pages than one run reads (CQN_MAX_ARTICLE_PAGES)
    named: int = 0  # on the first page of such an article: how many pages it names
    counts: tuple[str, ...] = ()  # what to count (``cqnnews/<key>``), failed or not


class ArticlePage:
    """Reads the pages of articles of one run (its site URLs and clock; ``most`` pages an article at most)."""

    def __init__(self, urls: SiteUrls, now: datetime, most: int) -> None:
        self.urls, self.now, self.most = urls, now, most

    def read(self, response: Response, sections: list[str], pages: list[PageContent] | None = None,
             rest: list[str] | None = None) -> ArticleRead:
        """Page ``len(pages) + 1`` of the article; ``rest``: the pages still to come (None on its first page)."""
        if not isinstance(response, TextResponse):
            return ArticleRead(failed="not a text page")
        try:
            reading = read(response.body, response.headers.get("Content-Type", b"").decode("latin-1"), response.url,
                           self.urls, self.now)
        except ArticleParseError as exc:
            return ArticleRead(failed=str(exc))
        counts = [key for key, found in (("extract/encoding_repaired", reading.encoding_repaired),
                                         ("extract/charset_misdeclared", reading.charset_misdeclared)) if found]
        read_so_far = (*(pages or ()), reading)
        too_many, named = bool(response.meta.get("too_many_pages")), 0
        if rest is None:  # the first page: it names the others
            rest = [u for u in (self.urls.fetchable(p) for p in reading.more_pages) if u]
            if len(rest) >= self.most:
                counts.append("article/too_many_pages")
                too_many, named, rest = True, len(rest) + 1, rest[:self.most - 1]
        if rest:
            return ArticleRead(next_url=rest[0], pages=read_so_far, rest=tuple(rest[1:]), too_many=too_many,
                               named=named, counts=tuple(counts))
        try:
            article = assemble(list(read_so_far), response.meta.get("first_url") or response.url, self.urls,
                               sections=sections, now=self.now)
        except ArticleParseError as exc:
            return ArticleRead(failed=str(exc), counts=tuple(counts))
        if too_many:
            article.flags.append("too_many_pages")
        first = read_so_far[0]
        counts += [f"extract/fallback/{name}/{how}" for name, how in first.fallbacks.items()]
        counts += [f"extract/rejected/{name}/{how}" for name, how in first.rejected]
        return ArticleRead(article=article, pages=read_so_far, too_many=too_many, named=named, counts=tuple(counts))
