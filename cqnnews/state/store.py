"""Crawl state in one SQLite file per spider: ``<CQN_STATE_DIR>/<spider>.sqlite3``.

``articles`` holds every article exported in a feed that was closed successfully: its id,
URL, content hash, publication time, sections, revision and first/last seen.  ``pending``
holds articles found on listings but not exported yet (the run died, or the page failed):
the next run fetches them first, whatever its listing walk finds.
"""

from __future__ import annotations

import itertools
import json
import sqlite3
from array import array
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from cqnnews.clock import utc_now
from cqnnews.errors import StateError
from cqnnews.state.records import KEEP_RUNS, SCHEMA_VERSION, Exported, Known, Pending, Retry
from cqnnews.state.sqlite_tables import SQLITE_TABLES


class StateStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.db = sqlite3.connect(path, isolation_level=None, timeout=30)
        if not self._unchanged_since_closed():
            self._check()  # before anything writes to the file
        self.db.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
        self.db.execute("PRAGMA synchronous=FULL")  # a committed export survives a power cut
        self._migrate()

    @classmethod
    def open(cls, state_dir: str | Path, spider: str) -> "StateStore":
        directory = Path(state_dir)
        try:
            directory.mkdir(parents=True, exist_ok=True)
            probe = directory / f".{spider}.probe"
            probe.write_text("ok")
            probe.unlink()
        except OSError as exc:
            raise StateError(f"state directory {directory} is not writable ({exc.strerror}); "
                             "set CQN_STATE_DIR to a writable directory") from None
        path = directory / f"{spider}.sqlite3"
        try:
            return cls(path)
        except sqlite3.DatabaseError as exc:
            raise StateError(f"state file {path} is not a cqnnews state database ({exc}); "
                             "move it away or set CQN_STATE_DIR elsewhere") from None

    @property
    def _closed_marker(self) -> Path:
        return self.path.with_name(self.path.name + ".closed")

    def _stamp(self) -> str | None:
        try:
            st = self.path.stat()
        except OSError:
            return None
        return f"{st.st_size} {st.st_mtime_ns} {st.st_ino}"

    def _unchanged_since_closed(self) -> bool:
        """Whether the file is exactly as this store left it when it last closed cleanly: then the full
        check (which reads the whole file, half a second at a million articles) can be skipped.  A run
        that died, or anything else that wrote to the file, makes the next open check it whole."""
        try:
            return self._closed_marker.read_text().strip() == self._stamp()
        except OSError:
            return False

    def _check(self) -> None:
        damage = self.db.execute("PRAGMA quick_check(1)").fetchone()[0]
        if damage != "ok":
            self.db.close()
            raise StateError(f"state file {self.path} is damaged ({damage}); it was left as it is: restore it from a "
                             "backup, or move it away to start a new state (the next run then exports every "
                             "article again)")

    def _migrate(self) -> None:
        self.db.executescript(SQLITE_TABLES)
        row = self.db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        if row is None:
            self.db.execute("INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
        elif int(row[0]) > SCHEMA_VERSION:
            self.db.close()
            raise StateError(f"state file {self.path} has schema version {row[0]}, newer than this cqnnews "
                             f"understands ({SCHEMA_VERSION}); upgrade cqnnews or set CQN_STATE_DIR elsewhere")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def close(self) -> None:
        self.db.close()  # the last connection out checkpoints the write-ahead log into the file
        try:
            self._closed_marker.unlink(missing_ok=True)
            if (stamp := self._stamp()) is not None:
                self._closed_marker.write_text(stamp + "\n")
        except OSError:  # no marker: the next open checks the file whole
            pass

    # --- reading -------------------------------------------------------------------------

    def known(self, ids: Iterable[int]) -> dict[int, str]:
        """Which of ``ids`` were exported before ("exported") or are still to fetch ("pending")."""
        ids = list(ids)
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self.db.execute(f"SELECT article_id, 'pending' FROM pending WHERE article_id IN ({marks}) "
                               f"UNION ALL SELECT article_id, 'exported' FROM articles WHERE article_id IN ({marks})",
                               ids + ids)
        return dict(rows.fetchall())

    def exported(self, article_id: int) -> Known | None:
        row = self.db.execute("SELECT article_id, url, content_hash, revision, sections FROM articles "
                              "WHERE article_id = ?", (article_id,)).fetchone()
        return Known(row[0], row[1], row[2], row[3], json.loads(row[4])) if row else None

    def published_since(self, since: datetime) -> list[Known]:
        rows = self.db.execute("SELECT article_id, url, content_hash, revision, sections FROM articles "
                               "WHERE published_at >= ? ORDER BY article_id DESC", (since.isoformat(),))
        return [Known(r[0], r[1], r[2], r[3], json.loads(r[4])) for r in rows]

    def pending(self) -> list[Pending]:
        rows = self.db.execute("SELECT article_id, url, sections, reason, attempts FROM pending "
                               "ORDER BY article_id DESC")
        return [Pending(r[0], r[1], json.loads(r[2]), r[3], r[4]) for r in rows]

    def pending_count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM pending").fetchone()[0])

    def incomplete_listings(self) -> set[str]:
        """Listings whose last walk met a page that failed: walked in full until a walk completes."""
        rows = self.db.execute("SELECT key FROM meta WHERE key LIKE 'incomplete:%'")
        return {r[0].removeprefix("incomplete:") for r in rows}

    def update_listings(self, incomplete: Iterable[str], complete: Iterable[str]) -> None:
        with self.transaction():
            self.db.executemany("INSERT OR REPLACE INTO meta VALUES (?, '1')", [(f"incomplete:{n}",) for n in incomplete])
            self.db.executemany("DELETE FROM meta WHERE key = ?", [(f"incomplete:{n}",) for n in complete])

    def unfinished_walks(self) -> dict[str, int]:
        """Listings (by node) whose walk ended before their last page (a repeat, the cap, a stop, an outage): the
        page the next run resumes at."""
        rows = self.db.execute("SELECT key, value FROM meta WHERE key LIKE 'walk:%'")
        return {r[0].removeprefix("walk:"): int(r[1]) for r in rows}

    def update_walks(self, unfinished: Mapping[str, int], finished: Iterable[str]) -> None:
        with self.transaction():
            self.db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                                [(f"walk:{n}", str(int(p))) for n, p in unfinished.items()])
            self.db.executemany("DELETE FROM meta WHERE key = ?", [(f"walk:{n}",) for n in finished])

    def count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM articles").fetchone()[0])

    def runs(self, last: int) -> list[dict[str, Any]]:
        """The profiles of the ``last`` runs recorded (cqnnews.state.history), oldest first."""
        rows = self.db.execute("SELECT profile FROM runs ORDER BY n DESC LIMIT ?", (last,)).fetchall()
        return [json.loads(r[0]) for r in reversed(rows)]

    def record_run(self, profile: dict[str, Any], keep: int = KEEP_RUNS) -> None:
        """One run's profile; only the last ``keep`` are kept."""
        with self.transaction():
            self.db.execute("INSERT INTO runs (profile) VALUES (?)", (json.dumps(profile, ensure_ascii=False),))
            self.db.execute("DELETE FROM runs WHERE n <= (SELECT max(n) FROM runs) - ?", (keep,))

    # --- writing -------------------------------------------------------------------------

    def add_pending(self, found: Iterable[tuple[int, str, list[str]]]) -> None:
        """Articles found on listings and about to be fetched: fetched by a later run if this one dies.

        One already pending keeps its URL and gains the sections it lacked.
        """
        now = utc_now()
        it = iter(found)  # a large crawl's articles are never all in memory at once
        with self.transaction():
            while batch := list(itertools.islice(it, 500)):
                ids = list({aid for aid, _, _ in batch})
                marks = ",".join("?" * len(ids))
                have = {aid: json.loads(raw) for aid, raw in
                        self.db.execute(f"SELECT article_id, sections FROM pending WHERE article_id IN ({marks})", ids)}
                rows = []
                for aid, url, sections in batch:
                    merged = have[aid] = list(dict.fromkeys([*have.get(aid, []), *sections]))
                    rows.append((aid, url, json.dumps(merged, ensure_ascii=False), now))
                self.db.executemany(
                    "INSERT INTO pending (article_id, url, sections, first_found) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT (article_id) DO UPDATE SET sections = excluded.sections", rows)

    def record_failures(self, failed: Iterable[tuple[int, str, list[str], str]]) -> None:
        now = utc_now()
        with self.transaction():
            self.db.executemany(
                "INSERT INTO pending (article_id, url, sections, reason, attempts, first_found, last_attempt) "
                "VALUES (?, ?, ?, ?, 1, ?, ?) ON CONFLICT (article_id) DO UPDATE SET reason = excluded.reason, "
                "attempts = pending.attempts + 1, last_attempt = excluded.last_attempt",
                [(aid, url, json.dumps(s, ensure_ascii=False), reason, now, now) for aid, url, s, reason in failed])

    # --- the two-phase commit of a feed ---------------------------------------------------

    def prepare(self, records: Iterable[Exported], feed: str, part: str) -> int:
        """Record what ``feed`` holds, before its ``part`` file is renamed to it; returns how many."""
        ids = 0

        def rows() -> Iterator[tuple[Any, ...]]:
            nonlocal ids
            for r in records:
                ids += 1
                yield (r.article_id, r.url, r.content_hash, r.published_at, json.dumps(r.sections, ensure_ascii=False),
                       r.revision, feed, part)

        with self.transaction():
            self.db.execute("DELETE FROM prepared WHERE feed = ?", (feed,))
            self.db.executemany("INSERT INTO prepared VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows())
        return ids

    def prepared_feeds(self) -> list[tuple[str, str]]:
        """(feed, part file) of every feed prepared and not yet committed or discarded."""
        return list(self.db.execute("SELECT DISTINCT feed, part FROM prepared ORDER BY feed"))

    def commit_prepared(self, feed: str, unchanged: Iterable[int] = (), retry: Iterable[Retry] = ()) -> int:
        """Mark the articles prepared for ``feed`` (now stored) exported, all or none; returns how many.

        ``unchanged``: rechecked or pending articles whose content had not changed (seen again, not pending
        any more); ``retry``: articles exported with a file still to fetch, pending again."""
        now = utc_now()
        with self.transaction():
            n = self.db.execute("SELECT count(*) FROM prepared WHERE feed = ?", (feed,)).fetchone()[0]
            self.db.execute(
                "INSERT INTO articles SELECT article_id, url, content_hash, published_at, sections, revision, ?, ?, feed "
                "FROM prepared WHERE feed = ? ON CONFLICT (article_id) DO UPDATE SET url = excluded.url, "
                "content_hash = excluded.content_hash, published_at = excluded.published_at, "
                "sections = excluded.sections, revision = excluded.revision, last_seen = excluded.last_seen, "
                "feed = excluded.feed", (now, now, feed))
            self.db.execute("DELETE FROM pending WHERE article_id IN (SELECT article_id FROM prepared WHERE feed = ?)",
                            (feed,))
            self.db.execute("DELETE FROM prepared WHERE feed = ?", (feed,))
            self._seen_again(now, unchanged, retry)
        return int(n)

    def _seen_again(self, now: str, unchanged: Iterable[int], retry: Iterable[Retry]) -> None:
        """In a commit's transaction: the unchanged articles seen again and no longer pending; the retries
        pending again."""
        unchanged = list(unchanged)
        self.db.executemany("UPDATE articles SET last_seen = ? WHERE article_id = ?", ((now, aid) for aid in unchanged))
        self.db.executemany("DELETE FROM pending WHERE article_id = ?", ((aid,) for aid in unchanged))
        self.db.executemany(
            "INSERT INTO pending (article_id, url, sections, reason, attempts, first_found, last_attempt) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (article_id) DO UPDATE SET reason = excluded.reason, "
            "attempts = excluded.attempts, last_attempt = excluded.last_attempt",
            [(r.article_id, r.url, json.dumps(r.sections, ensure_ascii=False), r.reason, r.attempts, now, now)
             for r in retry])

    def discard_prepared(self, feed: str) -> None:
        """The feed was not stored: its articles stay pending."""
        with self.transaction():
            self.db.execute("DELETE FROM prepared WHERE feed = ?", (feed,))

    def commit_exported(self, records: Iterable[Exported], feed: str, unchanged: Iterable[int] = (),
                        retry: Iterable[Retry] = ()) -> int:
        """Mark ``records`` exported in ``feed`` (closed successfully), all or none; returns how many.

        ``unchanged`` and ``retry`` as for :meth:`commit_prepared`.
        """
        now = utc_now()
        ids = array("q")  # 8 bytes an article; the records themselves stream from the caller

        def rows() -> Iterator[tuple[Any, ...]]:
            for r in records:
                ids.append(r.article_id)
                yield (r.article_id, r.url, r.content_hash, r.published_at, json.dumps(r.sections, ensure_ascii=False),
                       r.revision, now, now, feed)

        with self.transaction():
            self.db.executemany(
                "INSERT INTO articles VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (article_id) DO UPDATE SET "
                "url = excluded.url, content_hash = excluded.content_hash, published_at = excluded.published_at, "
                "sections = excluded.sections, revision = excluded.revision, last_seen = excluded.last_seen, "
                "feed = excluded.feed", rows())
            self.db.executemany("DELETE FROM pending WHERE article_id = ?", ((aid,) for aid in ids))
            self._seen_again(now, unchanged, retry)
        return len(ids)
