"""Redirects (3xx and meta refresh) are followed only within the site."""

from __future__ import annotations

import pytest
from scrapy import Request
from scrapy.utils.test import get_crawler

from cqnnews.crawl.middlewares.onsite import OnSiteRedirectsMiddleware, RedirectedOffSite
from cqnnews.crawl.spiders.registry import SPIDERS
from tests.conftest import project_settings

BASE = "http://127.0.0.1:8000"
FROM = BASE + "/qt/content/2020-01/01/content_8000000.htm"


@pytest.fixture
def middleware() -> OnSiteRedirectsMiddleware:
    return OnSiteRedirectsMiddleware(get_crawler(SPIDERS["yaowen"], project_settings(CQN_BASE_URL=BASE)))


@pytest.mark.parametrize("target", [BASE + "/qt/content/2020-01/01/content_8000001.htm",
                                    "https://www.cqn.com.cn/qt/content/2020-01/01/content_8000001.htm",
                                    "http://m.cqn.com.cn/qt/content/2020-01/01/content_8000001.htm"])
def test_a_redirect_within_the_site_is_followed(middleware: OnSiteRedirectsMiddleware, target: str) -> None:
    assert middleware.process_request(Request(target, meta={"redirect_urls": [FROM]})) is None


@pytest.mark.parametrize("target", ["http://localhost:8000/qt/content/2020-01/01/content_8000001.htm",
                                    "https://parked-domain.example/landing", "http://127.0.0.1:9999/x"])
def test_a_redirect_off_the_site_fails_its_request(middleware: OnSiteRedirectsMiddleware, target: str) -> None:
    with pytest.raises(RedirectedOffSite, match="redirected off the site"):
        middleware.process_request(Request(target, meta={"redirect_urls": [FROM]}, dont_filter=True))
    assert middleware.crawler.stats.get_value("cqnnews/redirect/offsite") == 1


def test_requests_that_were_not_redirected_are_not_its_business(middleware: OnSiteRedirectsMiddleware) -> None:
    assert middleware.process_request(Request("https://elsewhere.example/robots.txt")) is None
