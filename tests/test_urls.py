from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import pytest

from cqnnews.urls import SITE_HOSTS, SiteUrls, article_id


@pytest.mark.parametrize("url", [
    "http://www.cqn.com.cn/qt/content/2018-08/03/content_6121542.htm",
    "https://www.cqn.com.cn/qt/content/2018-08/03/content_6121542.htm",
    "https://m.cqn.com.cn/qt/content/2018-08/03/content_6121542.htm",
    "http://cqn.com.cn/qt/content/2018-08/03/content_6121542.htm#comments",
    "http://127.0.0.1:8000/qt/content/2018-08/03/content_6121542.htm",
])
def test_every_form_of_an_article_url_is_one_canonical_url(url: str) -> None:
    urls = SiteUrls("http://127.0.0.1:8000")
    assert urls.canonical(url) == "https://www.cqn.com.cn/qt/content/2018-08/03/content_6121542.htm"
    assert urls.fetchable(url) == "http://127.0.0.1:8000/qt/content/2018-08/03/content_6121542.htm"


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:8000/qt/content/2018-08/03/content_6121542.htm",
    "https://www.cqn.com.cn/img/2026-10/04/1_5c06b729.jpg",
    "https://www.cqn.com.cn/",
    "http://127.0.0.1:8000/a.htm?",
    "http://127.0.0.1:8000/a.htm?x=1#y",
    "http://127.0.0.1:8000/a b.htm",
    "http://127.0.0.1:8000/a\tb.htm\n",
    "http://127.0.0.1:8000/a.htm#",
    "HTTP://127.0.0.1:8000/a.htm",
    "http://127.0.0.1:80000/a.htm",
    "http://127.0.0.1:8000//a.htm",
    "https://www.cqn.com.cn/文件/附件.pdf",
    "http://cqn.com.cn/qt/node_6500.htm",
    "https://m.cqn.com.cn/qt/node_6500_2.htm",
    "http://www.cqn.com.cn:8080/a.htm",
    "http://www.cqn.com.cn.evil.example/a.htm",
])
def test_canonical_and_fetchable_without_parsing_are_what_urlsplit_gives(url: str) -> None:
    urls = SiteUrls("http://127.0.0.1:8000")
    parts = urlsplit(url)
    on_site = parts.netloc.lower() == "127.0.0.1:8000" or parts.netloc.lower().split(":")[0] in SITE_HOSTS
    path = (parts.path or "/", parts.query, "")
    assert urls.canonical(url) == (urlunsplit(("https", "www.cqn.com.cn", *path)) if on_site else url)
    assert urls.fetchable(url) == (urlunsplit(("http", "127.0.0.1:8000", *path)) if on_site else None)


def test_off_site_links_are_not_fetched() -> None:
    urls = SiteUrls()
    assert urls.fetchable("https://www.example.com/a.htm") is None
    assert urls.fetchable("javascript:void(0)") is None
    assert urls.canonical("https://www.example.com/a.htm") == "https://www.example.com/a.htm"


def test_article_ids_current_and_old_layout() -> None:
    assert article_id("https://www.cqn.com.cn/qt/content/2018-08/03/content_6121542.htm") == 6121542
    assert article_id("https://www.cqn.com.cn/qt/content/2018-08/03/content_6121542_2.htm") == 6121542
    assert article_id("http://www.cqn.com.cn/news/zgzlb/diyi/1034151.html") == 1034151
    assert article_id("https://www.cqn.com.cn/qt/node_6501.htm") is None


@pytest.mark.parametrize("bad", ["www.cqn.com.cn", "ftp://x", "", "https://"])
def test_bad_base_url_is_refused_with_what_is_accepted(bad: str) -> None:
    with pytest.raises(ValueError, match="CQN_BASE_URL must be an http"):
        SiteUrls(bad)
