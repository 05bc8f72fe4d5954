"""Each field's check (cqnnews/reading/parsers/fields.py): a reading whose value its field cannot hold falls through.

Pages are cut from templates as they come (a meta line without labels, a logo in the page's only
``<h1>``, the breadcrumb in a ``div.title``): each test shows the impossible value refused, the
reading that gave it noted, and the next reading's value taken.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from cqnnews.reading.dates import SHANGHAI
from cqnnews.reading.parsers import extract, read_text
from cqnnews.reading.parsers.fields import (
    article_problems,
    author_problem,
    caption_problem,
    editor_problem,
    source_problem,
    subtitle_problem,
    time_problem,
    title_problem,
)
from cqnnews.reading.parsers.meta_line import read_meta_line
from cqnnews.urls import SiteUrls

URLS = SiteUrls("https://www.cqn.com.cn")
URL = URLS.base + "/qt/content/2018-08/03/content_6121542.htm"
TITLE = "江苏省召开电线电缆质量提升工作会议"
TEXT = ("<p>会议指出，要进一步压实企业主体责任，强化电线电缆质量安全监管，切实保障消费者合法权益。会议要求各地认真落实。</p>"
        "<p>据介绍，今年以来累计制修订地方标准12项，新增试点示范项目3个，企业满意度明显提升，群众获得感不断增强。</p>")
NAV = '<div class="nav"><a href="/">首页</a> <a href="/qt/index.htm">综合</a> <a href="/ms/index.htm">民生</a></div>'


def page(inside: str, head: str = f"<title>{TITLE}_中国质量新闻网</title>") -> str:
    return f"<html><head>{head}</head><body>{NAV}{inside}</body></html>"


# --- source --------------------------------------------------------------------------------

def test_a_time_where_the_source_was_falls_through_to_the_meta_line() -> None:
    """The case of the issue: ``div.info span`` is the time on a template printing time and source unlabelled."""
    html = page(f'<h1>{TITLE}</h1><div class="info"><span>2018-08-03 17:13:55</span> <span>人民网</span></div>'
                f'<div class="txt">{TEXT}</div>')
    reading = read_text(html, URL, URLS)
    assert reading.source == "人民网"
    assert reading.rejected == [("source", "div.info span")]
    assert reading.fallbacks["source"] == "meta_line"
    assert extract(html, URL, URLS).source == "人民网"


@pytest.mark.parametrize(("span", "why"), [
    ("2018-08-03 17:13:55", "a date or time"), ("17:13", "a date or time"), ("打印", "a label"),
    ("分享到：", "a label"), ("【大 中 小】", "a label"), ("http://www.people.com.cn/", "a URL"), ("12345", "a number"),
    (TITLE, "the page's title"), ("会议指出，要进一步压实企业主体责任，强化监管。", "a sentence"), ("网", "1 characters"),
])
def test_what_a_source_cannot_be(span: str, why: str) -> None:
    assert (source_problem(span, TITLE) or "").startswith(why)
    html = page(f'<h1>{TITLE}</h1><div class="info"><span>{span}</span></div><div class="txt">{TEXT}</div>')
    reading = read_text(html, URL, URLS)
    assert reading.source == "中国质量新闻网" and reading.rejected == [("source", "div.info span")]


@pytest.mark.parametrize("name", ["人民网", "国家药监局网站", "中国质量新闻网-中国质量报", "内蒙古自治区质监局网站", "Xinhua"])
def test_what_a_source_can_be(name: str) -> None:
    assert source_problem(name, TITLE) is None


# --- title ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("trap", "reading", "why"), [
    ('<div class="title"><a href="/qt/index.htm">综合</a></div>', "div.title", "a menu item"),
    ('<div class="title">当前位置：<a href="/">新闻中心</a> &gt; <a href="/qt/">综合</a> &gt; <a href="/qt/n.htm">要闻一</a>'
     "</div>", "div.title", "a breadcrumb"),
    ('<div class="title">2018-08-03</div>', "div.title", "a date"),
    ('<h1 class="logo"><a href="/">中国质量新闻网</a></h1>', "h1", "the site's name"),
])
def test_a_menu_item_breadcrumb_date_or_site_name_as_title_falls_through(trap: str, reading: str, why: str) -> None:
    html = page(f'{trap}<h2 class="hd">{TITLE}</h2><p class="m">2018-08-03 17:13:55</p><div class="txt">{TEXT}</div>')
    found = read_text(html, URL, URLS)
    assert found.title == TITLE
    assert ("title", reading) in found.rejected
    assert found.fallbacks["title"] == "<title>"


def test_title_checks() -> None:
    assert title_problem("首页") == "a menu item"
    assert title_problem("民生", {"民生", "综合"}) == "a menu item"
    assert title_problem("新闻中心 >> 综合 >> 要闻二") == "a breadcrumb"
    assert title_problem("2018年08月03日 17:13") == "a date"
    assert title_problem("中国质量新闻网") == "the site's name"
    assert title_problem(TITLE, {"民生", "综合"}) is None
    assert title_problem("3·15晚会曝光的问题产品已下架") is None


def test_a_refused_headline_is_not_where_the_meta_line_is_looked_for() -> None:
    """The logo's ``<h1>`` refused, the meta line is found under the headline the ``<title>`` names."""
    html = page(f'<h1 class="logo"><a href="/">中国质量新闻网</a></h1><h2 class="hd">{TITLE}</h2>'
                f'<div class="info"><span>2018-08-03 17:13:55</span><span>中国消费者报</span><span>冯铁飞</span></div>'
                f'<div class="txt">{TEXT}</div>')
    article = extract(html, URL, URLS)
    assert (article.title, article.source, article.authors) == (TITLE, "中国消费者报", ["冯铁飞"])


