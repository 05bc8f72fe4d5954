"""The article page object (cqnnews/crawl/pages/article_page.py) alone, on pages the replica makes: no crawler, no
spider."""

from __future__ import annotations

from scrapy import Request
from scrapy.http import HtmlResponse, Response

from cqnnews.crawl.pages.article_page import ArticlePage, ArticleRead
from cqnnews.urls import SiteUrls
from tests.conftest import NOW
from tests.replica import render
from tests.replica.site import ArticleRef, Site
from tests.replica.truth import body_text, expected_fields

ORIGIN = "http://127.0.0.1:8000"
URLS = SiteUrls(ORIGIN)


def response(site: Site, ref: ArticleRef, page: int = 1, **meta: object) -> HtmlResponse:
    made = render.article(site, ref, page)
    assert made is not None
    url = ORIGIN + ref.page_path(page)
    return HtmlResponse(url, body=made.body, headers={"Content-Type": made.content_type},
                        request=Request(url, meta={"article_id": ref.article_id, "first_url": ORIGIN + ref.path,
                                                   **meta}))


def read_all(page_object: ArticlePage, site: Site, ref: ArticleRef) -> tuple[list[ArticleRead], list[str]]:
    """Every page of the article in turn, as the spider carries them from request to request."""
    reads, asked = [page_object.read(response(site, ref), ["要闻一"])], []
    while reads[-1].next_url is not None:
        last = reads[-1]
        asked.append(last.next_url)
        n = len(last.pages) + 1
        meta = {"too_many_pages": True} if last.too_many else {}
        reads.append(page_object.read(response(site, ref, n, **meta), ["要闻一"], list(last.pages), list(last.rest)))
    return reads, asked


def test_a_one_page_article_comes_out_as_the_replica_wrote_it(site: Site) -> None:
    ref = next(r for r in site.articles() if site.variant(r).pages == 1 and site.variant(r).layout == "current")
    read = ArticlePage(URLS, NOW, most=50).read(response(site, ref), ["要闻一"])
    assert read.failed is None and read.next_url is None and read.article is not None
    truth = expected_fields(site, ref)
    assert (read.article.article_id, read.article.title, read.article.body) == (ref.article_id, truth["title"],
                                                                                 truth["body"])
    assert read.article.sections == ["要闻一"] and len(read.pages) == 1


def test_an_article_over_pages_asks_for_each_then_assembles_them_in_order(site: Site) -> None:
    ref = next(r for r in site.articles() if site.variant(r).pages >= 3)
    reads, asked = read_all(ArticlePage(URLS, NOW, most=50), site, ref)
    pages = site.variant(ref).pages
    assert asked == [ORIGIN + ref.page_path(n) for n in range(2, pages + 1)]
    article = reads[-1].article
    assert article is not None and article.body == body_text(site.story(ref))
    assert all(r.article is None and r.failed is None for r in reads[:-1])
    assert "too_many_pages" not in article.flags


def test_an_article_naming_more_pages_than_a_run_reads_is_cut_to_the_bound_and_flagged(site: Site) -> None:
    ref = next(r for r in site.articles() if site.variant(r).pages >= 3)
    reads, asked = read_all(ArticlePage(URLS, NOW, most=2), site, ref)
    assert asked == [ORIGIN + ref.page_path(2)]
    assert reads[0].named == site.variant(ref).pages and "article/too_many_pages" in reads[0].counts
    article = reads[-1].article
    assert article is not None and "too_many_pages" in article.flags
    assert body_text(site.story(ref)).startswith(article.body[:20]) and article.body != body_text(site.story(ref))


def test_a_page_that_is_not_an_article_says_why_and_nothing_else(site: Site) -> None:
    url = ORIGIN + "/qt/content/2020-01/01/content_8000000.htm"
    page_object = ArticlePage(URLS, NOW, most=50)
    empty = page_object.read(HtmlResponse(url, body=b"<html><body><div></div></body></html>", encoding="utf-8",
                                          request=Request(url)), [])
    assert empty.article is None and empty.next_url is None and empty.failed and "no article text" in empty.failed
    pdf = page_object.read(Response(url, body=b"%PDF-1.4", request=Request(url)), [])
    assert pdf == ArticleRead(failed="not a text page")
