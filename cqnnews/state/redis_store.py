"""Crawl state in Redis, for several workers sharing one crawl (``CQN_REDIS_URL``).

The same interface as :class:`cqnnews.state.store.StateStore`, under ``cqn:<spider>:``:
``articles`` (hash: id -> exported article), ``published`` (sorted set: id by publication
time), ``pending`` (hash: id -> article still to fetch) and ``meta`` (hash).
"""

from __future__ import annotations

import itertools
import json
import os
import socket
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry as RedisRetry

from cqnnews.clock import utc_now
from cqnnews.errors import StateError
from cqnnews.state.records import KEEP_RUNS, SCHEMA_VERSION, Exported, Known, Pending, Retry
from cqnnews.urls import redact


def client(url: str) -> redis.Redis:
    """A client for ``url``, not connected yet; StateError in one line for a URL that is not one."""
    try:
        # No retries inside a call: each would block Scrapy's event loop (redis-py backs off for seconds);
        # a worker retries on its own pace instead, paused (see cqnnews.crawl.outage).
        return redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=10, health_check_interval=30,
                                    retry=RedisRetry(NoBackoff(), 0))
    except ValueError:
        raise StateError(f"CQN_REDIS_URL must look like redis://host:port/db (redis://:password@host:port/db with a password), got {redact(url)!r}") \
            from None


def unreachable(url: str, exc: BaseException) -> str:
    """Why Redis at ``url`` cannot be reached, in one line, without its password."""
    secret = urlsplit(url).password
    said = str(exc).replace(url, redact(url))
    return (f"cannot reach Redis at {redact(url)} ({said.replace(secret, '***') if secret else said}); "
            "start one with `make redis` or fix CQN_REDIS_URL")


def connect(url: str) -> redis.Redis:
    """A client for ``url`` that answered PING; StateError in one line otherwise."""
    db = client(url)
    try:
        db.ping()
    except redis.RedisError as exc:
        raise StateError(unreachable(url, exc)) from None
    return db


# Both scripts run atomically in Redis: two workers updating one pending article never lose an update.
_ADD_PENDING = """
local now = ARGV[1]
for i = 2, #ARGV, 3 do
  local aid, sections = ARGV[i], cjson.decode(ARGV[i + 2])
  local raw = redis.call('HGET', KEYS[1], aid)
  local row
  if raw then
    row = cjson.decode(raw)
    local seen, merged = {}, {}
    for _, group in ipairs({row.sections or {}, sections}) do
      for _, name in ipairs(group) do
        if not seen[name] then seen[name] = true; table.insert(merged, name) end
      end
    end
    row.sections = merged
  else
    row = {url = ARGV[i + 1], sections = sections, first_found = now}
  end
  redis.call('HSET', KEYS[1], aid, cjson.encode(row))
end
"""
_RECORD_FAILURES = """
local now = ARGV[1]
for i = 2, #ARGV, 4 do
  local aid = ARGV[i]
  local raw = redis.call('HGET', KEYS[1], aid)
  local row
  if raw then
    row = cjson.decode(raw)
  else
    row = {url = ARGV[i + 1], sections = cjson.decode(ARGV[i + 2]), first_found = now}
  end
  row.reason = ARGV[i + 3]
  row.attempts = (row.attempts or 0) + 1
  row.last_attempt = now
  redis.call('HSET', KEYS[1], aid, cjson.encode(row))
end
"""
_BATCH = 500  # articles per script call: Redis runs one script at a time


def process_alive(pid: int) -> bool:
    """Whether process ``pid`` of this host is running (someone else's counts as running)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _sections(value: Any) -> list[str]:
    """Lua's cjson writes an empty list as ``{}``."""
    return list(value) if isinstance(value, list) else []


def _epoch(published_at: str | None) -> float:
    return datetime.fromisoformat(published_at).timestamp() if published_at else 0.0


