"""Navigation read off replica pages: links by text, listing items, pagination."""

from __future__ import annotations

import pytest
from parsel import Selector

from cqnnews.reading import navigation
from tests.replica.server import route
from tests.replica.site import Site

BASE = "http://127.0.0.1:8000"


def page(site: Site, path: str) -> Selector:
    return Selector(text=route(site, path).body.decode())


def test_channel_link_found_by_its_text_on_the_home_page(site: Site) -> None:
    links = navigation.links_by_text(page(site, "/"), BASE + "/")
    assert links["综合"] == BASE + "/qt/index.htm"
    assert links["中国质量报"] == BASE + "/zgzlb/index.htm"


def test_sub_sections_found_in_subclass_menus_and_in_blocks(site: Site) -> None:
    qt = navigation.links_by_text(page(site, "/qt/index.htm"), BASE + "/qt/index.htm")  # div.subclass
    assert qt["要闻二"] == BASE + "/qt/node_20796.htm"
    paper = navigation.links_by_text(page(site, "/zgzlb/index.htm"), BASE + "/zgzlb/index.htm")  # h2 + 更多
    assert paper["第八版"] == BASE + "/zgzlb/node_8107.htm"


def test_listing_items_are_absolute_article_urls(site: Site) -> None:
    items = navigation.listing_items(page(site, "/qt/node_20796.htm"), BASE + "/qt/node_20796.htm")
    assert len(items) == 20
    for url, title in items:
        assert "/content/" in url and url.startswith(("http://127.0.0.1:8000/", "http://www.cqn.com.cn/"))
        assert title


def test_last_page_from_the_wei_ye_link(site: Site) -> None:
    leaf = site.leaf("综合/要闻一")
    assert navigation.last_page(page(site, "/qt/node_20762.htm")) == site.pages(leaf) > 1
    assert navigation.last_page(Selector(text="<p>no pagination</p>")) == 1


def test_listing_page_urls() -> None:
    assert navigation.listing_page_url(BASE + "/qt/node_20762.htm", 3) == BASE + "/qt/node_20762_3.htm"
    assert navigation.listing_page_url(BASE + "/qt/node_20762_3.htm", 1) == BASE + "/qt/node_20762.htm"


def test_node_links_of_a_channel_page(site: Site) -> None:
    links = navigation.node_links(page(site, "/ms/index.htm"), BASE + "/ms/index.htm")
    assert [name for name, _ in links] == ["抽查公告", "健康", "家居", "召回"]  # 召回: node_22320 (SITE.md), issue 28


def test_node_links_below_a_listing_include_year_listings_not_pagination(site: Site) -> None:
    url = BASE + "/ms/node_20334.htm"  # 国家抽查
    names = [name for name, _ in navigation.node_links(page(site, "/ms/node_20334.htm"), url)]
    assert {"2024", "2025", "2026"} <= set(names)
    year = BASE + "/ms/node_22401.htm"
    names = [name for name, _ in navigation.node_links(page(site, "/ms/node_22401.htm"), year)]
    assert "2024" not in names and "尾页" not in names and "首页" not in names


@pytest.mark.parametrize(("markup", "expected"), [
    ('<dl class="cont"><dt class="cont_t"><span class="more"><a href="qt/node_20796.htm">[更多]</a></span>要闻</dt>'
     '<dd class="cont_l"><ul><li><a href="qt/content/2018-03/22/content_1.htm">x</a></li></ul></dd></dl>',
     ("要闻", "/qt/node_20796.htm")),
    ('<div class="mod"><div class="mod-hd"><h2>要闻</h2><a class="more" href="/qt/node_20796.htm">更多&gt;&gt;</a>'
     '</div><ul><li><a href="/qt/content/2018-03/22/content_1.htm">x</a></li></ul></div>',
     ("要闻", "/qt/node_20796.htm")),
    ('<section><header><span class="t">民生热点</span><a href="/ms/node_22308.htm">more</a></header></section>',
     ("民生热点", "/ms/node_22308.htm")),
    ('<h3>质量时评</h3><div class="m"><a href="/qt/node_22276.htm">【更多】</a></div>', ("质量时评", "/qt/node_22276.htm")),
])
def test_more_links_in_any_markup(markup: str, expected: tuple[str, str]) -> None:
    assert navigation.more_links(Selector(text=markup), BASE + "/") == [(expected[0], BASE + expected[1])]


def test_a_link_that_only_says_more_of_something_else_is_no_block() -> None:
    assert navigation.more_links(Selector(text='<p>欢迎 <a href="/x.htm">更多精彩</a></p>'), BASE + "/") == []


def test_menu_links_anywhere_on_the_page() -> None:
    sel = Selector(text='<header><nav class="site-nav"><a href="/qt/node_20762.htm">要闻</a><a href="/">首页</a>'
                        '</nav></header><div><a href="/qt/node_20762_2.htm">下一页</a></div>')
    assert navigation.menu_links(sel, BASE + "/") == [("要闻", BASE + "/qt/node_20762.htm")]