# --- publication time ---------------------------------------------------------------------

def test_a_time_not_on_the_urls_day_falls_through_to_one_that_is() -> None:
    html = page(f'<h1>{TITLE}</h1><div class="info">2017-01-01 10:00:00</div>'
                f'<div class="meta">发布时间：2018-08-03 17:13:55</div><div class="txt">{TEXT}</div>')
    reading = read_text(html, URL, URLS)
    assert reading.published_at == datetime(2018, 8, 3, 17, 13, 55, tzinfo=SHANGHAI)
    assert ("published_at", "div.info") in reading.rejected and ("published_at", "near_title") in reading.rejected


def test_a_time_after_the_runs_clock_falls_through_to_the_urls_day_flagged() -> None:
    html = page(f'<h1>{TITLE}</h1><div class="info">2018-08-09 10:00:00</div><div class="txt">{TEXT}</div>')
    now = datetime(2018, 8, 5, tzinfo=SHANGHAI)
    article = extract(html, URL, URLS, now=now)
    assert article.published_at == "2018-08-03T00:00:00+08:00" and article.flags == ["date_from_url"]


def test_time_checks() -> None:
    assert time_problem(datetime(1990, 1, 1, tzinfo=SHANGHAI)) == "before the site's life"
    assert time_problem(datetime(2026, 12, 9, tzinfo=SHANGHAI), now=datetime(2026, 12, 3, tzinfo=SHANGHAI)) == \
        "after the run's clock"
    assert time_problem(datetime(2018, 8, 4, 1, 0, tzinfo=SHANGHAI), URL) == "not the URL's day"
    assert time_problem(datetime(2018, 8, 3, 23, 59, tzinfo=SHANGHAI), URL) is None
    assert time_problem(datetime(2018, 8, 3, 16, 0, tzinfo=SHANGHAI), URLS.base + "/news/qt/n6500/2000000.html") is None


# --- editor --------------------------------------------------------------------------------

def test_a_sentence_as_editor_is_refused_and_stays_in_the_text() -> None:
    line = "（责任编辑：本文转自人民网，如有侵权请联系删除。）"
    html = page(f'<h1>{TITLE}</h1><div class="info">2018-08-03 17:13:55</div><div class="txt">{TEXT}<p>{line}</p></div>')
    article = extract(html, URL, URLS)
    assert article.editor is None and article.body.endswith(line)
    assert ("editor", "责任编辑") in read_and_assemble(html)


@pytest.mark.parametrize(("who", "ok"), [("语安", True), ("王宇 李岩", True), ("阿依古丽·买买提", True), ("John Smith", True),
                                          ("本文转自人民网", False), ("张", False), ("打印 关闭", False),
                                          ("各位读者请注意查收", False)])
def test_editor_checks(who: str, ok: bool) -> None:
    assert (editor_problem(who) is None) == ok


# --- authors -------------------------------------------------------------------------------

def test_a_date_as_author_in_the_property_block_is_refused() -> None:
    html = page(f'<div class="Detail_Title"><h1>{TITLE}</h1></div><div class="publish">2018-08-03 17:13:55</div>'
                f'<div class="Detail_Content"><div class="content">{TEXT}</div></div>'
                "<!--enpproperty <author>2018-08-03</author>/enpproperty-->")
    assert extract(html, URL, URLS).authors == []
    assert ("authors", "enpproperty") in read_and_assemble(html)