class RedisStateStore:
    def __init__(self, client: redis.Redis, spider: str) -> None:
        self.db = client
        self.prefix = f"cqn:{spider}:"
        self.path = f"redis key prefix {self.prefix}"
        self._add_pending = self.db.register_script(_ADD_PENDING)
        self._record_failures = self.db.register_script(_RECORD_FAILURES)
        version = self.db.hget(self.key("meta"), "schema_version")
        if version is None:
            self.db.hset(self.key("meta"), "schema_version", SCHEMA_VERSION)
        elif int(version) > SCHEMA_VERSION:
            raise StateError(f"the crawl state under {self.prefix} has schema version {int(version)}, newer than "
                             f"this cqnnews understands ({SCHEMA_VERSION}); upgrade cqnnews")

    @classmethod
    def open(cls, url: str, spider: str) -> "RedisStateStore":
        return cls(connect(url), spider)

    def key(self, name: str) -> str:
        return self.prefix + name

    def close(self) -> None:
        self.db.close()

    # --- reading -------------------------------------------------------------------------

    def known(self, ids: Iterable[int]) -> dict[int, str]:
        ids = list(ids)
        if not ids:
            return {}
        pipe = self.db.pipeline(transaction=False)
        pipe.hmget(self.key("pending"), ids)
        pipe.hmget(self.key("articles"), ids)
        pending, exported = pipe.execute()
        out = {aid: "pending" for aid, value in zip(ids, pending) if value is not None}
        out.update({aid: "exported" for aid, value in zip(ids, exported) if value is not None})
        return out

    def exported(self, article_id: int) -> Known | None:
        raw = self.db.hget(self.key("articles"), article_id)
        if raw is None:
            return None
        row = json.loads(raw)
        return Known(article_id, row["url"], row["content_hash"], row["revision"], _sections(row["sections"]))

    def published_since(self, since: datetime) -> list[Known]:
        ids = [int(x) for x in self.db.zrangebyscore(self.key("published"), since.timestamp(), "+inf")]
        return [k for aid in sorted(ids, reverse=True) if (k := self.exported(aid)) is not None]

    def pending(self) -> list[Pending]:
        rows = self.db.hgetall(self.key("pending"))
        out = [Pending(int(aid), (r := json.loads(raw))["url"], _sections(r["sections"]), r.get("reason"),
                       r.get("attempts", 0)) for aid, raw in rows.items()]
        return sorted(out, key=lambda p: p.article_id, reverse=True)

    def pending_count(self) -> int:
        return int(self.db.hlen(self.key("pending")))

    def count(self) -> int:
        return int(self.db.hlen(self.key("articles")))

    def incomplete_listings(self) -> set[str]:
        return {k.decode().removeprefix("incomplete:") for k in self.db.hkeys(self.key("meta"))
                if k.startswith(b"incomplete:")}

    # --- writing -------------------------------------------------------------------------

    def add_pending(self, found: Iterable[tuple[int, str, list[str]]]) -> None:
        """Articles to fetch; one already pending keeps its URL and gains the sections it lacked."""
        self._run_batches(self._add_pending, ((aid, url, json.dumps(sections, ensure_ascii=False))
                                              for aid, url, sections in found))

    def record_failures(self, failed: Iterable[tuple[int, str, list[str], str]]) -> None:
        self._run_batches(self._record_failures, ((aid, url, json.dumps(sections, ensure_ascii=False), reason)
                                                  for aid, url, sections, reason in failed))

    def _run_batches(self, script: Any, rows: Iterable[tuple[Any, ...]]) -> None:
        now = utc_now()
        it = iter(rows)
        while batch := list(itertools.islice(it, _BATCH)):
            script(keys=[self.key("pending")], args=[now, *(value for row in batch for value in row)])

    # --- the two-phase commit of a feed (see StateStore) ------------------------------------

    def prepare(self, records: Iterable[Exported], feed: str, part: str) -> int:
        """Recorded with absolute paths and the host and process preparing it: recovery by another worker (in
        another folder) finds the files, and leaves alone a commit whose run is alive."""
        feed, part = os.path.abspath(feed), os.path.abspath(part)
        key = self.key(f"prepared:{feed}")
        self.db.delete(key)
        n = 0
        it = iter(records)
        while batch := list(itertools.islice(it, _BATCH)):
            self.db.hset(key, mapping={r.article_id: json.dumps(
                [r.url, r.content_hash, r.published_at, r.sections, r.revision], ensure_ascii=False) for r in batch})
            n += len(batch)
        self.db.hset(self.key("prepared"), feed, json.dumps({"part": part, "host": socket.gethostname(),
                                                             "pid": os.getpid()}))
        return n

    def prepared_feeds(self) -> list[tuple[str, str]]:
        """Feeds prepared by dead runs of this host (their files are on its disks; a live run, another worker
        committing its feed right now, is left alone) and not committed or discarded."""
        out = []
        for feed, raw in self.db.hgetall(self.key("prepared")).items():
            row = json.loads(raw)
            pid = row.get("pid")
            live = isinstance(pid, int) and pid != os.getpid() and process_alive(pid)
            if row.get("host") == socket.gethostname() and not live:
                out.append((feed.decode(), row["part"]))
        return sorted(out)

    def commit_prepared(self, feed: str, unchanged: Iterable[int] = (), retry: Iterable[Retry] = ()) -> int:
        feed = os.path.abspath(feed)
        raw = self.db.hgetall(self.key(f"prepared:{feed}"))
        records = [Exported(int(aid), *json.loads(value)) for aid, value in raw.items()]
        n = self.commit_exported(records, feed, unchanged, retry, done=(self.key(f"prepared:{feed}"), feed))
        return n

    def discard_prepared(self, feed: str) -> None:
        feed = os.path.abspath(feed)
        pipe = self.db.pipeline(transaction=True)
        pipe.delete(self.key(f"prepared:{feed}"))
        pipe.hdel(self.key("prepared"), feed)
        pipe.execute()

    def commit_exported(self, records: Iterable[Exported], feed: str, unchanged: Iterable[int] = (),
                        retry: Iterable[Retry] = (), done: tuple[str, str] | None = None) -> int:
        now = utc_now()
        records = list(records)
        pipe = self.db.pipeline(transaction=True)  # MULTI/EXEC: all or none
        for r in records:
            pipe.hset(self.key("articles"), r.article_id, json.dumps(
                {"url": r.url, "content_hash": r.content_hash, "published_at": r.published_at,
                 "sections": r.sections, "revision": r.revision, "last_seen": now, "feed": feed}, ensure_ascii=False))
            pipe.zadd(self.key("published"), {str(r.article_id): _epoch(r.published_at)})
            pipe.hdel(self.key("pending"), r.article_id)
        for aid in unchanged:  # seen again, the same: no longer pending
            pipe.hdel(self.key("pending"), aid)
        for r in retry:  # exported, a file still to fetch: pending again
            pipe.hset(self.key("pending"), r.article_id, json.dumps(
                {"url": r.url, "sections": r.sections, "first_found": now, "reason": r.reason, "attempts": r.attempts,
                 "last_attempt": now}, ensure_ascii=False))
        if done is not None:  # the prepared records, gone in the same transaction
            pipe.delete(done[0])
            pipe.hdel(self.key("prepared"), done[1])
        pipe.execute()
        return len(records)

    def runs(self, last: int) -> list[dict[str, Any]]:
        return [json.loads(raw) for raw in reversed(self.db.lrange(self.key("runs"), 0, last - 1))]

    def record_run(self, profile: dict[str, Any], keep: int = KEEP_RUNS) -> None:
        pipe = self.db.pipeline(transaction=True)
        pipe.lpush(self.key("runs"), json.dumps(profile, ensure_ascii=False))
        pipe.ltrim(self.key("runs"), 0, keep - 1)
        pipe.execute()

    def unfinished_walks(self) -> dict[str, int]:
        return {k.decode().removeprefix("walk:"): int(v) for k, v in self.db.hgetall(self.key("meta")).items()
                if k.startswith(b"walk:")}

    def update_walks(self, unfinished: Mapping[str, int], finished: Iterable[str]) -> None:
        pipe = self.db.pipeline(transaction=True)
        for node, page in unfinished.items():
            pipe.hset(self.key("meta"), f"walk:{node}", int(page))
        for node in finished:
            pipe.hdel(self.key("meta"), f"walk:{node}")
        pipe.execute()

    def update_listings(self, incomplete: Iterable[str], complete: Iterable[str]) -> None:
        pipe = self.db.pipeline(transaction=True)
        for name in incomplete:
            pipe.hset(self.key("meta"), f"incomplete:{name}", 1)
        for name in complete:
            pipe.hdel(self.key("meta"), f"incomplete:{name}")
        pipe.execute()
