"""The section spider's callbacks on fake responses: navigation fallbacks, broken pages."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse, Response
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

from cqnnews.crawl.spiders.base import Listing, SectionSpider
from cqnnews.crawl.spiders.registry import SPIDERS
from cqnnews.sections import section
from cqnnews.state.records import Exported
from tests.conftest import project_settings

BASE = "http://127.0.0.1:8000"


YAOWEN = section("yaowen").channels[0]


@pytest.fixture
def make_spider(tmp_path: Path) -> Callable[..., SectionSpider]:
    def make(name: str = "yaowen", **settings: object) -> SectionSpider:
        crawler = get_crawler(SPIDERS[name], project_settings(CQN_BASE_URL=BASE, CQN_STATE_DIR=str(tmp_path / name),
                                                              **settings))
        crawler.spider = crawler._create_spider()
        return crawler.spider  # type: ignore[return-value]

    return make


def listing(name: str, position: int = 0) -> Listing:
    return Listing(0, (name,), (0, position), record=True)


def html(url: str, body: str) -> HtmlResponse:
    return HtmlResponse(url, body=body.encode(), encoding="utf-8",
                        request=Request(url, meta={"article_id": 8000000, "sections": ["要闻一"]}))


def test_broken_article_page_is_counted_logged_and_skipped(make_spider: Callable[..., SectionSpider], caplog: pytest.LogCaptureFixture) -> None:
    spider = make_spider()
    url = BASE + "/qt/content/2020-01/01/content_8000000.htm"
    with caplog.at_level(logging.WARNING):
        items = list(spider.parse_article(html(url, "<html><body><div></div></body></html>"), sections=["要闻一"]))
    assert items == []
    assert spider.crawler.stats.get_value("cqnnews/article/failed") == 1
    assert url in caplog.text and "no article text" in caplog.text


def test_non_html_article_response_is_skipped(make_spider: Callable[..., SectionSpider]) -> None:
    spider = make_spider()
    url = BASE + "/qt/content/2020-01/01/content_8000000.htm"
    request = Request(url, meta={"article_id": 8000000, "sections": []})
    assert list(spider.parse_article(Response(url, body=b"%PDF", request=request), sections=[])) == []
    assert spider.crawler.stats.get_value("cqnnews/article/failed") == 1


def test_listings_below_a_listing_are_walked_with_their_path(make_spider: Callable[..., SectionSpider]) -> None:
    spider = make_spider("minsheng")
    spider.visited.update({BASE + "/ms/node_20334.htm", BASE + "/ms/node_20337.htm"})
    top = Listing(0, ("抽查公告",), (0, 0), record=True)
    page = ('<div class="subclass"><a href="node_20334.htm">抽查公告</a><a href="node_20337.htm">健康</a></div>'
            '<div class="subclass"><a href="node_22311.htm">国家抽查</a><a href="/zj/node_1.htm">别的频道</a></div>')
    [request] = list(spider.parse_listing(html(BASE + "/ms/node_20334.htm", page), listing=top, page=1))
    assert request.url == BASE + "/ms/node_22311.htm"
    assert request.cb_kwargs["listing"].name == "抽查公告>>国家抽查"
    assert spider.crawler.stats.get_value("cqnnews/listing/empty_pages") is None  # it has listings below


def test_channel_found_by_link_text_not_slug(make_spider: Callable[..., SectionSpider]) -> None:
    spider = make_spider()
    home = html(BASE + "/", '<div class="nav"><a href="/elsewhere/index.htm">综 合</a></div>')
    [request] = list(spider.parse_home(home))
    assert request.url == BASE + "/elsewhere/index.htm"


def test_recorded_and_configured_node_ids_reach_what_the_channel_page_does_not_link(
        make_spider: Callable[..., SectionSpider]) -> None:
    spider = make_spider(CQN_NODE_IDS={"要闻二": 1234})
    channel = html(BASE + "/qt/index.htm", '<div class="subclass"><a href="node_6500.htm">要闻一</a></div>')
    requests = list(spider.parse_channel(channel, position=0))
    assert [(r.url, r.cb_kwargs["listing"].route) for r in requests] == [
        (BASE + "/qt/node_6500.htm", "channel"), (BASE + "/qt/node_1234.htm", "node_id"),
        (BASE + "/qt/node_20762.htm", "node_id"), (BASE + "/qt/node_20796.htm", "node_id")]


def _failed_404(request: Request) -> Failure:
    from scrapy.spidermiddlewares.httperror import HttpError

    failure = Failure(HttpError(Response(request.url, status=404, request=request)))
    failure.request = request  # type: ignore[attr-defined]
    return failure


def test_a_listing_no_route_finds_is_missing_and_named(make_spider: Callable[..., SectionSpider],
                                                        caplog: pytest.LogCaptureFixture) -> None:
    spider = make_spider()
    channel = html(BASE + "/qt/index.htm", '<div class="subclass"><a href="node_7.htm">别的</a></div>')
    requests = list(spider.parse_channel(channel, position=0))
    assert [r.url for r in requests] == [BASE + "/qt/node_20762.htm", BASE + "/qt/node_20796.htm"]
    with caplog.at_level(logging.ERROR):
        for request in requests:
            spider.page_failed(_failed_404(request))
    assert "要闻" in caplog.text and "CQN_NODE_IDS" in caplog.text
    assert spider.crawler.stats.get_value("cqnnews/navigation/missing") == 1
    assert spider.crawler.stats.get_value("cqnnews/navigation/route_failed/node_id") == 2
    assert spider.crawler.stats.get_value("cqnnews/listing/failed") is None
    assert spider.navigator.missing == ["综合>>要闻"]


HOME_2018 = ('<div class="mainmenu"><ul><li><a href="index.htm">首页</a></li><li><a href="/qt/node_20762.htm">要闻</a></li>'
             '<li><a href="/zj/">质检</a></li></ul></div><dl class="cont"><dt class="cont_t"><span class="more">'
             '<a href="qt/node_20796.htm">[更多]</a></span>要闻</dt><dd class="cont_l"><ul><li>'
             '<a href="zgzlb/content/2018-03/22/content_5581574.htm">标题 ...</a></li></ul></dd></dl>')


def test_the_2018_home_page_leads_to_both_yaowen_listings_by_menu_and_block(
        make_spider: Callable[..., SectionSpider]) -> None:
    spider = make_spider()
    requests = list(spider.parse_home(html(BASE + "/", HOME_2018)))
    assert [(r.url, r.cb_kwargs.get("listing") and r.cb_kwargs["listing"].route) for r in requests] == [
        (BASE + "/qt/node_20762.htm", "menu"), (BASE + "/qt/node_20796.htm", "more"), (BASE + "/qt/index.htm", None)]
    channel = requests[-1]  # no 综合 on the page: /qt/index.htm, which answers 404 there
    assert list(spider.channel_failed(_failed_404(channel))) == []  # both found: nothing missing, nothing more
    assert spider.crawler.stats.get_value("cqnnews/navigation/missing") is None
    assert spider.crawler.stats.get_value("cqnnews/navigation/route_failed/channel") == 1


def test_a_listing_named_by_its_home_link_takes_the_name_its_own_page_shows(
        make_spider: Callable[..., SectionSpider]) -> None:
    spider = make_spider()
    [menu, *_] = list(spider.parse_home(html(BASE + "/", HOME_2018)))
    page = ('<div class="box">您当前位置：<a href="../index.htm">新闻中心</a>&gt;&gt;<a href="index.htm">综合</a>&gt;&gt;'
            '<a href="node_20762.htm">要闻一</a></div><div class="List_List"><dd class="cont_l"><ul>'
            '<li><a href="content/2020-01/01/content_8000001.htm">一</a></li></ul></dd></div>')
    list(spider.parse_listing(html(menu.url, page), **menu.cb_kwargs))
    assert spider.walker.routes == {"要闻一": "menu"}
    assert [sections for _, _, sections in spider.run.scratch.found()] == [["要闻一"]]
    assert spider.crawler.stats.get_value("cqnnews/listing/route/menu") == 1


def test_a_listing_no_other_route_finds_is_sought_in_rss(make_spider: Callable[..., SectionSpider]) -> None:
    spider = make_spider("minsheng")
    channel = html(BASE + "/ms/", '<div class="subclass"><a href="node_172.htm">抽查公告</a>'
                                  '<a href="node_22538.htm">家居</a></div>')
    requests = list(spider.parse_channel(channel, position=0))
    rss = requests[-1]
    assert rss.url == BASE + "/rss.xml" and rss.cb_kwargs["wanted"] == ["健康"]
    feed = ('<?xml version="1.0"?><rss version="2.0"><channel><title>中国质量新闻网</title><link>http://www.cqn.com.cn/'
            '</link><item><title>健康</title><link>http://www.cqn.com.cn/ms/node_20337.htm</link></item></channel></rss>')
    response = HtmlResponse(rss.url, body=feed.encode(), encoding="utf-8", request=rss)
    [walk] = list(spider.parse_rss(response, **rss.cb_kwargs))
    assert walk.url == BASE + "/ms/node_20337.htm" and walk.cb_kwargs["listing"].route == "rss"


def test_listing_notes_each_article_once_with_every_section(make_spider: Callable[..., SectionSpider]) -> None:
    spider = make_spider()
    page = ('<div class="List_List"><dd class="cont_l"><ul>'
            '<li><a href="content/2020-01/01/content_8000001.htm">一</a></li>'
            '<li><a href="http://www.cqn.com.cn/qt/content/2020-01/01/content_8000002.htm">二</a></li>'
            "</ul></dd></div>")
    list(spider.parse_listing(html(BASE + "/qt/node_6500.htm", page), listing=listing("要闻一"), page=1))
    list(spider.parse_listing(html(BASE + "/qt/node_6501.htm", page), listing=listing("要闻二", 1), page=1))
    assert {aid: sections for aid, _, sections in spider.run.scratch.found()} == {8000001: ["要闻一", "要闻二"],
                                                                              8000002: ["要闻一", "要闻二"]}
    assert spider.run.scratch.get(8000002) == (BASE + "/qt/content/2020-01/01/content_8000002.htm", ["要闻一", "要闻二"])


def test_empty_listing_page_is_counted(make_spider: Callable[..., SectionSpider]) -> None:
    spider = make_spider()
    list(spider.parse_listing(html(BASE + "/qt/node_6500.htm", "<p>redesigned</p>"), listing=listing("要闻一"), page=1))
    assert spider.crawler.stats.get_value("cqnnews/listing/empty_pages") == 1


def listing_page(page: int, ids: range, last: int = 40) -> HtmlResponse:
    url = BASE + ("/qt/node_6500.htm" if page == 1 else f"/qt/node_6500_{page}.htm")
    items = "".join(f'<li><a href="content/2020-01/01/content_{i}.htm">标题{i}</a></li>' for i in ids)
    return html(url, f'<div class="List_List"><dd class="cont_l"><ul>{items}</ul></dd></div>'
                     f'<center><a href="node_6500_{last}.htm">尾页</a></center>')


def test_a_walk_of_new_articles_asks_for_pages_ahead_doubling(make_spider: Callable[..., SectionSpider]) -> None:
    spider = make_spider(CQN_LISTING_WINDOW=4)
    walk = listing("要闻一")
    asked = [r.cb_kwargs["page"] for r in spider.parse_listing(listing_page(1, range(9000, 8980, -1)), listing=walk, page=1)]
    assert asked == [2, 3]
    asked = [r.cb_kwargs["page"] for r in spider.parse_listing(listing_page(2, range(8980, 8960, -1)), listing=walk, page=2)]
    assert asked == [4, 5, 6]  # window 4 from page 2
    asked = [r.cb_kwargs["page"] for r in spider.parse_listing(listing_page(3, range(8960, 8940, -1)), listing=walk, page=3)]
    assert asked == [7]  # at most 4 ahead of the page just read


def test_a_walk_reaching_known_articles_goes_page_by_page_and_stops(make_spider: Callable[..., SectionSpider]) -> None:
    spider = make_spider(CQN_LISTING_WINDOW=4)
    spider.run.store.commit_exported([Exported(i, f"{BASE}/x/{i}", "h", None, ["要闻一"], 1) for i in range(8000, 8100)], "f")
    walk = listing("要闻一")
    asked = [r.cb_kwargs["page"] for r in spider.parse_listing(listing_page(1, range(8110, 8090, -1)), listing=walk, page=1)]
    assert asked == [2]  # known articles on page 1: one page at a time
    assert list(spider.parse_listing(listing_page(2, range(8090, 8070, -1)), listing=walk, page=2)) == []
    assert spider.crawler.stats.get_value("cqnnews/listing/stopped_at_known") == 1


def test_a_walk_ended_further_on_asks_for_nothing_more(make_spider: Callable[..., SectionSpider]) -> None:
    spider = make_spider(CQN_LISTING_WINDOW=4)
    walk = listing("要闻一")
    list(spider.parse_listing(listing_page(1, range(9000, 8980, -1), last=3), listing=walk, page=1))  # asks 2, 3
    assert list(spider.parse_listing(listing_page(3, range(8960, 8950, -1), last=3), listing=walk, page=3)) == []
    assert list(spider.parse_listing(listing_page(2, range(8980, 8960, -1), last=3), listing=walk, page=2)) == []
    assert "要闻一" in spider.walker.complete


def test_no_callback_returns_a_value_from_a_generator() -> None:
    """Scrapy's own check of this runs on every response and is turned off (settings.py): it is here instead."""
    from scrapy.utils.misc import is_generator_with_return_value

    for name in ("parse_home", "parse_channel", "parse_listing", "parse_article"):
        assert not is_generator_with_return_value(getattr(SectionSpider, name)), name


