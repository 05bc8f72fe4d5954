"""The SQL of an update: DuckDB reads the new lines, chooses each article's winning line among them and its
rows in the months they touch, and hands those months' rows on to be written, partitioned, as Parquet
(cqnnews.outputs.dataset.sql.copy).

``keys`` holds a few fields of each new line (``fresh = 1``, named by its file, article, revision and fetch
time), of each row of the touched months (``fresh = 0``: the months of the new lines, and those their articles
were in; named by file and row) and of each article the crawl state saw again (``fresh = 2``, never a winning line).
``winners`` has each article's winning line: the highest ``revision``, then the latest ``fetched_at``, then
a new line before an old one; ``sections`` is the union of its lines', ``first_seen``/``last_seen`` the
earliest and latest of them.  The new lines are then read whole (each parsed once by DuckDB's JSON reader),
matched against ``chosen`` (the winning lines, and the other lines of the articles of several lines, set aside
for the revisions) and written; every other month is linked, not read.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from cqnnews.outputs.dataset import tables
from cqnnews.outputs.dataset.generations import NO_MONTH, link_months, month_files
from cqnnews.outputs.dataset.ingest import FeedPart, ReadError
from cqnnews.outputs.dataset.records import read_records, sidecar_table
from cqnnews.outputs.dataset.revisions import revisions
from cqnnews.outputs.dataset.sql import MEMORY
from cqnnews.outputs.dataset.sql import columns as _columns
from cqnnews.outputs.dataset.sql import copy as _copy
from cqnnews.outputs.dataset.sql import files as _files
from cqnnews.outputs.dataset.tables import ARTICLES_SCHEMA, duck_type, json_columns
from cqnnews.schema.arrow import ARTICLE_SCHEMA


@dataclass
class Built:
    rows: dict[str, int] = field(default_factory=dict)
    lines: int = 0
    per_feed: dict[str, int] = field(default_factory=dict)
    months: list[str] = field(default_factory=list)


def _lines(parts: list[FeedPart], names: tuple[str, ...] | None = None) -> str:
    """The new lines, each parsed once by DuckDB's JSON reader into the typed fields ``names`` (all by default),
    with the feed, origin and number (``file``) of the file each came from."""
    files = [p.part.path for p in parts if p.part is not None and p.part.end > p.part.start]
    schema = ARTICLE_SCHEMA if names is None else pa.schema([f for f in ARTICLE_SCHEMA if f.name in names])
    if not files:
        empty = ", ".join(f'NULL::{duck_type(f.type)} AS "{f.name}"' for f in schema)
        return f"(SELECT {empty}, NULL::VARCHAR AS origin, NULL::VARCHAR AS feed, NULL::INTEGER AS file LIMIT 0)"
    return (f"(SELECT r.* EXCLUDE (filename), f.origin, f.feed, f.n AS file FROM read_json({_files(files)}, "
            f"columns = {json_columns(schema)}, format = 'newline_delimited', records = true, filename = true) r "
            f"JOIN files f USING (filename))")


KEYS = ("article_id", "revision", "fetched_at", "published_at", "sections")
MONTH = "coalesce(strftime({0} AT TIME ZONE 'Asia/Shanghai', '%Y-%m'), 'none')"  # of a line, by its published_at
CHOOSING_MEMORY = "512MB"  # DuckDB's limit while the winning lines are chosen (sql.MEMORY after)
# a line of the feeds is named by its file, article, revision and fetch time; the same line twice in one file
# (all four the same) is "copied": one of its lines is taken
SAME_LINE = ("w.file = r.file AND w.article_id = r.article_id AND w.revision IS NOT DISTINCT FROM r.revision "
             "AND w.fetched_at IS NOT DISTINCT FROM r.fetched_at")


def build(con: Any, parts: list[FeedPart], current: Path | None, target: Path, generation: int,
          seen: list[tuple[str, int, str]] | None = None, each: Callable[[pa.Table], None] | None = None,
          counted: dict[str, int] | None = None) -> Built:
    """Write the tables of the new generation ``target``; what was written.  ``counted``: the rows of each table
    in ``current``, as its manifest says.

    The new lines are read twice, each time parsed once by DuckDB's JSON reader: once for the few fields that
    choose the winning line (``keys``), once whole, the winning lines streaming to the Parquet files without being
    held, and the lines of the articles of several lines set aside for the revisions (cqnnews.outputs.dataset.revisions).
    ``each`` is given the rows of the articles table as they are written (cqnnews.outputs.dataset.signing)."""
    import duckdb

    out = Built()
    # choosing the lines takes more of DuckDB's memory than writing them (nothing else is held yet): the lines'
    # keys of a million articles are read and grouped without spilling, then the limit goes back for the writing
    con.execute(f"SET memory_limit = '{CHOOSING_MEMORY}'")
    con.execute("CREATE TEMP TABLE files (n INTEGER, filename VARCHAR, feed VARCHAR, origin VARCHAR)")
    readable = [p for p in parts if p.part is not None and p.part.end > p.part.start]
    if readable:
        con.executemany("INSERT INTO files VALUES (?, ?, ?, ?)", [(n, str(p.part.path), p.name, p.origin)
                                                                   for n, p in enumerate(readable) if p.part])
    try:
        con.execute(f"""
            CREATE TEMP TABLE keys AS
            SELECT origin, article_id, revision, fetched_at, feed,
                   {MONTH.format("published_at")} AS month,
                   sections, revision AS revisions, fetched_at AS first_seen, fetched_at AS last_seen,
                   1 AS fresh, file, NULL::BIGINT AS row
            FROM {_lines(parts, KEYS)}""")
    except duckdb.Error as exc:
        message = str(exc).splitlines()[0]
        for feed in readable:
            if feed.part is not None:
                message = feed.part.named(message, str(feed.part.source))
        raise ReadError(f"cannot read the feeds ({message})") from None
    unnamed = con.execute("SELECT feed, count(*) FROM keys WHERE article_id IS NULL GROUP BY feed").fetchall()
    if unnamed:  # not a feed of articles (DuckDB's JSON reader gives NULL for a field missing)
        feed, n = unnamed[0]
        raise ReadError(f"cannot read the feeds ({n} lines of {feed} have no article_id: not a feed of articles)")
    out.per_feed = dict(con.execute("SELECT feed, count(*) FROM keys GROUP BY feed").fetchall())
    out.lines = sum(out.per_feed.values())
    if seen:  # seen again by a crawl (the state's last_seen): never a winning line, only the article's last_seen
        con.execute("CREATE TEMP TABLE seen (origin VARCHAR, article_id BIGINT, last_seen VARCHAR)")
        con.executemany("INSERT INTO seen VALUES (?, ?, ?)", list(seen))
        con.execute("INSERT INTO keys BY NAME SELECT origin, article_id, -1 AS revision, []::VARCHAR[] AS sections, "
                    "CAST(last_seen AS TIMESTAMPTZ) AS last_seen, 2 AS fresh FROM seen")
    existing = month_files(current, "articles")
    moved = con.execute(f"SELECT DISTINCT a.month FROM read_parquet({_files(_all(existing))}, hive_partitioning = "
                        f"true) a SEMI JOIN keys k ON a.origin = k.origin AND a.article_id = k.article_id"
                        ).fetchall() if existing else []
    touched = {m for (m,) in con.execute("SELECT DISTINCT month FROM keys WHERE month IS NOT NULL").fetchall()} | {m for (m,) in moved}
    out.months = sorted(touched)
    old = [f for m in out.months for f in existing.get(m, [])]
    if old:  # the rows of the touched months, named by their file (numbered after the feeds') and row
        con.executemany("INSERT INTO files (n, filename) VALUES (?, ?)",
                        [(len(readable) + n, str(path)) for n, path in enumerate(old)])
        con.execute(f"""
            INSERT INTO keys BY NAME
            SELECT o.origin, o.article_id, o.revision, o.fetched_at, o.feed, o.month, o.sections, o.revisions,
                   o.first_seen, o.last_seen, 0 AS fresh, f.n AS file, o.file_row_number AS row
            FROM read_parquet({_files(old)}, hive_partitioning = true, filename = true, file_row_number = true) o
            JOIN files f USING (filename)""")
    # an article of one line (nearly all of them) is its own winner: only those of several are grouped
    con.execute("CREATE TEMP TABLE many AS SELECT origin, article_id FROM keys GROUP BY ALL HAVING count(*) > 1")
    con.execute("""
        CREATE TEMP TABLE winners AS
        SELECT origin, article_id, fresh, feed, month, file, row, revision, fetched_at, revisions, first_seen,
               last_seen, sections, 1 AS lines, false AS copied
        FROM keys k ANTI JOIN many m USING (origin, article_id)
        UNION ALL
        SELECT origin, article_id, w.fresh, w.feed, w.month, w.file, w.row, w.revision, w.fetched_at, revisions,
               first_seen, last_seen, sections, lines, false AS copied
        FROM (SELECT origin, article_id,
                     arg_max({'fresh': fresh, 'feed': feed, 'month': month, 'file': file, 'row': row,
                              'revision': revision, 'fetched_at': fetched_at},
                             {'r': revision, 'f': fetched_at, 'n': fresh, 'd': feed}) AS w,
                     max(revisions) AS revisions, min(first_seen) AS first_seen, max(last_seen) AS last_seen,
                     any_value(sections) AS sections, count(*) AS lines
              FROM keys k SEMI JOIN many m USING (origin, article_id) GROUP BY origin, article_id)""")
    con.execute("DROP TABLE many")
    # the articles of several lines: sections the union of theirs
    con.execute("""
        UPDATE winners SET sections = u.sections
        FROM (SELECT k.origin, k.article_id, list_sort(list_distinct(flatten(list(k.sections)))) AS sections
              FROM keys k SEMI JOIN (SELECT origin, article_id FROM winners WHERE lines > 1) m
              ON m.origin = k.origin AND m.article_id = k.article_id GROUP BY k.origin, k.article_id) u
        WHERE winners.lines > 1 AND winners.origin = u.origin AND winners.article_id = u.article_id""")
    # a winning line written twice in one file (a feed appended): taken once
    con.execute(f"""
        UPDATE winners w SET copied = true
        FROM (SELECT file, article_id, revision, fetched_at FROM keys k SEMI JOIN (SELECT origin, article_id
              FROM winners WHERE lines > 1) m ON m.origin = k.origin AND m.article_id = k.article_id
              WHERE fresh = 1 GROUP BY ALL HAVING count(*) > 1) r
        WHERE w.fresh = 1 AND {SAME_LINE}""")
    whole = {"revisions", "first_seen", "last_seen", "sections", "feed", "origin"}
    parsed = ", ".join(f'r."{n}"' if n not in whole else f"w.{n}" for n in ARTICLES_SCHEMA.names)
    # a new line is matched, by its file, article, revision and fetch time, against a table of the lines that are
    # not the only line of their article (a few in a hundred): a line found there takes its ``role``: 1 the winning
    # line of an article of several lines (written, and set aside for the revisions, with the article's revision
    # count, first and last seen, and its sections the union of its lines'), 2 an earlier line of such an article
    # (only set aside), -1 a winning line twice in its file (written once, below); a line not found there is its
    # article's only line and its winner (role 0: its own fields).  The revisions are taken from this same reading
    # (cqnnews.outputs.dataset.sql.copy)
    con.execute(f"""
        CREATE TEMP TABLE chosen AS
        SELECT file, article_id, revision, fetched_at, month, revisions, first_seen, last_seen, sections,
               CASE WHEN copied THEN -1 ELSE 1 END AS role
        FROM winners WHERE fresh = 1 AND lines > 1
        UNION ALL
        SELECT DISTINCT r.file, r.article_id, r.revision, r.fetched_at, NULL, NULL, NULL, NULL, NULL, 2
        FROM keys r JOIN winners w ON w.lines > 1 AND r.fresh = 1 AND w.origin = r.origin
             AND w.article_id = r.article_id
        WHERE NOT (w.fresh = 1 AND {SAME_LINE})""")
    con.execute("DROP TABLE keys")  # its memory for the reading of the lines
    con.execute(f"SET memory_limit = '{MEMORY}'")
    fields = {"revisions": "coalesce(w.revisions, r.revision)", "first_seen": "coalesce(w.first_seen, r.fetched_at)",
              "last_seen": "coalesce(w.last_seen, r.fetched_at)", "sections": "coalesce(w.sections, r.sections)"}
    chosen = ", ".join(fields.get(n, f'r."{n}"') for n in ARTICLES_SCHEMA.names)
    articles = (f"SELECT {chosen}, coalesce(w.month, {MONTH.format('r.published_at')}), coalesce(w.role, 0) "
                f"FROM {_lines(parts)} r LEFT JOIN chosen w ON {SAME_LINE} WHERE w.role IS NULL OR w.role >= 0")
    copied = [p for (n,) in con.execute("SELECT DISTINCT file FROM winners WHERE copied").fetchall()
              for p in [readable[n]]]
    if copied:  # a line twice in its file: one of them
        # two different lines of the same revision and fetch time (nothing says which is the later): the same one
        # taken by every build, by a hash of their texts
        articles += (f" UNION ALL SELECT * EXCLUDE (k) FROM (SELECT {parsed}, w.month, 1 AS role, row_number() "
                     f"OVER (PARTITION BY w.origin, w.article_id ORDER BY hash(r.title, r.body) DESC) AS k "
                     f"FROM {_lines(copied)} r JOIN winners w "
                     f"ON w.fresh = 1 AND w.copied AND {SAME_LINE}) WHERE k = 1")
    if old:
        replaced = {n: f"w.{n}" for n in whole}
        articles += (f" UNION ALL SELECT {_columns(ARTICLES_SCHEMA, 'o', replaced)}, w.month, 0 FROM read_parquet("
                     f"{_files(old)}, hive_partitioning = true, filename = true, file_row_number = true) o "
                     f"JOIN files f USING (filename) "
                     f"JOIN winners w ON w.fresh = 0 AND w.file = f.n AND w.row = o.file_row_number")
    revised = target / ".scratch" / "revised.parquet"  # the new lines of the articles of several lines
    keep = set(existing) - touched
    out.rows["articles"] = _copy(con, articles, target, "articles", generation, revised, each) + \
        link_months(current, target, "articles", keep, (counted or {}).get("articles"))
    # the records beside the feeds (which do not depend on the lines) read by a DuckDB of their own while the
    # revisions are found: a fifth of the build's time at a million lines was these two one after the other (and
    # read while the articles are written, the records' tables held would have raised the build's peak of memory)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="dataset-records") as reading:
        records = {s.table: reading.submit(read_records, s, parts) for s in tables.SIDECARS}
        out.rows["revisions"] = revisions(con, revised, old, current, target, generation, out.months) + \
            link_months(current, target, "revisions", keep, (counted or {}).get("revisions"))
        for sidecar in tables.SIDECARS:
            out.rows[sidecar.table] = sidecar_table(con, sidecar, current, target, generation, out.months,
                                                    records[sidecar.table].result()) + \
                link_months(current, target, sidecar.table, keep, (counted or {}).get(sidecar.table))
    for table, schema in tables.tables().items():  # a table without rows: an empty file, for its columns
        if not list((target / table).glob("month=*/*.parquet")):
            path = target / table / f"month={NO_MONTH}" / f"part-{generation:06d}-0.parquet"
            path.parent.mkdir(parents=True, exist_ok=True)
            pq.write_table(schema.empty_table(), path, compression="snappy")
    return out


def _all(existing: dict[str, list[Path]]) -> list[Path]:
    return [f for files in existing.values() for f in files]
