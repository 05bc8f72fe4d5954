"""Page answers CSS selectors in document order, below an element or over the whole page."""

from __future__ import annotations

import pytest
from lxml import etree

from cqnnews.reading.parsers.base import Page, text_of

HTML = """<html><head><meta name="keywords" content="a"></head><body>
<div class="box top"><a href="/">新闻中心</a><div class="box"><a href="/qt/">综合</a></div></div>
<div class="Detail"><div class="Detail_Title"><h1>标题</h1><h1>二</h1></div>
<div class="publish other">2018-08-03 17:13:55 <span class="from">来源</span><span class="from x">二</span></div>
<div class="Detail_Content"><div class="content"><p>正文</p><div class="content">内层</div></div></div>
<div class="content">外面</div></div>
<div class="Detail_Title"><div><h1>深处</h1></div></div>
<span class="publish">不是 div</span><!-- a comment --></body></html>"""

@pytest.fixture(scope="module")
def page() -> Page:
    html = HTML.encode("utf-8")
    return Page(etree.fromstring(html, etree.HTMLParser(encoding="utf-8")), html)


def test_select_in_document_order(page: Page) -> None:
    assert [el.text for el in page.select("div.Detail_Title h1")] == ["标题", "二", "深处"]
    assert [el.get("class") for el in page.select("div.box")] == ["box top", "box"]
    assert page.select("div.missing") == []


def test_select_within_an_element(page: Page) -> None:
    detail = page.first("div.Detail")
    assert detail is not None
    assert [text_of(el) for el in page.select("div.content", detail)] == ["正文内层", "内层", "外面"]
    assert page.first_text("div.Detail_Title h1", within=detail) == "标题"
    assert page.first("span.publish", within=detail) is None


def test_first_text(page: Page) -> None:
    assert page.first_text("div.Detail_Title h1") == "标题"
    assert page.first_text("div.nothing") is None


def test_text_of_is_what_itertext_gives_for_every_element_of_replica_pages() -> None:
    from cqnnews.reading.decoding import decode_page
    from tests.conftest import NOW
    from tests.replica import render
    from tests.replica.site import Site

    site = Site(seed=2, scale=10, now=NOW)
    parser = etree.HTMLParser(encoding="utf-8")
    checked = 0
    for ref in list(site.articles())[::3]:
        page = render.article(site, ref)
        assert page is not None
        root = etree.fromstring(decode_page(page.body, page.content_type).text.encode(), parser)
        for el in root.iter():
            if isinstance(el.tag, str):
                assert text_of(el) == "".join(el.itertext()), (ref.path, el.tag)
                checked += 1
    assert checked > 10_000
