"""Every replica article, parsed in process, against the replica's ground truth."""

from __future__ import annotations

import dataclasses

import pytest

from cqnnews.reading.parsers import ArticleParseError, extract, extract_pages
from cqnnews.reading.parsers.fields import article_problems
from cqnnews.schema import problems
from cqnnews.urls import SiteUrls
from tests.conftest import NOW
from tests.replica.site import ARTICLES, Site
from tests.replica.truth import expected_fields, served_pages

URLS = SiteUrls("http://127.0.0.1:8000")


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_replica_article_parses_to_its_ground_truth(seed: int) -> None:
    site = Site(seed=seed, scale=30, now=NOW)
    mismatches = []
    layouts = set()
    for ref in site.articles():
        record = dataclasses.asdict(extract_pages(served_pages(site, ref, URLS.base), URLS))
        assert problems(record) == []
        layouts.add(record["layout"])
        want = expected_fields(site, ref)
        del want["listings"]
        mismatches += [(ref.path, k, record[k], v) for k, v in want.items() if record[k] != v]
    assert mismatches == []
    assert layouts == {"current", "old", "generic"}


@pytest.mark.parametrize("template", ARTICLES)
def test_every_article_of_every_template_is_its_truth_and_no_field_holds_what_its_check_refuses(template: str) -> None:
    """Every --articles variant, every field of every article (source included), and each field's check
    (cqnnews/reading/parsers/fields.py) passes on what was read."""
    site = Site(seed=4, scale=10, now=NOW, template=template)
    mismatches, refused = [], []
    for ref in site.articles():
        record = dataclasses.asdict(extract_pages(served_pages(site, ref, URLS.base), URLS, now=NOW))
        want = expected_fields(site, ref)
        del want["listings"]
        mismatches += [(ref.path, k, record[k], v) for k, v in want.items() if record[k] != v]
        refused += [(ref.path, p) for p in article_problems(record)]
    assert mismatches == []
    assert refused == []


def test_page_without_a_headline_takes_its_title_from_the_title_element() -> None:
    page = ('<html><head><title>质量抽查结果公布_中国质量新闻网</title></head><body><div class="publish">2020-01-01 10:00:00'
            '</div><div class="Detail_Content"><div class="content"><p>正文。</p></div></div></body></html>')
    article = extract(page, URLS.base + "/qt/content/2020-01/01/content_8000000.htm", URLS)
    assert (article.title, article.body) == ("质量抽查结果公布", "正文。")


def test_page_with_no_headline_anywhere_takes_its_first_line_as_title_flagged_and_keeps_it() -> None:
    page = ('<div class="publish">2020-01-01 10:00:00</div><div class="Detail_Content"><div class="content">'
            '<p>抽查结果公布</p><p>正文。</p></div></div>')
    article = extract(page, URLS.base + "/qt/content/2020-01/01/content_8000000.htm", URLS)
    assert (article.title, article.body, article.flags) == ("抽查结果公布", "抽查结果公布\n正文。", ["title_from_body"])


def test_page_with_no_text_at_all_is_refused() -> None:
    with pytest.raises(ArticleParseError, match="no article text"):
        extract("<html><head><title>标题</title></head><body><div></div></body></html>",
                URLS.base + "/qt/content/2020-01/01/content_8000000.htm", URLS)


def test_article_without_date_is_flagged() -> None:
    page = ('<div class="Detail_Title"><h1>标题</h1></div><div class="publish"><span class="from"></span></div>'
            '<div class="Detail_Content"><div class="content"><p>正文。</p></div></div>')
    article = extract(page, URLS.base + "/news/qt/n6500/2000000.html", URLS)
    assert article.published_at is None and article.flags == ["no_date"]


def test_article_dated_only_by_its_url_is_flagged_so() -> None:
    page = ('<div class="Detail_Title"><h1>标题</h1></div><div class="publish"><span class="from"></span></div>'
            '<div class="Detail_Content"><div class="content"><p>正文。</p></div></div>')
    article = extract(page, URLS.base + "/qt/content/2020-01/01/content_8000000.htm", URLS)
    assert article.published_at == "2020-01-01T00:00:00+08:00" and article.flags == ["date_from_url"]


@pytest.mark.parametrize("head", [
    '<meta name="KeyWords" content="质量 标准">',
    '<meta name="keywords"><meta name="KEYWORDS" content="二">',  # the first with a content
    '<meta name="description" content="不是">',
    '<meta name="\u212aeywords" content="Kelvin sign: not ASCII">',
    '',
])
def test_keywords_in_head_without_xpath_are_what_the_xpath_finds(head: str) -> None:
    from lxml import etree

    from cqnnews.reading.parsers.readings import _head_keywords

    html = f"<html><head><title>t</title>{head}</head><body><meta name='keywords' content='体内'></body></html>"
    root = etree.fromstring(html.encode(), etree.HTMLParser(encoding="utf-8"))
    found = root.xpath("/html/head/meta[translate(@name,'KEYWORDS','keywords')='keywords']/@content")
    assert _head_keywords(root) == (str(found[0]) if found else None)


def test_a_body_nested_deeper_than_libxml2s_default_limit_is_read_whole() -> None:
    """Word pastes leave <span>/<font> unclosed: hundreds of levels deep."""
    paragraphs = "".join(f"<p><span><font>第{i}段。" for i in range(400))
    page = ('<div class="Detail_Title"><h1>标题</h1></div><div class="publish">2020-01-01 10:00:00</div>'
            f'<div class="Detail_Content"><div class="content">{paragraphs}</div></div>')
    article = extract(page, URLS.base + "/qt/content/2020-01/01/content_8000000.htm", URLS)
    assert "第0段。" in article.body and "第399段。" in article.body
