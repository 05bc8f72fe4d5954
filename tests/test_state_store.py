from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from pathlib import Path

import pytest

from cqnnews.state.store import Exported, StateError, StateStore, content_hash


def exported(aid: int, revision: int = 1, body: str = "正文") -> Exported:
    record = {"title": "标题", "body": body}
    return Exported(aid, f"https://www.cqn.com.cn/qt/content/2026-10/05/content_{aid}.htm", content_hash(record),
                    "2026-10-05T10:00:00+08:00", ["要闻一"], revision)


def test_pending_until_exported_in_a_stored_feed(tmp_path: Path) -> None:
    store = StateStore.open(tmp_path, "yaowen")
    store.add_pending([(1, "u1", ["要闻一"]), (2, "u2", ["要闻二"])])
    assert store.known([1, 2, 3]) == {1: "pending", 2: "pending"}
    assert store.commit_exported([exported(1)], "feeds/yaowen/a.jsonl") == 1
    assert store.known([1, 2]) == {1: "exported", 2: "pending"}
    assert [p.article_id for p in store.pending()] == [2]


def test_state_survives_reopening(tmp_path: Path) -> None:
    StateStore.open(tmp_path, "yaowen").commit_exported([exported(7)], "f")
    again = StateStore.open(tmp_path, "yaowen")
    known = again.exported(7)
    assert known is not None and known.revision == 1 and known.sections == ["要闻一"]


def test_failures_count_attempts(tmp_path: Path) -> None:
    store = StateStore.open(tmp_path, "yaowen")
    store.record_failures([(5, "u5", ["要闻一"], "HTTP 503")])
    store.record_failures([(5, "u5", ["要闻一"], "timeout")])
    [p] = store.pending()
    assert p.attempts == 2 and p.reason == "timeout"


def test_published_since(tmp_path: Path) -> None:
    store = StateStore.open(tmp_path, "yaowen")
    store.commit_exported([exported(1)], "f")
    assert [k.article_id for k in store.published_since(datetime(2026, 10, 4, tzinfo=timezone.utc))] == [1]
    assert store.published_since(datetime(2026, 10, 6, tzinfo=timezone.utc)) == []


def test_content_hash_ignores_fetch_details() -> None:
    a = {"title": "t", "body": "b", "fetched_at": "x", "sections": ["a"]}
    assert content_hash(a) == content_hash({**a, "fetched_at": "y", "sections": ["b"]})
    assert content_hash(a) != content_hash({**a, "body": "c"})


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    StateStore.open(tmp_path, "yaowen").close()
    db = sqlite3.connect(tmp_path / "yaowen.sqlite3")
    db.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    db.commit()
    with pytest.raises(StateError, match="newer than this cqnnews understands"):
        StateStore.open(tmp_path, "yaowen")


def test_not_a_database_is_refused(tmp_path: Path) -> None:
    (tmp_path / "yaowen.sqlite3").write_text("hello, this is not sqlite" * 100)
    with pytest.raises(StateError, match="not a cqnnews state database"):
        StateStore.open(tmp_path, "yaowen")


def test_both_stores_keep_the_same_interface() -> None:
    from cqnnews.state import CrawlState
    from cqnnews.state.redis_store import RedisStateStore

    wanted = {name for name in dir(CrawlState) if not name.startswith("_")}
    for store in (StateStore, RedisStateStore):
        assert wanted <= set(dir(store)) | {"path"}, store


def test_large_commits_stream_their_records(tmp_path: Path) -> None:
    store = StateStore.open(tmp_path, "yaowen")
    store.add_pending((aid, f"u{aid}", ["要闻一"]) for aid in range(1, 3001))  # a generator, read once
    assert store.pending_count() == 3000
    assert store.commit_exported((exported(aid) for aid in range(1, 2001)), "f") == 2000
    assert store.pending_count() == 1000 and store.count() == 2000
    assert store.known([2000, 2001]) == {2000: "exported", 2001: "pending"}