def test_a_resumable_job_walks_page_by_page(make_spider: Callable[..., SectionSpider], tmp_path: Path) -> None:
    spider = make_spider(CQN_LISTING_WINDOW=4, JOBDIR=str(tmp_path / "job"))
    asked = [r.cb_kwargs["page"] for r in spider.parse_listing(listing_page(1, range(9000, 8980, -1)), listing=listing("要闻一"), page=1)]
    assert asked == [2]


def test_a_listing_with_articles_does_not_walk_its_sidebar_or_sub_menu(make_spider: Callable[..., SectionSpider]) -> None:
    spider = make_spider()
    page = ('<div class="subclass"><a href="node_6501.htm">要闻二</a></div>'
            '<div class="right"><a href="node_7000.htm">地方</a><a href="node_7001.htm">专题</a></div>'
            '<div class="List_List"><dd class="cont_l"><ul>'
            '<li><a href="content/2020-01/01/content_8000001.htm">一</a></li></ul></dd></div>')
    requests = list(spider.parse_listing(html(BASE + "/qt/node_6500.htm", page), listing=listing("要闻一"), page=1))
    assert [r.url for r in requests] == []
    assert [aid for aid, _, _ in spider.run.scratch.found()] == [8000001]


def test_an_article_naming_thousands_of_pages_is_read_to_the_bound_and_flagged(
        make_spider: Callable[..., SectionSpider]) -> None:
    spider = make_spider(CQN_MAX_ARTICLE_PAGES=5)
    url = BASE + "/qt/content/2020-01/01/content_8000000.htm"
    pager = " ".join(f'<a href="content_8000000_{n}.htm">{n}</a>' for n in range(2, 3001))
    page = ('<div class="Detail_Title"><h1>标题</h1></div><div class="publish">2020-01-01 10:00:00</div>'
            f'<div class="Detail_Content"><div class="content"><p>正文。</p><p>{pager}</p></div></div>')
    [request] = list(spider.parse_article(html(url, page), sections=["要闻一"]))
    assert len(request.cb_kwargs["rest"]) == 3  # pages 3 to 5 still to come after page 2: five in all
    assert spider.crawler.stats.get_value("cqnnews/article/too_many_pages") == 1


