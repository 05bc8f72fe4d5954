"""Pagination by every sign (cqnnews.reading.pagination): the last page and where page n is."""

from __future__ import annotations

import pytest
from parsel import Selector

from cqnnews.reading.pagination import Pagination, node_page_url, read_pagination

FIRST = "https://www.cqn.com.cn/qt/node_20762.htm"


def read(body: str, url: str = FIRST, page: int = 1, first: str = FIRST) -> Pagination:
    return read_pagination(Selector(text=f"<html><body>{body}</body></html>"), url, first, page)


def test_the_wei_ye_link() -> None:
    p = read('<center><a href="node_20762.htm">首页</a><a href="node_20762_2.htm">下一页</a>'
             '<a href="node_20762_22.htm">尾页</a></center>')
    assert (p.last, p.sign) == (22, "尾页")
    assert p.url(FIRST, 3) == "https://www.cqn.com.cn/qt/node_20762_3.htm" and p.url(FIRST, 1) == FIRST


def test_mo_ye_on_a_later_page() -> None:
    p = read('<a href="node_20762_4.htm">上一页</a><a href="node_20762_9.htm">末页</a>',
             url="https://www.cqn.com.cn/qt/node_20762_5.htm", page=5)
    assert (p.last, p.sign) == (9, "尾页")


def test_numbered_links_and_next_only() -> None:
    p = read('<div class="pages"><b>1</b> <a href="node_20762_2.htm">2</a> <a href="node_20762_3.htm">3</a> '
             '<a href="node_20762_2.htm">下一页</a></div>')
    assert (p.last, p.sign) == (3, "numbers")


def test_a_next_chain_alone_says_one_page_more() -> None:
    p = read('<a href="node_20762_4.htm">下一页</a>', url="https://www.cqn.com.cn/qt/node_20762_3.htm", page=3)
    assert (p.last, p.sign) == (4, "下一页")
    assert read("<p>nothing</p>", page=4).last == 4  # the last page of a chain: none further


@pytest.mark.parametrize(("text", "last", "sign"), [
    ("共 12 页 当前第1页", 12, "共N页"), ("第1/7页", 7, "第1/N页"), ("页次：1/5 每页20条", 5, "第1/N页"),
    ("共 95 条记录 每页 20 条", 5, "共N条"),
])
def test_texts(text: str, last: int, sign: str) -> None:
    p = read(f'<div class="page">{text} <a href="node_20762_2.htm">下一页</a></div>')
    assert (p.last, p.sign) == (last, sign)


def test_trs_create_page_html_counts_from_zero() -> None:
    p = read('<script>createPageHTML(6, 0, "index", "htm");</script>', url="https://example.cn/xw/index.htm",
             first="https://example.cn/xw/index.htm")
    assert (p.last, p.sign) == (6, "createPageHTML")
    assert p.url("https://example.cn/xw/index.htm", 2) == "https://example.cn/xw/index_1.htm"
    assert p.url("https://example.cn/xw/index.htm", 6) == "https://example.cn/xw/index_5.htm"


def test_count_page_variable_with_the_node_scheme() -> None:
    p = read('<script>var currentPage = 1; var countPage = 8;</script><div id="pager"></div>')
    assert (p.last, p.sign) == (8, "countPage") and p.url(FIRST, 8) == "https://www.cqn.com.cn/qt/node_20762_8.htm"


def test_index_scheme_of_empire_cms_from_the_links() -> None:
    p = read('<a href="node_20762/index_2.htm">2</a><a href="node_20762/index_3.htm">3</a>'
             '<a href="node_20762/index_2.htm">下一页</a> 共4页')
    assert (p.last, p.sign) == (4, "共N页")
    assert p.url(FIRST, 4) == "https://www.cqn.com.cn/qt/node_20762/index_4.htm"


def test_index_scheme_counted_from_zero_is_learnt() -> None:
    p = read('<a href="index_1.htm">2</a><a href="index_2.htm">3</a><a href="index_1.htm">下一页</a>',
             url="https://example.cn/xw/index.htm", first="https://example.cn/xw/index.htm")
    assert p.last == 3 and p.url("https://example.cn/xw/index.htm", 3) == "https://example.cn/xw/index_2.htm"


def test_query_page_scheme() -> None:
    p = read('<a href="?page=2">下一页</a><a href="node_20762.htm?page=9">尾页</a>')
    assert (p.last, p.sign) == (9, "尾页") and p.url(FIRST, 5) == "https://www.cqn.com.cn/qt/node_20762.htm?page=5"


def test_links_to_other_listings_are_not_pages() -> None:
    p = read('<a href="node_22276_3.htm">3</a><a href="/qt/index.htm">综合</a>')
    assert (p.last, p.sign) == (1, "none")


def test_node_page_url() -> None:
    assert node_page_url(FIRST, 3) == "https://www.cqn.com.cn/qt/node_20762_3.htm"
    assert node_page_url("https://www.cqn.com.cn/qt/node_20762_3.htm", 1) == FIRST
