"""A page read from its region alone reads exactly as the whole page, or is read whole.

Every replica article page is read both ways; then hand-made pages try each way the cut
could go wrong: a stray end tag that fools the tag count, fields after the body, keywords
outside ``<head>``, furniture that leaves an element open or carries a layout class, a
class name in a comment.
"""

from __future__ import annotations

import pytest
from lxml import etree

from cqnnews.decoding import decode_page
from cqnnews.parsers import PARSERS, _PARSER, _REGIONS, _read_region, _read_whole, read_page
from cqnnews.parsers.base import Page, Truncated
from cqnnews.parsers.truncate import Region, end_of, has_name
from cqnnews.urls import SiteUrls
from tests.conftest import NOW
from tests.replica.site import Site
from tests.replica.truth import served_pages

URLS = SiteUrls("http://127.0.0.1:8000")
_REGION = _REGIONS[0][1]
assert _REGION is not None and PARSERS[0].name == "current"
URL = URLS.base + "/qt/content/2020-01/01/content_8000000.htm"
NAV = ('<div class="topbar"><a href="/">首页</a></div>'
       '<div class="nav"><ul><li><a href="/qt/index.htm">综合</a></li><li><a href="/ms/index.htm">民生</a></li></ul></div>')
CONTENT = '<p>第一段。</p><table><tr><td>甲</td><td>乙</td></tr></table><p>第二段。（张井）</p><p>（责任编辑：语安）</p>'
AFTER = '<div class="comment"><h3>最新评论</h3></div><div class="right"><div class="title">热点</div><ul><li><a href="/x">x</a></li></ul></div>'


def page(*, head: str = '<meta name="keywords" content="质量 标准">', nav: str = NAV, content: str = CONTENT,
         publish: str = '<div class="publish">2020-01-01 10:00:00 <span class="from">来源：中国质量报</span></div>',
         after: str = AFTER, publish_after: bool = False) -> bytes:
    fields = ('<div class="box">您当前位置：<a href="/">新闻中心</a>&gt;&gt;<a href="/qt/">综合</a></div>'
              '<div class="Detail"><div class="Detail_Title"><h1>标题</h1></div>'
              + ("" if publish_after else publish)
              + f'<div class="Detail_Content"><div class="content">{content}</div></div></div>')
    tail = (publish if publish_after else "") + after
    return f"<html><head><title>标题</title>{head}</head><body>{nav}{fields}{tail}</body></html>".encode()


def both(html: bytes) -> tuple[object, object]:
    return _read_region(html, URL, URLS), _read_whole(html, URL, URLS)


def test_the_region_of_a_plain_page_reads_as_the_whole_page() -> None:
    region, whole = both(page())
    assert region is not None and region == whole
    assert region.keywords == ["质量", "标准"] and region.source == "中国质量报"
    assert [u.text for u in region.units if u.kind == "text"][-1] == "（责任编辑：语安）"


def test_the_region_skips_the_furniture_before_the_fields_and_the_lists_after_the_body() -> None:
    html = page()
    root, still_open = _REGION.parse(html)
    texts = "".join(root.itertext())
    assert "民生" not in texts and "热点" not in texts and "第二段" in texts
    assert {el.tag for el in still_open} == {"html", "body", "div"}  # div.Detail goes on after the body


@pytest.mark.parametrize("html", [
    # stray </div>s in a table cell: lxml ignores them, the tag count does not, so the guessed end is early
    page(content='<p>一。</p><table><tr><td>甲</div></div></td></tr></table><p>末段在后面。</p>'),
    page(content='<p>一。</p><table><tr><td>甲</div></td></tr></table><p>末段在后面。</p>'),
    page(publish_after=True),  # the date after the body: not in the region
    page(head="", after=AFTER + '<meta name="keywords" content="藏在后面">'),  # keywords outside <head>
    page(nav=NAV + '<div class="nav2"><ul><li>没有关上'),  # furniture leaving elements open
    page(nav=NAV + '<table><tr><td>布局表格', content=CONTENT + '</td><p>表格外</p>'),
    page(nav='<div class="title">站点名</div>' + NAV),  # furniture carrying a class the layout reads
    page(nav='<!-- <div class="Detail_Content"><div class="content">旧</div></div> -->' + NAV),
    page(nav='<script>var s = "<div class=\\"Detail_Content\\">";</script>' + NAV),
    page(content='<p>一。</p><div>没有关上的 div<p>二。</p>'),
    page(after=""),  # nothing after the body
    page(nav=""),  # nothing before the fields
])
def test_a_page_the_cut_could_get_wrong_reads_as_the_whole_page(html: bytes) -> None:
    region, whole = both(html)
    if region is not None:
        assert region == whole
    text = html.decode()
    reading, _ = read_page(text, URL, URLS)
    assert reading == whole


def test_a_stray_end_tag_makes_the_body_be_read_from_the_whole_page() -> None:
    html = page(content='<p>一。</p><table><tr><td>甲</div></div></td></tr></table><p>末段在后面。</p>')
    assert _read_region(html, URL, URLS) is None  # the count ends inside the cell: the body is still open
    reading, _ = read_page(html.decode(), URL, URLS)
    assert reading.units[-1].text == "末段在后面。"


