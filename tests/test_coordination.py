"""One process's coordination: article tasks handed out in batches when the spider runs dry.

The shared one (Redis workers) is exercised end to end in tests/test_e2e_redis.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from scrapy import Request
from scrapy.utils.test import get_crawler

from cqnnews.crawl.article_queue import ArticleQueue, gone
from cqnnews.crawl.coordination import LocalCoordination
from cqnnews.crawl.run import run_of
from cqnnews.crawl.shared_coordination import SharedCoordination
from cqnnews.crawl.spiders.registry import SPIDERS
from cqnnews.signals import article_unchanged, articles_scheduled
from tests.conftest import project_settings


class Engine:
    def __init__(self) -> None:
        self.crawled: list[Request] = []

    def crawl(self, request: Request) -> None:
        self.crawled.append(request)


def crawler(tmp_path: Path, **settings: Any) -> Any:
    made = get_crawler(SPIDERS["yaowen"], project_settings(CQN_STATE_DIR=str(tmp_path), CQN_ARTICLE_BATCH=2,
                                                           **settings))
    made.engine = Engine()
    return made


def test_a_local_run_is_chosen_without_redis_and_hands_out_batches(tmp_path: Path) -> None:
    c = crawler(tmp_path)
    run = run_of(c)
    assert isinstance(run.coordination, LocalCoordination) and not run.coordination.shared
    run.scratch.note([(i, f"http://127.0.0.1/{i}") for i in range(5)], "要闻一", (0, 0))
    queue = ArticleQueue(run.store, run.scratch, run.urls, run.now)
    batches = []
    while (batch := run.coordination.next_batch(run, queue)).keep_open:
        assert run.tally.where == "articles" and run.articles_scheduled
        run.coordination.schedule(batch, [Request(t.url) for t in batch.tasks])
        batches.append(len(batch.tasks))
    assert batches == [2, 2, 1] and batch.tasks == ()  # nothing left: the spider may close
    assert [r.url for r in c.engine.crawled] == [f"http://127.0.0.1/{i}" for i in range(4, -1, -1)]


def test_a_resumable_job_asks_for_one_listing_page_at_a_time_and_filters_articles(tmp_path: Path) -> None:
    plain = run_of(crawler(tmp_path / "a")).coordination
    resumable = run_of(crawler(tmp_path / "b", JOBDIR=str(tmp_path / "job"))).coordination
    assert plain.asks_ahead() and plain.articles_bypass_filter() and plain.pages_bypass_filter()
    assert not resumable.asks_ahead() and not resumable.articles_bypass_filter() and resumable.pages_bypass_filter()


def test_articles_without_an_outcome_are_unaccounted_once_articles_were_scheduled(tmp_path: Path) -> None:
    run = run_of(crawler(tmp_path))
    run.scratch.note([(1, "u1"), (2, "u2"), (3, "u3")], "要闻一", (0, 0))
    assert run.coordination.unaccounted(run) == []  # still walking listings
    run.send(articles_scheduled)
    run.send(article_unchanged, article_id=2, sections=["要闻一"])
    assert sorted(run.coordination.unaccounted(run)) == [1, 3]


def test_a_shared_crawl_is_chosen_with_redis(tmp_path: Path) -> None:
    from tests.redis_server import running_redis

    with running_redis(tmp_path) as url:
        run = run_of(crawler(tmp_path, CQN_REDIS_URL=url))
        assert isinstance(run.coordination, SharedCoordination) and run.coordination.shared
        assert not run.coordination.asks_ahead() and not run.coordination.pages_bypass_filter()
        assert run.coordination.walks_listings()
        run.store.close()


@pytest.mark.parametrize(("reason", "is_gone"), [("HTTP 404", True), ("HTTP 410", True), ("HTTP 503", False),
                                                  (None, False), ("TimeoutError", False)])
def test_gone(reason: str | None, is_gone: bool) -> None:
    assert gone(reason) is is_gone
