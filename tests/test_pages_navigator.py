"""The navigator (cqnnews/crawl/pages/navigator.py) alone: what it asks for, read from pages made by hand, and which
listings it finds missing; no spider."""

from __future__ import annotations

import logging
from pathlib import Path

from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from cqnnews.crawl.arguments import RunArguments
from cqnnews.crawl.pages.listing import Listing, PageAsk
from cqnnews.crawl.pages.navigator import Ask, Navigator
from cqnnews.crawl.run import run_of
from cqnnews.crawl.spiders.registry import SPIDERS
from cqnnews.sections import section
from tests.conftest import project_settings

BASE = "http://127.0.0.1:8000"
LOG = logging.getLogger("test_navigator")


def navigator(tmp_path: Path, name: str = "yaowen", chosen: frozenset[str] = frozenset(),
              all_required: bool = False) -> Navigator:
    crawler = get_crawler(SPIDERS[name], project_settings(CQN_BASE_URL=BASE, CQN_STATE_DIR=str(tmp_path)))
    return Navigator(section(name), run_of(crawler), RunArguments(chosen=chosen), {}, all_required, LOG)


def page(url: str, body: str) -> HtmlResponse:
    return HtmlResponse(url, body=body.encode(), encoding="utf-8", request=Request(url))


def test_a_node_is_asked_for_once_whatever_route_leads_to_it(tmp_path: Path) -> None:
    nav = navigator(tmp_path)
    listing = Listing(0, ("要闻一",), (0, 0), record=False, route="menu", registry="要闻")
    first = nav.follow(BASE + "/qt/node_6500.htm", listing)
    assert first == PageAsk(BASE + "/qt/node_6500.htm", Listing(0, ("要闻一",), (0, 0), record=True, route="menu",
                                                                  registry="要闻", node=BASE + "/qt/node_6500.htm"), 1)
    assert nav.follow(BASE + "/qt/node_6500.htm", Listing(0, ("要闻",), (0, 0), record=False, route="rss")) is None
    assert nav.visited == {BASE + "/qt/node_6500.htm"}


def test_a_listing_sub_did_not_choose_is_not_walked(tmp_path: Path) -> None:
    nav = navigator(tmp_path, "minsheng", chosen=frozenset({"健康"}))
    assert nav.follow(BASE + "/ms/node_172.htm", Listing(0, ("抽查公告",), (0, 0), record=False)) is None
    ask = nav.follow(BASE + "/ms/node_20337.htm", Listing(0, ("健康",), (0, 1), record=False))
    assert ask is not None and ask.listing.record


def test_the_home_page_asks_for_its_listings_then_each_channel_page(tmp_path: Path) -> None:
    nav = navigator(tmp_path)
    home = ('<div class="mainmenu"><ul><li><a href="/qt/node_20762.htm">要闻</a></li></ul></div>'
            '<div class="nav"><a href="/elsewhere/index.htm">综 合</a></div>')
    steps = nav.home(page(BASE + "/", home))
    assert [(type(s).__name__, s.url) for s in steps] == [("PageAsk", BASE + "/qt/node_20762.htm"),
                                                          ("Ask", BASE + "/elsewhere/index.htm")]
    channel = steps[-1]
    assert isinstance(channel, Ask) and channel.kind == "channel" and channel.cb_kwargs["found"] == ["要闻"]


def test_a_listing_every_route_misses_is_missing_once_its_last_route_fails(tmp_path: Path) -> None:
    nav = navigator(tmp_path)
    steps = nav.channel(page(BASE + "/qt/index.htm", '<div class="subclass"><a href="node_7.htm">别的</a></div>'), 0)
    guesses = [s for s in steps if isinstance(s, PageAsk) and s.listing.route == "node_id"]
    assert [s.url for s in guesses] == [BASE + "/qt/node_20762.htm", BASE + "/qt/node_20796.htm"]
    nav.guess_answered(guesses[0].listing, guesses[0].url, found=False)
    assert nav.missing == []  # one node id still to answer
    nav.guess_answered(guesses[1].listing, guesses[1].url, found=False)
    assert nav.missing == ["综合>>要闻"]


def test_an_optional_listing_no_route_finds_is_absent_not_missing(tmp_path: Path) -> None:
    nav = navigator(tmp_path, "minsheng")
    [ask] = nav.sitemap(0, ["健康"])
    assert ask.kind == "sitemap" and ask.dont_filter is True
    body = b'<urlset><url><loc>http://www.cqn.com.cn/ms/node_20999.htm</loc></url></urlset>'
    [node] = nav.sitemap_nodes(body, BASE + "/sitemap.xml", 0, ["健康"])
    assert isinstance(node, Ask) and node.kind == "node"
    assert nav.sitemap_node(page(node.url, '<div class="box"><a>民生</a><a>投诉</a></div>'), 0) is None
    nav.sitemap_answered(0)
    assert nav.missing == []
    required = navigator(tmp_path / "smoke", "minsheng", all_required=True)  # scrapy smoke: every listing needed
    required.all_missing(0, ["健康"], "not in /sitemap.xml either")
    assert required.missing == ["民生>>健康"]
