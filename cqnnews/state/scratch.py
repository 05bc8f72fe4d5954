"""What one run keeps while it runs, on disk, so memory stays flat however large the crawl.

The articles found on listings (with every listing they were found in), the articles
exported into the feed but not yet committed to the crawl state, and the articles
requested: a private temporary SQLite database, gone when the run ends (or dies, which is
what makes an uncommitted export count as not exported).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator

from cqnnews.state.records import Exported

Order = tuple[int, ...]
LAST: Order = (1 << 30,)  # listings known only from an earlier run sort after this run's

_SCHEMA = """
CREATE TABLE found (article_id INTEGER PRIMARY KEY, url TEXT NOT NULL, sections TEXT NOT NULL);
CREATE TABLE exported (article_id INTEGER PRIMARY KEY, url TEXT, content_hash TEXT, published_at TEXT,
                       sections TEXT, revision INTEGER);
CREATE TABLE requested (article_id INTEGER PRIMARY KEY);
"""


class RunScratch:
    STAGE_BATCH = 500  # exported articles written to the database together: one transaction, not one each

    def __init__(self) -> None:
        self.db = sqlite3.connect("", isolation_level=None)  # "": a private temporary database on disk
        self.db.executescript(_SCHEMA)
        self.found_count = 0
        self._staged: list[tuple[int, str, str, str | None, str, int]] = []

    def close(self) -> None:
        self.db.close()

    # --- found on listings ---------------------------------------------------------------

    def note(self, entries: list[tuple[int, str]], name: str, order: Order) -> tuple[int, int]:
        """Articles (id, URL) of listing ``name``; (how many are new, how many were already found elsewhere)."""
        if not entries:
            return 0, 0
        ids = [aid for aid, _ in entries]
        marks = ",".join("?" * len(ids))
        rows = dict(self.db.execute(f"SELECT article_id, sections FROM found WHERE article_id IN ({marks})", ids))
        new = [(aid, url, json.dumps({name: list(order)}, ensure_ascii=False)) for aid, url in entries
               if aid not in rows]
        again = []
        for aid, raw in rows.items():
            sections = json.loads(raw)
            if name not in sections:
                sections[name] = list(order)
                again.append((json.dumps(sections, ensure_ascii=False), aid))
        self.db.execute("BEGIN")
        self.db.executemany("INSERT OR IGNORE INTO found VALUES (?, ?, ?)", new)
        self.db.executemany("UPDATE found SET sections = ? WHERE article_id = ?", again)
        self.db.execute("COMMIT")
        self.found_count += len(new)
        return len(new), len(again)

    def add(self, article_id: int, url: str, sections: Iterable[str], order: Order = LAST) -> None:
        """An article to fetch that no listing of this run showed (pending from an earlier run)."""
        row = self.db.execute("SELECT sections FROM found WHERE article_id = ?", (article_id,)).fetchone()
        merged = json.loads(row[0]) if row else {}
        for name in sections:
            merged.setdefault(name, list(order))
        self.db.execute("INSERT OR REPLACE INTO found VALUES (?, COALESCE((SELECT url FROM found WHERE article_id = ?),"
                        " ?), ?)", (article_id, article_id, url, json.dumps(merged, ensure_ascii=False)))
        self.found_count += row is None

    def has(self, article_id: int) -> bool:
        return self.db.execute("SELECT 1 FROM found WHERE article_id = ?", (article_id,)).fetchone() is not None

    def get(self, article_id: int) -> tuple[str, list[str]] | None:
        row = self.db.execute("SELECT url, sections FROM found WHERE article_id = ?", (article_id,)).fetchone()
        return (row[0], _ordered(row[1])) if row else None

    def found(self, batch: int = 1000) -> Iterator[tuple[int, str, list[str]]]:
        """Every found article (id, URL, sections in site-map order), newest id first, a batch at a time."""
        last = 1 << 62
        while True:
            rows = self.db.execute("SELECT article_id, url, sections FROM found WHERE article_id < ? "
                                   "ORDER BY article_id DESC LIMIT ?", (last, batch)).fetchall()
            if not rows:
                return
            for aid, url, raw in rows:
                yield aid, url, _ordered(raw)
            last = rows[-1][0]

    def keep_only(self, ids: Iterable[int]) -> None:
        """Forget every found article but ``ids`` (``scrapy smoke`` samples a few of each listing)."""
        self.db.execute("CREATE TEMP TABLE IF NOT EXISTS kept (article_id INTEGER PRIMARY KEY)")
        self.db.execute("DELETE FROM kept")
        self.db.executemany("INSERT OR IGNORE INTO kept VALUES (?)", ((aid,) for aid in ids))
        self.db.execute("DELETE FROM found WHERE article_id NOT IN (SELECT article_id FROM kept)")

    # --- requested and exported ----------------------------------------------------------

    def requested(self, ids: Iterable[int]) -> None:
        """Articles requested though not found on a listing (rechecks)."""
        self.db.executemany("INSERT OR IGNORE INTO requested VALUES (?)", ((aid,) for aid in ids))

    def stage(self, record: Exported) -> None:
        self._staged.append((record.article_id, record.url, record.content_hash, record.published_at,
                             json.dumps(record.sections, ensure_ascii=False), record.revision))
        if len(self._staged) >= self.STAGE_BATCH:
            self._write_staged()

    def _write_staged(self) -> None:
        if self._staged:
            self.db.execute("BEGIN")
            self.db.executemany("INSERT OR REPLACE INTO exported VALUES (?, ?, ?, ?, ?, ?)", self._staged)
            self.db.execute("COMMIT")
            self._staged.clear()

    def was_exported(self, article_id: int) -> bool:
        """Whether ``article_id`` was staged as exported by this run."""
        if any(row[0] == article_id for row in self._staged):
            return True
        return self.db.execute("SELECT 1 FROM exported WHERE article_id = ?", (article_id,)).fetchone() is not None

    def exported(self, batch: int = 1000) -> Iterator[Exported]:
        self._write_staged()
        last = -1
        while True:
            rows = self.db.execute("SELECT * FROM exported WHERE article_id > ? ORDER BY article_id LIMIT ?",
                                   (last, batch)).fetchall()
            if not rows:
                return
            for aid, url, content_hash, published_at, sections, revision in rows:
                yield Exported(aid, url, content_hash, published_at, json.loads(sections), revision)
            last = rows[-1][0]

    def published_range(self) -> tuple[str | None, str | None]:
        """The earliest and latest publication times among the articles exported (ISO 8601, +08:00)."""
        self._write_staged()
        row = self.db.execute("SELECT min(published_at), max(published_at) FROM exported").fetchone()
        return row[0], row[1]

    def exported_count(self) -> int:
        self._write_staged()
        return int(self.db.execute("SELECT count(*) FROM exported").fetchone()[0])

    def without_outcome(self, settled: set[int]) -> list[int]:
        """Articles requested this run that were neither exported nor in ``settled`` (failed, unchanged...)."""
        self._write_staged()
        rows = self.db.execute("SELECT article_id FROM found UNION SELECT article_id FROM requested "
                               "EXCEPT SELECT article_id FROM exported")
        return [aid for (aid,) in rows if aid not in settled]


def _ordered(raw: str) -> list[str]:
    sections: dict[str, list[int]] = json.loads(raw)
    return sorted(sections, key=lambda name: (sections[name], name))
