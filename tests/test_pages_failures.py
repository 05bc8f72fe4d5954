"""Why a request failed, in a few words (cqnnews/crawl/pages/failures.py); whether its origin answered at all is
tested in tests/test_spiders_base.py."""

from __future__ import annotations

from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from cqnnews.crawl.pages.failures import failure_reason, unanswered


def failure_of(error: Exception) -> Failure:
    try:
        raise error
    except Exception:
        return Failure()


def test_an_http_error_is_its_status() -> None:
    url = "http://127.0.0.1:8000/qt/node_6500.htm"
    failure = failure_of(HttpError(Response(url, status=503, request=Request(url))))
    assert failure_reason(failure) == "HTTP 503" and unanswered(failure) is None


def test_robots_txt_and_other_errors_in_a_few_words() -> None:
    assert failure_reason(failure_of(IgnoreRequest("Forbidden by robots.txt"))) == "forbidden by robots.txt"
    assert failure_reason(failure_of(ValueError("a bad body"))) == "ValueError: a bad body"
    assert failure_reason(failure_of(TimeoutError())) == "TimeoutError"
