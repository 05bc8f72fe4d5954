from __future__ import annotations

import email.utils
import time
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Response
from scrapy.utils.test import get_crawler

from cqnnews.crawl.middlewares.completeness import CompletenessMiddleware
from cqnnews.crawl.middlewares.retry import retry_after_seconds
from cqnnews.crawl.spiders.registry import SPIDERS
from tests.conftest import project_settings
from tests.replica.faults import parse_spec

URL = "http://127.0.0.1:8000/qt/content/2020-01/01/content_8000000.htm"


def test_retry_after_as_seconds_or_date_or_absent() -> None:
    assert retry_after_seconds(Response(URL, headers={"Retry-After": "7"})) == 7.0
    later = email.utils.formatdate(time.time() + 30, usegmt=True)
    assert 25 <= (retry_after_seconds(Response(URL, headers={"Retry-After": later})) or 0) <= 31
    assert retry_after_seconds(Response(URL)) is None
    assert retry_after_seconds(Response(URL, headers={"Retry-After": "soon"})) is None


@pytest.fixture
def completeness(tmp_path: Path) -> CompletenessMiddleware:
    crawler = get_crawler(SPIDERS["yaowen"], project_settings(CQN_STATE_DIR=str(tmp_path), RETRY_TIMES=1,
                                                              CQN_BASE_URL="http://127.0.0.1:8000"))
    crawler.spider = crawler._create_spider()
    return CompletenessMiddleware.from_crawler(crawler)


def test_complete_page_passes(completeness: CompletenessMiddleware) -> None:
    response = HtmlResponse(URL, body=b"<html><body><p>x</p></body></html>\n", request=Request(URL))
    assert completeness.process_response(Request(URL), response) is response


def test_page_cut_short_is_retried_then_given_up(completeness: CompletenessMiddleware) -> None:
    cut = HtmlResponse(URL, body=b"<html><body><p>half a pa", request=Request(URL))
    retry = completeness.process_response(Request(URL), cut)
    assert isinstance(retry, Request) and retry.meta["retry_times"] == 1
    with pytest.raises(IgnoreRequest, match="cut short"):
        completeness.process_response(retry, cut)


def test_fault_spec() -> None:
    assert parse_spec("503=0.1,429=0.05") == {"503": 0.1, "429": 0.05}
    for bad, says in (("teapot=0.1", "unknown fault"), ("503=lots", "needs a probability"), ("503=2", "between 0 and 1"),
                      ("503=0.6,500=0.6", "more than 1")):
        with pytest.raises(ValueError, match=says):
            parse_spec(bad)