def test_a_byline_ending_the_text() -> None:
    html = page(f'<h1>{TITLE}</h1><p class="d">2018-08-03 17:13:55\u3000人民网</p><div class="txt">{TEXT}'
                "<p>作者：张井 何 可</p><p>（责任编辑：语安）</p></div>")
    article = extract(html, URL, URLS)
    assert (article.source, article.authors, article.editor) == ("人民网", ["张井", "何可"], "语安")
    assert "作者" not in article.body and "2018" not in article.body


def test_author_checks() -> None:
    assert author_problem("张井") is None and author_problem("Zhang Jing") is None
    assert author_problem("2018-08-03") == "a date or time"
    assert author_problem(TITLE, TITLE) == "the page's title"
    assert author_problem("编辑") == "a label"


# --- subtitle and caption ------------------------------------------------------------------

def test_the_title_again_as_subtitle_is_refused() -> None:
    html = page(f'<div class="Detail_Title"><h1>{TITLE}</h1></div><div class="publish">2018-08-03 17:13:55</div>'
                f'<div class="Detail_Content"><div class="content">{TEXT}</div></div>'
                f"<!--enpproperty <subtitle>{TITLE}</subtitle>/enpproperty-->")
    assert extract(html, URL, URLS).subtitle is None
    assert ("subtitle", "enpproperty") in read_and_assemble(html)
    assert subtitle_problem(f"——{TITLE}", TITLE) == "the title again"
    assert subtitle_problem("江苏省质量提升工作取得新进展", TITLE) is None


def test_a_paragraph_of_the_body_under_an_image_is_not_its_caption() -> None:
    sentence = "检查人员在企业现场查看电线电缆生产情况，并对发现的问题提出了整改要求。"
    html = page(f'<div class="Detail_Title"><h1>{TITLE}</h1></div><div class="publish">2018-08-03 17:13:55</div>'
                f'<div class="Detail_Content"><div class="content"><p align="center"><img src="/qt/img/1.jpg" /></p>'
                f'<p align="center">{sentence}</p>{TEXT}</div></div>')
    article = extract(html, URL, URLS)
    assert article.images == [{"url": URLS.base + "/qt/img/1.jpg", "caption": None}]
    assert article.body.startswith(sentence)
    assert ("caption", "centred_line") in read_and_assemble(html)
    assert caption_problem("检查人员在企业现场查看生产情况") is None
    assert caption_problem("（张井）") == "a byline"
    assert caption_problem("与会代表参观成果展", {"与会代表参观成果展"}) == "a paragraph of the body"


# --- the meta line -------------------------------------------------------------------------

@pytest.mark.parametrize(("line", "source", "authors"), [
    ("2018-08-03 17:13:55 人民网 张井 李明", "人民网", ["张井", "李明"]),
    ("中国质量报 2018-08-03 17:13", "中国质量报", []),
    ("张井 2018-08-03 17:13:55 中国质量新闻网", "中国质量新闻网", ["张井"]),  # a known outlet wherever it stands
    ("2018-08-03 17:13:55 来源：新华网 作者：何 可", "新华网", ["何可"]),
    ("2018-08-03 17:13:55 新浪财经 王芳", "新浪财经", ["王芳"]),  # no outlet by shape: the first name after the time
    ("2018-08-03 17:13:55 张井", None, ["张井"]),
    ("2018-08-03 【打印】【关闭】 分享到：", None, []),
])
def test_a_meta_line_read_by_position_and_shape(line: str, source: str | None, authors: list[str]) -> None:
    found = read_meta_line(line)
    assert (found.source, found.authors) == (source, authors)


def test_article_problems_names_every_impossible_field() -> None:
    record = {"title": "首页", "source": "2018-08-03 17:13:55", "authors": ["张井", "分享到"], "editor": "本文转自人民网。",
              "subtitle": "首页", "body": "正文", "images": [{"url": "x", "caption": "一段很长的正文。"}],
              "published_at": "2018-08-04T10:00:00+08:00", "url": URL, "flags": []}
    found = article_problems(record)
    assert [p.split(" ", 1)[0] for p in found] == ["title", "source", "author", "editor", "subtitle", "caption",
                                                   "published_at"]


def read_and_assemble(html: str) -> list[tuple[str, str]]:
    """Every (field, reading) refused while reading and assembling the page."""
    from cqnnews.reading.parsers import assemble

    reading = read_text(html, URL, URLS)
    assemble([reading], URL, URLS)
    return reading.rejected
