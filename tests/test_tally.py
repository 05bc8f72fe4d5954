"""The run's tally (cqnnews/crawl/tally.py): what a run counts, from the signals alone, without a crawl."""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

import pytest
from scrapy import Spider
from scrapy import signals as scrapy_signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from cqnnews import signals
from cqnnews.crawl.tally import Counted, Failed, RunTally
from cqnnews.state.records import Retry
from cqnnews.urls import SiteUrls
from tests.test_pipelines import ARTICLE


@pytest.fixture
def crawler() -> Crawler:
    return get_crawler(Spider)  # its signals and stats: no engine, no request


@pytest.fixture
def tally(crawler: Crawler) -> RunTally:
    return RunTally(crawler.stats, SiteUrls("https://www.cqn.com.cn").canonical).connect(crawler.signals)


def send(crawler: Crawler, signal: Any, **named: Any) -> None:
    crawler.signals.send_catch_log(signal=signal, **named)


def test_an_article_counts_once_in_total_and_once_in_each_of_its_sections(crawler: Crawler, tally: RunTally) -> None:
    send(crawler, signals.article_counted, sections=["要闻一", "要闻二"], outcome="new")
    send(crawler, signals.article_counted, sections=["要闻一"], outcome="revised")
    send(crawler, signals.article_counted, sections=["要闻二"], outcome="duplicate")
    send(crawler, signals.article_counted, sections=[], outcome="not_fetched")
    assert dict(tally.totals) == {"new": 1, "revised": 1, "duplicate": 1, "not_fetched": 1}
    assert {k: dict(v) for k, v in tally.by_section.items()} == {
        "要闻一": {"new": 1, "revised": 1}, "要闻二": {"new": 1, "duplicate": 1}, "(none)": {"not_fetched": 1}}
    assert tally.totals["failed"] == 0 and tally.settled() == set()


def test_a_failed_article_is_listed_with_its_canonical_url_counted_and_logged(
        crawler: Crawler, tally: RunTally, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="cqnnews.crawl.tally"):
        send(crawler, signals.article_failed, article_id=7, url="http://www.cqn.com.cn/ms/content/7.htm",
             sections=("民生",), reason="HTTP 500")
    assert tally.failed == (Failed(7, "https://www.cqn.com.cn/ms/content/7.htm", ["民生"], "HTTP 500"),)
    assert tally.totals["failed"] == 1 and tally.by_section["民生"]["failed"] == 1
    assert crawler.stats.get_value("cqnnews/article/failed") == 1
    assert "skipped article http://www.cqn.com.cn/ms/content/7.htm: HTTP 500" in caplog.text
    assert tally.settled() == {7}


def test_unchanged_and_dropped_articles_are_settled_but_a_drop_its_pipeline_counted_is_not_counted_again(
        crawler: Crawler, tally: RunTally) -> None:
    send(crawler, signals.article_unchanged, article_id=1, sections=["要闻一"])
    send(crawler, scrapy_signals.item_dropped, item=dataclasses.replace(ARTICLE, article_id=2), response=None,
         exception=DropItem("invalid"), spider=None)
    send(crawler, scrapy_signals.item_dropped, item=dataclasses.replace(ARTICLE, article_id=3), response=None,
         exception=Counted("unchanged"), spider=None)
    assert tally.unchanged == {1} and tally.dropped == {2} and tally.settled() == {1, 2}
    assert dict(tally.totals) == {"unchanged": 1, "dropped": 1}
    assert tally.by_section[ARTICLE.sections[0]]["dropped"] == 1


def test_the_progress_line_says_where_the_crawl_is_and_what_it_fetched(crawler: Crawler, tally: RunTally) -> None:
    assert tally.progress(0) == "navigation; 0 articles to fetch, 0/0 fetched, 0 failed"
    send(crawler, signals.crawl_moved, where="listing 要闻一 page 2")
    assert tally.where == "listing 要闻一 page 2" and not tally.articles_scheduled
    send(crawler, signals.articles_scheduled)
    send(crawler, signals.crawl_moved, where="articles")
    send(crawler, signals.articles_requested, count=4)
    for outcome in ("new", "revised", "unchanged", "duplicate"):
        send(crawler, signals.article_counted, sections=["要闻一"], outcome=outcome)
    send(crawler, signals.article_failed, article_id=9, url="https://www.cqn.com.cn/9.htm", sections=[], reason="x")
    assert tally.articles_scheduled and tally.articles_requested == 4
    assert tally.progress(3) == "articles; 3 articles to fetch, 4/4 fetched, 1 failed"  # a duplicate is not fetched


def test_a_failed_attachment_is_listed_and_retried_only_when_its_sender_says_so(crawler: Crawler,
                                                                                tally: RunTally) -> None:
    send(crawler, signals.attachment_tried, attempts={5: 2, 8: 1})
    assert tally.attachment_attempts == {5: 2, 8: 1}
    retry = Retry(5, "https://www.cqn.com.cn/5.htm", ["民生"], "attachment a.xls: HTTP 503", 3)
    send(crawler, signals.attachment_failed, article_id=5, url="a.xls", reason="HTTP 503", attempt=3, retry=retry)
    send(crawler, signals.attachment_failed, article_id=6, url="b.pdf", reason="HTTP 404", attempt=1, retry=None)
    assert [dict(f) for f in tally.attachment_failures] == [
        {"article_id": 5, "url": "a.xls", "reason": "HTTP 503", "attempt": 3, "retried": True},
        {"article_id": 6, "url": "b.pdf", "reason": "HTTP 404", "attempt": 1, "retried": False}]
    assert tally.attachment_retries == {5: retry}


def test_every_article_read_is_counted_for_the_monitors_and_the_feed_prepared_noted(crawler: Crawler,
                                                                                     tally: RunTally) -> None:
    send(crawler, signals.article_read, article=ARTICLE, fallbacks={"title": "og"}, rejected=[])
    send(crawler, signals.article_read, article=dataclasses.replace(ARTICLE, authors=[], layout="generic"),
         fallbacks={}, rejected=[("source", "meta")])
    reading = tally.articles_read
    assert (reading.articles, reading.authors, reading.generic, reading.fallback, reading.rejected) == (2, 1, 1, 1, 1)
    assert reading.body_chars == [len(ARTICLE.body)] * 2
    assert tally.prepared_feed is None
    send(crawler, signals.feed_prepared, feed="feeds/yaowen.jsonl")
    assert tally.prepared_feed == "feeds/yaowen.jsonl"


def test_what_the_tally_counts_is_read_only_to_every_other_component(crawler: Crawler, tally: RunTally) -> None:
    send(crawler, signals.article_unchanged, article_id=1, sections=["要闻一"])
    send(crawler, signals.article_read, article=ARTICLE, fallbacks={}, rejected=[])
    with pytest.raises(TypeError):
        tally.totals["new"] = 1  # type: ignore[index]
    with pytest.raises(TypeError):
        tally.by_section["要闻一"]["unchanged"] = 5  # type: ignore[index]
    with pytest.raises(TypeError):
        tally.attachment_retries[1] = None  # type: ignore[index]
    with pytest.raises(AttributeError):
        tally.unchanged.add(2)  # type: ignore[attr-defined]
    with pytest.raises(AttributeError):
        tally.where = "elsewhere"  # type: ignore[misc]
    tally.articles_read.add(ARTICLE, {})  # a copy: the tally's own count does not move
    assert tally.unchanged == {1} and tally.totals["unchanged"] == 1 and tally.articles_read.articles == 1
