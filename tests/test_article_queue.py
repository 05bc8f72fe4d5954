"""What a run is to fetch (cqnnews/crawl/article_queue.py), read from a crawl state and a scratch made by hand: no crawl."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest

from cqnnews.crawl.article_queue import ArticleQueue, ArticleTask, gone
from cqnnews.state.records import Exported
from cqnnews.state.scratch import RunScratch
from cqnnews.state.store import StateStore
from cqnnews.urls import SiteUrls

BASE = "http://127.0.0.1:8000"
URLS = SiteUrls(BASE)
NOW = datetime(2026, 1, 10, 8, 0, tzinfo=timezone.utc)


def url(aid: int) -> str:
    return f"{BASE}/qt/content/2026-01/01/content_{aid}.htm"


def canonical(aid: int) -> str:
    return URLS.canonical(url(aid))


@pytest.fixture
def store(tmp_path: Path) -> Iterator[StateStore]:
    made = StateStore.open(tmp_path, "yaowen")
    yield made
    made.close()


def test_found_articles_are_written_pending_before_the_first_task(store: StateStore) -> None:
    scratch = RunScratch()
    scratch.note([(8000001, url(8000001)), (8000002, url(8000002))], "要闻一", (0, 0))
    scratch.note([(8000002, url(8000002))], "要闻二", (0, 1))
    queue = ArticleQueue(store, scratch, URLS, NOW)
    tasks = queue.tasks()
    first = next(tasks)
    pending = {p.article_id: p.sections for p in store.pending()}
    assert pending == {8000001: ["要闻一"], 8000002: ["要闻一", "要闻二"]}
    assert queue.requested == 2
    assert [first, *tasks] == [ArticleTask(8000002, url(8000002), ("要闻一", "要闻二")),  # the newest first
                               ArticleTask(8000001, url(8000001), ("要闻一",))]


def test_pending_articles_come_back_unless_gone_and_not_listed_again(store: StateStore) -> None:
    store.add_pending([(7000001, canonical(7000001), ["要闻一"]), (7000002, canonical(7000002), ["要闻一"]),
                       (7000003, canonical(7000003), ["要闻二"]), (7000004, canonical(7000004), ["要闻二"])])
    store.record_failures([(7000002, canonical(7000002), ["要闻一"], "HTTP 404"),
                           (7000003, canonical(7000003), ["要闻二"], "HTTP 404"),
                           (7000004, canonical(7000004), ["要闻二"], "attachment a.pdf: HTTP 503")])
    scratch = RunScratch()
    scratch.note([(7000003, url(7000003))], "要闻二", (0, 1))  # listed again this run: fetched again though gone
    queue = ArticleQueue(store, scratch, URLS, NOW)
    assert sorted(t.article_id for t in queue.tasks()) == [7000001, 7000003, 7000004]
    assert queue.attachment_attempts == {7000004: 1}
    assert queue.requested == 3


def test_rechecks_come_after_the_found_and_are_marked(store: StateStore) -> None:
    store.commit_exported([Exported(6000001, canonical(6000001), "h", "2026-01-08T00:00:00+08:00", ["要闻一"], 1),
                           Exported(6000002, canonical(6000002), "h", "2025-12-01T00:00:00+08:00", ["要闻一"], 1)],
                          "f")
    scratch = RunScratch()
    scratch.note([(8000001, url(8000001))], "要闻一", (0, 0))
    tasks = list(ArticleQueue(store, scratch, URLS, NOW, recheck_days=7).tasks())
    assert [(t.article_id, t.recheck) for t in tasks] == [(8000001, False), (6000001, True)]
    assert tasks[1].sections == ("要闻一",)
    # the next run without rechecks: only what the first left pending
    assert [(t.article_id, t.recheck) for t in ArticleQueue(store, RunScratch(), URLS, NOW).tasks()] == [
        (8000001, False)]


def test_a_sample_takes_the_newest_few_of_each_listing_and_forgets_the_others(store: StateStore) -> None:
    scratch = RunScratch()
    scratch.note([(aid, url(aid)) for aid in (8000005, 8000004, 8000003)], "要闻一", (0, 0))
    scratch.note([(8000002, url(8000002)), (8000001, url(8000001))], "要闻二", (0, 1))
    queue = ArticleQueue(store, scratch, URLS, NOW, sample=2)
    assert [t.article_id for t in queue.tasks()] == [8000005, 8000004, 8000002, 8000001]
    assert queue.requested == 4
    assert sorted(aid for aid, _, _ in scratch.found()) == [8000001, 8000002, 8000004, 8000005]


@pytest.mark.parametrize(("reason", "is_gone"), [("HTTP 404", True), ("HTTP 410", True), ("HTTP 503", False),
                                                  (None, False), ("TimeoutError", False)])
def test_gone(reason: str | None, is_gone: bool) -> None:
    assert gone(reason) is is_gone
