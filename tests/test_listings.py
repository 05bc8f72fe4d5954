"""The listing reader (cqnnews.reading.listings): the selectors on record, then the generic reading, on listing pages of
several markups: the site's own of 2017-2019, a redesign, and pages written in the manner of other Chinese news
sites (people.com.cn, xinhuanet, a TRS site, a 帝国CMS site), some with side columns holding more article links
than the list itself."""

from __future__ import annotations

from datetime import date

import pytest
from parsel import Selector

from cqnnews.reading.listings import GENERIC, read_items

BASE = "https://www.cqn.com.cn/qt/node_20762.htm"


def art(n: int, slug: str = "qt", day: str = "2026-11-2") -> str:
    return f"/{slug}/content/{day[:7]}/{int(day[8:] or 1):02d}/content_{9170000 + n}.htm"


def ids(read) -> list[int]:  # noqa: ANN001
    return [int(i.url.rsplit("_", 1)[1].split(".")[0]) - 9170000 for i in read.items]


HEADER = ('<div class="head"><a href="/"><img src="/logo.png"/></a><ul class="menu">'
          + "".join(f'<li><a href="/{s}/index.htm">{n}</a></li>' for s, n in (("qt", "综合"), ("ms", "民生"), ("zj", "质检")))
          + '</ul></div><div class="crumb">您当前位置：<a href="/">首页</a> &gt; <a href="/qt/">综合</a> &gt; 要闻</div>')
FOOTER = '<div class="foot"><a href="/about/">关于我们</a> | <a href="/contact/">联系我们</a><p>版权所有</p></div>'


def side(n: int, first: int = 500, heading: str = "热点排行", tag: str = "ol") -> str:
    """A side column of ``n`` real articles of other sections."""
    items = "".join(f'<li><a href="{art(first + k, "auto")}" title="侧栏文章{k}的完整标题">侧栏文章{k}</a></li>'
                    for k in range(n))
    return f'<div class="r"><div class="tit"><span>{heading}</span></div><{tag}>{items}</{tag}></div>'


def page(body: str) -> Selector:
    return Selector(text=f"<html><head><title>要闻</title></head><body>{HEADER}{body}{FOOTER}</body></html>")


def test_the_markup_on_record_is_read_by_its_selector() -> None:
    items = "".join(f'<li><a href="../qt/content/2018-08/03/content_{9170000 + k}.htm">标题{k}</a></li>'
                    for k in range(5))
    read = read_items(page(f'<div class="List_List"><dl><dd class="cont_l"><ul>{items}</ul></dd></dl></div>'
                           '<center><a href="node_20762_2.htm">下一页</a><a href="node_20762_9.htm">尾页</a></center>'),
                      BASE)
    assert read.reading == "cont_l" and ids(read) == list(range(5)) and not read.ambiguous
    assert read.items[0].url == "https://www.cqn.com.cn/qt/content/2018-08/03/content_9170000.htm"


def test_a_redesign_with_dates_in_spans_and_a_larger_side_column() -> None:
    items = "".join(f'<li class="news-item"><a href="{art(k)}">新闻标题第{k}条</a><span class="date">2026-11-{k + 1:02d}'
                    "</span></li>" for k in range(6))
    body = (f'<div class="wrap"><div class="main-col"><h2 class="col-title">要闻</h2><ul class="news-list">{items}</ul>'
            '<div class="pager"><a href="node_20762_2.htm">2</a> <a href="node_20762_3.htm">3</a> '
            f'<a href="node_20762_2.htm">下一页</a></div></div>{side(15)}</div>')
    read = read_items(page(body), BASE)
    assert read.reading == GENERIC and not read.ambiguous
    assert ids(read) == list(range(6))
    assert [i.day for i in read.items] == [date(2026, 11, k + 1) for k in range(6)]
    assert read.items[2].title == "新闻标题第2条"


def test_people_com_cn_style_list_cut_into_chunks_with_em_dates() -> None:
    """people.com.cn: ``div.ej_list_box`` holding several ``ul.list_16`` of five, dates in ``<em>``, a 热点新闻 column
    and a 图片 block beside it; pages ``index2.html`` linked by number."""
    chunks = "".join(
        '<ul class="list_16 mt10">' + "".join(
            f'<li><a href="{art(5 * c + k)}" target="_blank">人民网风格标题{5 * c + k}</a><em>2026年11月{5 * c + k + 1}日'
            "</em></li>" for k in range(5)) + '</ul><div class="line"></div>' for c in range(3))
    pics = "".join(f'<li><a href="{art(700 + k, "pp")}"><img src="/p{k}.jpg"/></a><a href="{art(700 + k, "pp")}">图{k}</a>'
                   "</li>" for k in range(4))
    body = (f'<div class="w1000 clearfix"><div class="fl w655"><div class="ej_list_box clear">{chunks}</div>'
            '<div class="page_n clearfix"><a href="index2.html">2</a><a href="index3.html">3</a>'
            '<a href="index2.html">下一页</a></div></div>'
            f'<div class="fr w310">{side(20, heading="热点新闻")}<div class="pic"><h3>图片新闻</h3><ul>{pics}</ul></div>'
            "</div></div>")
    read = read_items(page(body), BASE)
    assert read.reading == GENERIC and ids(read) == list(range(15))
    assert read.items[14].day == date(2026, 11, 15)