@pytest.mark.parametrize("again", [False, True])
def test_an_article_asked_again_asks_its_next_page_past_the_duplicate_filter(
        make_spider: Callable[..., SectionSpider], again: bool) -> None:
    """A shared crawl queues again (dont_filter) an article a dead worker held: its second page, which the dead
    worker had asked for, must not be dropped by the shared duplicate filter, or the article is never read."""
    spider = make_spider()
    url = BASE + "/qt/content/2020-01/01/content_8000000.htm"
    page = ('<div class="Detail_Title"><h1>标题</h1></div><div class="publish">2020-01-01 10:00:00</div>'
            '<div class="Detail_Content"><div class="content"><p>正文。</p>'
            '<p><a href="content_8000000_2.htm">2</a></p></div></div>')
    response = HtmlResponse(url, body=page.encode(), encoding="utf-8", request=Request(
        url, dont_filter=again, meta={"article_id": 8000000, "sections": ["要闻一"]}))
    [request] = list(spider.parse_article(response, sections=["要闻一"]))
    assert request.url.endswith("content_8000000_2.htm") and request.dont_filter is again


def test_a_listing_neither_rss_nor_any_other_route_finds_is_sought_in_the_sitemap(
        make_spider: Callable[..., SectionSpider]) -> None:
    spider = make_spider("minsheng")
    channel = html(BASE + "/ms/", '<div class="subclass"><a href="node_172.htm">抽查公告</a>'
                                  '<a href="node_22538.htm">家居</a></div>')
    rss = list(spider.parse_channel(channel, position=0))[-1]
    feed = '<?xml version="1.0"?><rss version="2.0"><channel><title>中国质量新闻网</title></channel></rss>'
    [sitemap] = list(spider.parse_rss(HtmlResponse(rss.url, body=feed.encode(), encoding="utf-8", request=rss),
                                      **rss.cb_kwargs))
    assert sitemap.url == BASE + "/sitemap.xml" and sitemap.cb_kwargs["wanted"] == ["健康"]
    body = ('<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            + "".join(f"<url><loc>http://www.cqn.com.cn{p}</loc></url>" for p in (
                "/ms/node_22538.htm", "/ms/node_20337.htm", "/ms/node_20999.htm", "/qt/node_20762.htm",
                "/ms/content/2026-01/01/content_9000001.htm")) + "</urlset>")
    nodes = list(spider.parse_sitemap(HtmlResponse(sitemap.url, body=body.encode(), encoding="utf-8",
                                                   request=sitemap), **sitemap.cb_kwargs))
    assert [r.url for r in nodes] == [BASE + "/ms/node_20337.htm", BASE + "/ms/node_20999.htm"]  # 家居: visited
    crumbs = '<div class="crumbs">当前位置：<a href="/">首页</a> &gt; <a href="/ms/">民生</a> &gt; <a>{}</a></div>'
    items = '<ul><li><a href="content/2026-01/01/content_9000002.htm">一</a></li><li><a href="content/2026-01/01/content_9000003.htm">二</a></li></ul>'
    assert list(spider.parse_sitemap_node(html(nodes[1].url, crumbs.format("投诉") + items), position=0)) == []
    list(spider.parse_sitemap_node(html(nodes[0].url, crumbs.format("健康") + items), position=0))
    assert spider.walker.routes == {"健康": "sitemap"}
    assert sorted(aid for aid, _, _ in spider.run.scratch.found()) == [9000002, 9000003]
    assert spider.crawler.stats.get_value("cqnnews/navigation/absent_optional") is None


