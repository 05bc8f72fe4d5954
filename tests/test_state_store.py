"""The crawl state's behaviour, each test run against both stores: SQLite (one process) and a real Redis."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest
import redis

from cqnnews.errors import StateError
from cqnnews.state import CrawlState
from cqnnews.state.records import Exported, Retry, content_hash
from cqnnews.state.redis_store import RedisStateStore
from cqnnews.state.store import StateStore
from tests.redis_server import running_redis

Opener = Callable[[], CrawlState]


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_redis(tmp_path_factory.mktemp("redis")) as url:
        yield url


@pytest.fixture(params=["sqlite", "redis"])
def open_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Opener]:
    """Opens the store (again, on each call) over the same state."""
    opened: list[CrawlState] = []
    if request.param == "sqlite":
        def opener() -> CrawlState:
            opened.append(StateStore.open(tmp_path, "yaowen"))
            return opened[-1]
    else:
        url = request.getfixturevalue("redis_url")
        redis.Redis.from_url(url).flushdb()

        def opener() -> CrawlState:
            opened.append(RedisStateStore.open(url, "yaowen"))
            return opened[-1]
    yield opener
    for store in opened:
        store.close()


@pytest.fixture
def store(open_store: Opener) -> CrawlState:
    return open_store()


def exported(aid: int, revision: int = 1, body: str = "正文") -> Exported:
    record = {"title": "标题", "body": body}
    return Exported(aid, f"https://www.cqn.com.cn/qt/content/2026-10/05/content_{aid}.htm", content_hash(record),
                    "2026-10-05T10:00:00+08:00", ["要闻一"], revision)


def test_pending_until_exported_in_a_stored_feed(store: CrawlState) -> None:
    store.add_pending([(1, "u1", ["要闻一"]), (2, "u2", ["要闻二"])])
    assert store.known([1, 2, 3]) == {1: "pending", 2: "pending"}
    assert store.commit_exported([exported(1)], "feeds/yaowen/a.jsonl") == 1
    assert store.known([1, 2]) == {1: "exported", 2: "pending"}
    assert [p.article_id for p in store.pending()] == [2]


def test_pending_again_keeps_its_url_and_gains_sections(store: CrawlState) -> None:
    store.add_pending([(1, "u1", ["要闻一"])])
    store.add_pending([(1, "other", ["要闻二", "要闻一"]), (1, "third", ["图片"])])
    [p] = store.pending()
    assert (p.url, p.sections) == ("u1", ["要闻一", "要闻二", "图片"])


def test_state_survives_reopening(open_store: Opener) -> None:
    open_store().commit_exported([exported(7)], "f")
    known = open_store().exported(7)
    assert known is not None and known.revision == 1 and known.sections == ["要闻一"]


def test_failures_count_attempts(store: CrawlState) -> None:
    store.record_failures([(5, "u5", ["要闻一"], "HTTP 503")])
    store.record_failures([(5, "u5", ["要闻一"], "timeout")])
    [p] = store.pending()
    assert (p.attempts, p.reason, p.sections) == (2, "timeout", ["要闻一"])


def test_a_failure_of_a_pending_article_keeps_what_it_was(store: CrawlState) -> None:
    store.add_pending([(5, "u5", ["要闻一", "要闻二"])])
    store.record_failures([(5, "elsewhere", ["要闻一"], "HTTP 404")])
    [p] = store.pending()
    assert (p.url, p.sections, p.reason, p.attempts) == ("u5", ["要闻一", "要闻二"], "HTTP 404", 1)


def test_failures_from_two_workers_are_both_counted(open_store: Opener) -> None:
    one, two = open_store(), open_store()
    for _ in range(5):
        one.record_failures([(5, "u5", ["要闻一"], "HTTP 503")])
        two.record_failures([(5, "u5", ["要闻一"], "HTTP 503")])
    [p] = one.pending()
    assert p.attempts == 10


@pytest.mark.parametrize("prepared", [False, True])
def test_an_article_exported_with_a_file_to_fetch_is_pending_again_in_the_same_commit(
        store: CrawlState, prepared: bool) -> None:
    store.add_pending([(1, "u1", ["公告"]), (2, "u2", ["公告"]), (3, "u3", ["公告"])])
    retry = [Retry(1, "u1", ["公告"], "attachment https://x/1.xls: HTTP 503", 2)]
    if prepared:
        store.prepare([exported(1), exported(2)], "f", "f.part")
        assert store.commit_prepared("f", unchanged=[3], retry=retry) == 2
    else:
        assert store.commit_exported([exported(1), exported(2)], "f", unchanged=[3], retry=retry) == 2
    assert store.known([1, 2, 3]) == {1: "exported", 2: "exported"}  # 3: seen again unchanged, not pending
    [p] = store.pending()
    assert (p.article_id, p.reason, p.attempts) == (1, "attachment https://x/1.xls: HTTP 503", 2)
    store.commit_exported([], "g", unchanged=[1])  # fetched again, the file still missing, then given up
    assert store.pending() == []


def test_published_since(store: CrawlState) -> None:
    store.commit_exported([exported(1)], "f")
    assert [k.article_id for k in store.published_since(datetime(2026, 10, 4, tzinfo=timezone.utc))] == [1]
    assert store.published_since(datetime(2026, 10, 6, tzinfo=timezone.utc)) == []


def test_incomplete_listings_until_a_walk_completes(store: CrawlState) -> None:
    store.update_listings({"要闻一", "要闻二"}, set())
    assert store.incomplete_listings() == {"要闻一", "要闻二"}
    store.update_listings(set(), {"要闻一"})
    assert store.incomplete_listings() == {"要闻二"}


def test_unfinished_walks_resume_where_they_ended_until_one_finishes(store: CrawlState) -> None:
    a, b = "https://www.cqn.com.cn/qt/node_20762.htm", "https://www.cqn.com.cn/qt/node_20796.htm"
    assert store.unfinished_walks() == {}
    store.update_walks({a: 7, b: 3}, ())
    assert store.unfinished_walks() == {a: 7, b: 3}
    store.update_walks({a: 9}, [b])
    assert store.unfinished_walks() == {a: 9}
    store.update_listings({"要闻"}, ())  # the listings left incomplete by a failed page are apart
    assert store.unfinished_walks() == {a: 9} and store.incomplete_listings() == {"要闻"}
    store.update_walks({}, [a, b])
    assert store.unfinished_walks() == {}


def test_a_new_revision_replaces_the_old(store: CrawlState) -> None:
    store.commit_exported([exported(3)], "a")
    store.commit_exported([exported(3, revision=2, body="改")], "b")
    known = store.exported(3)
    assert known is not None and known.revision == 2 and known.content_hash == exported(3, body="改").content_hash
    assert store.count() == 1


def test_large_commits_stream_their_records(store: CrawlState) -> None:
    store.add_pending((aid, f"u{aid}", ["要闻一"]) for aid in range(1, 3001))  # a generator, read once
    assert store.pending_count() == 3000
    assert store.commit_exported((exported(aid) for aid in range(1, 2001)), "f") == 2000
    assert store.pending_count() == 1000 and store.count() == 2000
    assert store.known([2000, 2001]) == {2000: "exported", 2001: "pending"}


def test_newer_schema_is_refused(open_store: Opener, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    store = open_store()
    if isinstance(store, RedisStateStore):
        store.db.hset(store.key("meta"), "schema_version", 2)
    else:
        db = sqlite3.connect(tmp_path / "yaowen.sqlite3")
        db.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
        db.commit()
    with pytest.raises(StateError, match="newer than this cqnnews understands"):
        open_store()


def test_content_hash_ignores_fetch_details() -> None:
    a = {"title": "t", "body": "b", "fetched_at": "x", "sections": ["a"]}
    assert content_hash(a) == content_hash({**a, "fetched_at": "y", "sections": ["b"]})
    assert content_hash(a) != content_hash({**a, "body": "c"})


def test_not_a_database_is_refused(tmp_path: Path) -> None:
    (tmp_path / "yaowen.sqlite3").write_text("hello, this is not sqlite" * 100)
    with pytest.raises(StateError, match="not a cqnnews state database"):
        StateStore.open(tmp_path, "yaowen")


def test_both_stores_keep_the_same_interface() -> None:
    wanted = {name for name in dir(CrawlState) if not name.startswith("_")}
    for store in (StateStore, RedisStateStore):
        assert wanted <= set(dir(store)) | {"path"}, store


def test_a_file_damaged_after_a_clean_close_is_still_found(tmp_path: Path) -> None:
    store = StateStore.open(tmp_path, "yaowen")
    store.commit_exported((exported(aid) for aid in range(1, 5001)), "f")
    store.close()
    assert (tmp_path / "yaowen.sqlite3.closed").exists()
    StateStore.open(tmp_path, "yaowen").close()  # unchanged since closed: opens without reading it whole
    raw = bytearray((tmp_path / "yaowen.sqlite3").read_bytes())
    middle = len(raw) // 2
    raw[middle:middle + 4096] = b"\xff" * 4096
    (tmp_path / "yaowen.sqlite3").write_bytes(bytes(raw))
    with pytest.raises(StateError, match="damaged|not a cqnnews state database"):
        StateStore.open(tmp_path, "yaowen")