def test_xinhuanet_style_list_of_divs_with_a_title_attribute_when_cut() -> None:
    """xinhuanet: ``ul.dataList > li.clearfix > h3 > a`` with a summary and a ``span.time``; titles cut with ``…``
    and whole in ``title``; a 相关新闻 list after it with more links than the list."""
    items = "".join(f'<li class="clearfix"><h3><a href="{art(k)}" title="新华网风格的完整标题第{k}条">新华网风格的…</a></h3>'
                    f'<p class="summary">摘要{k}</p><div class="info"><span class="time">2026-11-{k + 1:02d} 10:00:00'
                    "</span></div></li>" for k in range(4))
    related = "".join(f'<li><a href="{art(600 + k, "zj")}">相关{k}</a></li>' for k in range(12))
    body = (f'<div class="main"><div class="column-left"><ul class="dataList">{items}</ul>'
            '<div id="pagenav">共3页 <a href="node_20762_2.htm">下一页</a></div></div>'
            f'<div class="column-right"><div class="hd"><h3>相关新闻</h3></div><div class="bd"><ul>{related}</ul></div>'
            "</div></div>")
    read = read_items(page(body), BASE)
    assert ids(read) == list(range(4)) and not read.ambiguous
    assert [i.title for i in read.items] == [f"新华网风格的完整标题第{k}条" for k in range(4)]


def test_trs_style_table_list_with_a_script_pager() -> None:
    """A TRS WCM site: rows of a table, the date in a cell of its own, the pager written by createPageHTML."""
    rows = "".join(f'<tr><td class="bt"><a href="./{art(k)[4:]}" target="_blank">TRS风格标题{k}</a></td>'
                   f'<td class="sj">[2026-11-{k + 1:02d}]</td></tr>' for k in range(7))
    body = (f'<table width="100%" class="lb"><tbody>{rows}</tbody></table>'
            '<div class="fy"><script>createPageHTML(6, 0, "index", "htm");</script></div>'
            f'<table class="rd"><tr><td><div class="bt">阅读排行</div></td></tr></table>{side(10, heading="点击排行")}')
    read = read_items(page(body), "https://www.cqn.com.cn/qt/index.htm")
    assert ids(read) == list(range(7)) and read.items[0].day == date(2026, 11, 1)
    assert read.items[0].url == "https://www.cqn.com.cn/qt/content/2026-11/02/content_9170000.htm"


def test_empire_cms_style_dl_list_with_the_old_url_scheme() -> None:
    """帝国CMS: ``div.listbox > ul > li`` with ``<span>`` dates first; old-scheme article URLs; no pagination (one
    page) and a side column with more links under a 推荐阅读 heading."""
    items = "".join(f'<li><span>11-{k + 1:02d}</span><a href="/news/qt/n20762/{3000000 + k}.html">帝国标题{k}</a></li>'
                    for k in range(3))
    body = (f'<div class="left"><div class="listbox"><ul>{items}</ul></div></div>'
            f'<div class="right">{side(9, heading="推荐阅读", tag="ul")}</div>')
    read = read_items(page(body), BASE)
    assert [i.url.rsplit("/", 1)[1] for i in read.items] == [f"{3000000 + k}.html" for k in range(3)]
    assert not read.ambiguous


def test_a_last_page_of_one_article_beside_a_side_column() -> None:
    body = (f'<div class="l"><ul class="lst"><li><a href="{art(1)}">唯一一条</a></li></ul>'
            f'<div class="pg"><a href="node_20762.htm">首页</a> <a href="node_20762_3.htm">上一页</a> 第4/4页</div></div>'
            f'{side(12)}')
    read = read_items(page(body), BASE)
    assert ids(read) == [1]


def test_a_list_that_cannot_be_told_from_its_side_column_is_marked() -> None:
    left = "".join(f'<li><a href="{art(k)}">左{k}</a></li>' for k in range(8))
    right = "".join(f'<li><a href="{art(100 + k, "ms")}">右{k}</a></li>' for k in range(7))
    read = read_items(page(f'<div class="a"><ul>{left}</ul></div><div class="b"><ul>{right}</ul></div>'), BASE)
    assert read.ambiguous and read.reading == GENERIC
    assert ids(read) == list(range(8))  # the larger: never the two mixed


def test_a_page_with_no_article_links_reads_none() -> None:
    read = read_items(page("<p>暂无内容</p>"), BASE)
    assert read.items == [] and read.reading == "none"


@pytest.mark.parametrize("text", ["新闻…", "新闻...", ""])
def test_a_cut_or_empty_link_text_takes_the_title_attribute(text: str) -> None:
    items = f'<li><a href="{art(1)}" title="完整的标题">{text}</a></li><li><a href="{art(2)}">第二条</a></li>'
    read = read_items(page(f'<ul>{items}</ul><div>共1页</div>'), BASE)
    assert read.items[0].title == "完整的标题"
