"""The SQL of an update: DuckDB reads the new lines, chooses each article's winning line among them and its
rows in the months they touch, and writes those months, partitioned, as Parquet.

``pool`` holds the new lines (``fresh``) and every row of the touched months (the months of the new
lines, and those their articles were in).  Each article's winning line is the highest ``revision``, then
the latest ``fetched_at``, then a new line before an old one; ``sections`` is the union of its lines', and
``first_seen``/``last_seen`` the earliest and latest of them.  Every other month is linked, not read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from cqnnews.dataset.generations import NO_MONTH, link_months, month_files
from cqnnews.dataset.ingest import FeedPart
from cqnnews.schema.arrow import ARTICLE_SCHEMA
from cqnnews.dataset.tables import (ARTICLES_SCHEMA, COMPARED, REVISIONS_SCHEMA, SIDECARS, TABLES,
                                    Sidecar, arrow_metadata, json_columns)

MONTH = "coalesce(strftime(published_at AT TIME ZONE 'Asia/Shanghai', '%Y-%m'), 'none')"
MEMORY = "500MB"  # DuckDB's own limit: beyond it, it spills to the generation's scratch folder


class ReadError(Exception):
    """A feed or sidecar file could not be read."""


@dataclass
class Built:
    rows: dict[str, int] = field(default_factory=dict)
    lines: int = 0
    per_feed: dict[str, int] = field(default_factory=dict)
    months: list[str] = field(default_factory=list)


def _q(value: str | Path) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _files(paths: list[Path]) -> str:
    return "[" + ", ".join(_q(p) for p in paths) + "]"


def connection(scratch: Path) -> Any:
    import duckdb

    (scratch / "duckdb").mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute(f"SET temp_directory = {_q(scratch / 'duckdb')}")
    con.execute(f"SET memory_limit = '{MEMORY}'")
    con.execute("SET preserve_insertion_order = false")
    return con


def _copy(con: Any, query: str, target: Path, table: str, generation: int) -> int:
    """Write ``query`` (its columns: the table's, then ``month``) as ``target/<table>/month=*/part-*.parquet``."""
    options = (f"FORMAT parquet, COMPRESSION snappy, PARTITION_BY (month), OVERWRITE_OR_IGNORE, "
               f"FILENAME_PATTERN 'part-{generation:06d}-{{i}}', "
               f"KV_METADATA {{'ARROW:schema': '{arrow_metadata(TABLES[table])}'}}")
    written = con.execute(f"COPY ({query}) TO {_q(target / table)} ({options})").fetchone()
    return int(written[0]) if written else 0


def _columns(schema: pa.Schema, alias: str, replaced: dict[str, str] | None = None) -> str:
    replaced = replaced or {}
    return ", ".join(replaced.get(n, f'{alias}."{n}"') for n in schema.names)


def build(con: Any, parts: list[FeedPart], current: Path | None, target: Path, generation: int) -> Built:
    """Write the tables of the new generation ``target``; what was written."""
    import duckdb

    out = Built()
    readable = [p for p in parts if p.part is not None and p.part.end > p.part.start]
    con.execute("CREATE TEMP TABLE files (filename VARCHAR, feed VARCHAR, origin VARCHAR)")
    if readable:
        con.executemany("INSERT INTO files VALUES (?, ?, ?)", [(str(p.part.path), p.name, p.origin)
                                                                for p in readable if p.part])
    extra = "1 AS fresh, j.revision AS revisions, j.fetched_at AS first_seen, j.fetched_at AS last_seen"
    if readable:
        source = (f"read_json({_files([p.part.path for p in readable if p.part])}, format = 'newline_delimited', "
                  f"columns = {json_columns(ARTICLE_SCHEMA)}, filename = true)")
        query = f"SELECT j.* EXCLUDE (filename), f.feed, f.origin, {MONTH} AS month, {extra} " \
                f"FROM {source} j JOIN files f USING (filename)"
    else:
        query = _empty_lines()
    try:
        con.execute(f"CREATE TEMP TABLE pool AS {query}")
    except duckdb.Error as exc:
        message = str(exc).splitlines()[0]
        for feed in readable:
            if feed.part is not None:
                message = feed.part.named(message, str(feed.part.source))
        raise ReadError(f"cannot read the feeds ({message})") from None
    out.per_feed = dict(con.execute("SELECT feed, count(*) FROM pool GROUP BY feed").fetchall())
    out.lines = sum(out.per_feed.values())
    existing = month_files(current, "articles")
    if existing:
        every = [f for files in existing.values() for f in files]
        moved = con.execute(f"SELECT DISTINCT a.month FROM read_parquet({_files(every)}, hive_partitioning = true) a "
                            f"SEMI JOIN pool p ON a.origin = p.origin AND a.article_id = p.article_id").fetchall()
    else:
        moved = []
    touched = {m for (m,) in con.execute("SELECT DISTINCT month FROM pool").fetchall()} | {m for (m,) in moved}
    out.months = sorted(touched)
    old = [f for m in out.months for f in existing.get(m, [])]
    if old:
        con.execute(f"INSERT INTO pool BY NAME SELECT *, 0 AS fresh FROM read_parquet({_files(old)}, "
                    f"hive_partitioning = true)")
    con.execute("""
        CREATE TEMP TABLE winners AS
        SELECT origin, article_id, w.rid, w.fresh, w.feed, w.month, revisions, first_seen, last_seen, sections, lines
        FROM (SELECT origin, article_id,
                     arg_max({'rid': rowid, 'fresh': fresh, 'feed': feed, 'month': month},
                             {'r': revision, 'f': fetched_at, 'n': fresh, 'd': feed}) AS w,
                     max(revisions) AS revisions, min(first_seen) AS first_seen, max(last_seen) AS last_seen,
                     CASE WHEN count(*) = 1 THEN any_value(sections)
                          ELSE list_sort(list_distinct(flatten(list(sections)))) END AS sections,
                     count(*) AS lines
              FROM pool GROUP BY origin, article_id)""")
    whole = {"revisions", "first_seen", "last_seen", "sections"}
    articles = (f"SELECT {_columns(ARTICLES_SCHEMA, 'p', {n: f'w.{n}' for n in whole})}, w.month "
                f"FROM pool p JOIN winners w ON p.rowid = w.rid")
    keep = set(existing) - touched
    out.rows["articles"] = _copy(con, articles, target, "articles", generation) + \
        link_months(current, target, "articles", keep)
    for sidecar in SIDECARS:
        out.rows[sidecar.table] = _sidecar(con, sidecar, parts, current, target, generation, out.months) + \
            link_months(current, target, sidecar.table, keep)
    out.rows["revisions"] = _revisions(con, current, target, generation, out.months) + \
        link_months(current, target, "revisions", keep)
    for table, schema in TABLES.items():  # a table without rows: an empty file, for its columns
        if not list((target / table).glob("month=*/*.parquet")):
            path = target / table / f"month={NO_MONTH}" / f"part-{generation:06d}-0.parquet"
            path.parent.mkdir(parents=True, exist_ok=True)
            pq.write_table(schema.empty_table(), path, compression="zstd")
    return out


def _empty_lines() -> str:
    names = ", ".join(f"NULL::{t} AS \"{n}\"" for n, t in _duck_fields(ARTICLE_SCHEMA))
    return (f"SELECT {names}, NULL::VARCHAR AS feed, NULL::VARCHAR AS origin, NULL::VARCHAR AS month, 1 AS fresh, "
            f"NULL::INTEGER AS revisions, NULL::TIMESTAMPTZ AS first_seen, NULL::TIMESTAMPTZ AS last_seen LIMIT 0")


def _duck_fields(schema: pa.Schema) -> list[tuple[str, str]]:
    from cqnnews.dataset.tables import duck_type

    return [(f.name, duck_type(f.type)) for f in schema]


def _groups(sidecar: Sidecar, table: pa.Table) -> pa.Array:
    """Which line of its article each record was written with, within its file: a record starts the records
    of another line when its article differs from the record before, or when its ``identity`` repeats."""
    ids = table[sidecar.key].to_pylist()
    identities = list(zip(*(table[c].to_pylist() for c in sidecar.identity))) if sidecar.identity else [()] * len(ids)
    out, group, before, seen = [], 0, object(), set()  # type: ignore[var-annotated]
    for aid, identity in zip(ids, identities):
        if aid != before or (identity and identity in seen):
            group, before, seen = group + 1, aid, set()
        seen.add(identity)
        out.append(group)
    return pa.array(out, pa.int64())


def _sidecar(con: Any, sidecar: Sidecar, parts: list[FeedPart], current: Path | None, target: Path,
             generation: int, months: list[str]) -> int:
    """The records of each winning line: those of a new line read now (the last written with it in its feed),
    those of an old line kept from the touched months."""
    tables = []
    for feed in parts:
        part = feed.sidecars.get(sidecar.table)
        if part is None or part.end == part.start:
            continue
        try:
            records = sidecar.read(part.path)
        except (OSError, ValueError, pa.ArrowInvalid) as exc:
            raise ReadError(part.named(f"cannot read the records {part.path} ({exc})", str(part.source))) from None
        records = records.append_column("feed", pa.array([feed.name] * records.num_rows, pa.string()))
        records = records.append_column("origin", pa.array([feed.origin] * records.num_rows, pa.string()))
        tables.append(records.append_column("grp", _groups(sidecar, records)))
    schema = sidecar.columns.append(pa.field("grp", pa.int64()))
    new = pa.concat_tables(tables) if tables else schema.empty_table()
    con.register("records_new", new)
    key = sidecar.key
    query = (f"SELECT {_columns(sidecar.columns, 'r')}, w.month FROM "
             f"(SELECT *, max(grp) OVER (PARTITION BY feed, origin, \"{key}\") AS last FROM records_new) r "
             f"JOIN winners w ON w.origin = r.origin AND w.article_id = r.\"{key}\" AND w.feed = r.feed "
             f"AND w.fresh = 1 WHERE r.grp = r.last")
    old = [f for m in months for f in month_files(current, sidecar.table).get(m, [])]
    if old:
        query += (f" UNION ALL SELECT {_columns(sidecar.columns, 'o')}, w.month FROM read_parquet({_files(old)}, "
                  f"hive_partitioning = true) o JOIN winners w ON w.origin = o.origin "
                  f"AND w.article_id = o.\"{key}\" AND w.fresh = 0")
    try:
        return _copy(con, query, target, sidecar.table, generation)
    finally:
        con.unregister("records_new")


def _revisions(con: Any, current: Path | None, target: Path, generation: int, months: list[str]) -> int:
    """A row per revision of each article with new lines: the fields changed since the revision before, and the
    body's paragraphs added and removed; the rows of the touched months kept."""
    lagged = ", ".join(f'lag("{c}") OVER w AS "p_{c}"' for c in COMPARED)
    changed = ", ".join(f"CASE WHEN \"{c}\" IS DISTINCT FROM \"p_{c}\" THEN '{c}' END" for c in COMPARED)
    split = "string_split(coalesce({0}, ''), chr(10))"
    added = (f"list_filter({split.format('body')}, lambda x: x <> '' AND NOT list_contains("
             f"{split.format('p_body')}, x))")
    removed = (f"list_filter({split.format('p_body')}, lambda x: x <> '' AND NOT list_contains("
               f"{split.format('body')}, x))")
    fields = ", ".join(f'p."{c}"' for c in COMPARED)
    query = f"""
        WITH many AS (SELECT p.origin, p.article_id, p.revision, p.fetched_at, p.feed, p.fresh, {fields}
                      FROM pool p SEMI JOIN winners w ON p.origin = w.origin AND p.article_id = w.article_id
                      AND w.lines > 1),
        lagged AS (SELECT *, lag(revision) OVER w AS p_revision, {lagged} FROM many
                   WINDOW w AS (PARTITION BY origin, article_id ORDER BY revision, fetched_at, fresh)),
        found AS (
            SELECT origin, article_id, revision, fetched_at, feed,
                   CASE WHEN p_revision IS NULL THEN []::VARCHAR[]
                        ELSE list_filter([{changed}], lambda x: x IS NOT NULL) END AS changed,
                   CASE WHEN p_revision IS NULL THEN []::VARCHAR[] ELSE {added} END AS paragraphs_added,
                   CASE WHEN p_revision IS NULL THEN []::VARCHAR[] ELSE {removed} END AS paragraphs_removed, 1 AS fresh
            FROM lagged WHERE fresh = 1 AND revision IS DISTINCT FROM p_revision
            UNION ALL
            SELECT p.origin, p.article_id, p.revision, p.fetched_at, p.feed, []::VARCHAR[], []::VARCHAR[],
                   []::VARCHAR[], 1 FROM pool p JOIN winners w ON p.rowid = w.rid WHERE w.lines = 1 AND p.fresh = 1"""
    old = [f for m in months for f in month_files(current, "revisions").get(m, [])]
    if old:
        query += (f" UNION ALL SELECT {_columns(REVISIONS_SCHEMA, 'o')}, 0 FROM read_parquet({_files(old)}, "
                  f"hive_partitioning = true) o")
    query += (f") SELECT {_columns(REVISIONS_SCHEMA, 'f')}, w.month FROM found f JOIN winners w "
              f"USING (origin, article_id) QUALIFY row_number() OVER (PARTITION BY f.origin, f.article_id, "
              f"f.revision ORDER BY f.fresh, f.fetched_at) = 1")
    return _copy(con, query, target, "revisions", generation)