def test_a_listing_the_sitemap_lacks_too_is_missing(make_spider: Callable[..., SectionSpider]) -> None:
    spider = make_spider("minsheng")
    body = '<urlset><url><loc>http://www.cqn.com.cn/ms/node_20999.htm</loc></url></urlset>'
    request = Request(BASE + "/sitemap.xml", cb_kwargs={"position": 0, "wanted": ["健康"]})
    [node] = list(spider.parse_sitemap(HtmlResponse(request.url, body=body.encode(), encoding="utf-8",
                                                    request=request), **request.cb_kwargs))
    list(spider.parse_sitemap_node(html(node.url, '<div class="box"><a>民生</a><a>投诉</a></div>'), position=0))
    assert spider.crawler.stats.get_value("cqnnews/navigation/absent_optional") == 1  # 健康: not on the site


def test_a_page_that_never_answered_is_told_from_one_that_answered_badly() -> None:
    from scrapy.exceptions import DownloadConnectionRefusedError
    from twisted.internet.error import ConnectionRefusedError, DNSLookupError
    from twisted.python.failure import Failure

    from cqnnews.crawl.pages.failures import unanswered

    def failure_of(error: Exception) -> Failure:
        try:
            raise error
        except Exception:
            return Failure()

    try:
        try:
            raise ConnectionRefusedError()
        except ConnectionRefusedError as inner:
            raise DownloadConnectionRefusedError("refused") from inner
    except DownloadConnectionRefusedError:
        wrapped = Failure()
    assert unanswered(wrapped) == "connection refused"
    assert unanswered(failure_of(DNSLookupError("nonexistent.invalid"))) == "the host name does not resolve"
    assert unanswered(failure_of(ValueError("a bad body"))) is None