@pytest.mark.parametrize("nav", [NAV + "<div><ul><li>没有关上", '<div class="title">站点名</div>' + NAV])
def test_furniture_left_open_or_carrying_a_layout_class_is_not_skipped(nav: str) -> None:
    html = page(nav=nav)
    end = end_of(html, "div", "Detail_Content")
    assert end is not None and _REGION._skippable(html, end) is None


def test_the_furniture_is_checked_once_per_distinct_run_of_bytes() -> None:
    region = Region(_REGION.classes, _REGION.body, _PARSER)
    for title in ("一", "二", "三"):  # pages differ, their template does not
        html = page(head=f'<meta name="keywords" content="{title}">')
        assert region.parse(html) is not None
    assert len(region._furniture) == 1


def test_end_of_finds_the_end_tag_closing_the_container() -> None:
    html = b'<p class="Detail_Content">no</p><DIV class="x Detail_Content"><div>a</div><div>b</div></DIV ><p>after</p>'
    end = end_of(html, "div", "Detail_Content")
    assert end is not None and html[:end].endswith(b"</DIV >")
    assert end_of(b"<div class='Detail_Contents'>x</div>", "div", "Detail_Content") is None
    assert end_of(b'<div class="Detail_Content">never closed', "div", "Detail_Content") is None


@pytest.mark.parametrize(("html", "found"), [
    ('<div class="Index_ShowDetail_Content">', False),
    ('<div class="Detail_Contents">', False),
    ('<div class="Detail_Content">', True),
    ('<div class=Detail_Content>', True),
    ('<div class="x\u3000Detail_Content">', True),  # not an ASCII name byte: could be a separator
    ('<p>Detail_Content</p>', True),  # text too: only ever errs towards "may hold"
])
def test_has_name_finds_a_class_name_not_part_of_a_longer_one(html: str, found: bool) -> None:
    assert has_name(html.encode(), b"Detail_Content") is found


def test_a_region_page_answers_only_what_the_whole_page_would() -> None:
    html = page()
    root, still_open = _REGION.parse(html)
    region = Page(root, html, open=still_open, classes=_REGION.classes)
    assert region.first("div.Detail_Title h1") is not None
    with pytest.raises(Truncated):
        region.first("div.Detail")  # still open at the cut: its content goes on
    with pytest.raises(Truncated):
        region.first("div.missing")  # a class the skipped furniture was not checked for
    with pytest.raises(Truncated):
        region.first("div.box > a")  # not a tag.class chain
    with pytest.raises(Truncated):
        region.select("div.box")  # all matches: some may lie past the cut
    publish = region.first("div.publish")
    assert publish is not None and region.first("span.from", within=publish) is not None
    whole = Page(etree.fromstring(html, _PARSER), html)
    assert whole.first("div.Detail") is not None and whole.first("div.missing") is None


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_replica_article_page_reads_from_its_region_as_from_the_whole_page(seed: int) -> None:
    site = Site(seed=seed, scale=30, now=NOW)
    from_region = differ = 0
    for ref in site.articles():
        for body, content_type, url in served_pages(site, ref, URLS.base):
            html = decode_page(body, content_type).text.encode()
            region = _read_region(html, url, URLS)
            if region is None:
                continue
            from_region += 1
            differ += region != _read_whole(html, url, URLS)
    assert differ == 0
    known = sum(1 for ref in site.articles() if site.variant(ref).layout in ("current", "old"))
    assert from_region >= known  # every current- and old-layout page (later pages too) is read from its region


OLD = ('<html><head><title>标题</title><meta name="keywords" content="旧"></head><body><div class="Index_Top">中国质量新闻网</div>'
       '<div class="Index_Position"><a href="/index.htm">新闻中心</a></div>'
       '<div class="Index_ShowDetail_Title"><h1>旧标题</h1></div>'
       '<div class="Index_ShowDetail_Time">2013-12-01 13:41:02　来源：中国质量报</div>'
       '<div class="Index_ShowDetail_Content"><p>正文。</p>{extra}</div><div class="right">最新新闻</div></body></html>')


@pytest.mark.parametrize("extra", ["", "<p>&#20013;文</p>", '<!-- <div class="Detail_Content"></div> -->',
                                   '<div class="Detail_Content"><div class="content">不是这一版</div></div>'])
def test_an_old_layout_page_is_read_from_its_region_only_when_no_earlier_layout_can_match(extra: str) -> None:
    html = OLD.format(extra=extra).encode()
    region, whole = both(html)
    assert whole.layout == "old"  # a Detail_Content inside the body is not the current layout's
    assert (region is not None) == (extra == "")
    read, _ = read_page(html.decode(), URL, URLS)
    assert read == whole


def test_a_class_written_with_a_character_reference_is_read_from_the_whole_page() -> None:
    html = page().replace(b'class="Detail_Content"', b'class="Detail&#95;Content"')
    assert _read_region(html, URL, URLS) is None
    read, _ = read_page(html.decode(), URL, URLS)
    assert read.layout == "current" and read.units
