"""``scrapy dataset``: every feed of ``CQN_FEED_DIR`` as one dataset, each article once, kept current.

``CQN_DATASET_DIR`` (``dataset/`` by default) holds::

    current -> gen-000007            the dataset: a symbolic link, replaced in one step
    gen-000007/articles/month=2026-11/part-000007.parquet
    gen-000007/spotchecks/month=2026-11/part-000007.parquet
    gen-000007/recalls/month=2026-11/part-000007.parquet
    gen-000007/index.parquet         each article's month, revision, feed, first and last seen
    gen-000007/manifest.json         every feed ingested (path relative to CQN_FEED_DIR, lines)
    cqnnews.duckdb                   views ``articles``, ``spotchecks`` and ``recalls`` over ``current``

``articles`` has one row per article: the line of its latest revision (the highest ``revision``,
then the latest ``fetched_at``), with ``revisions`` (that revision's number), ``first_seen`` and
``last_seen`` (the earliest and latest ``fetched_at`` of its lines) and ``feed`` (the feed that
line came from).  ``spotchecks`` and ``recalls`` hold the spot-check and recall records written with that
line.  All are
partitioned by the month of publication in Beijing time (``month=none``: no publication time),
with the feed's own types (cqnnews.schema.arrow).

An update reads only feeds the manifest does not list.  It writes a new generation: the months
its new lines touch are rewritten, every other month's file is hard-linked from the current
generation, so its cost follows the new lines, not the dataset.  ``current`` moves to the new
generation only once it is complete and on disk; a killed update leaves the previous dataset
whole, and the next update removes what it left and starts again.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import re
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from cqnnews import failpoints
from cqnnews.feeds import article_feeds
from cqnnews.schema.arrow import ARTICLE_SCHEMA, RECALL_SCHEMA, SPOTCHECK_SCHEMA, read_feed, read_recalls, read_spotchecks
from cqnnews.spotcheck_feed import recall_path, spotcheck_path

logger = logging.getLogger(__name__)

CURRENT = "current"
DATABASE = "cqnnews.duckdb"
NO_MONTH = "none"
_GENERATION = re.compile(r"^gen-(\d{6})$")
INDEX_SCHEMA = pa.schema([("article_id", pa.int64()), ("month", pa.string()), ("revision", pa.int32()),
                          ("fetched_at", pa.timestamp("s", tz="UTC")), ("feed", pa.string()),
                          ("first_seen", pa.timestamp("s", tz="UTC")), ("last_seen", pa.timestamp("s", tz="UTC"))])
ARTICLES_SCHEMA = ARTICLE_SCHEMA.append(pa.field("revisions", pa.int32())) \
    .append(pa.field("first_seen", pa.timestamp("s", tz="UTC"))) \
    .append(pa.field("last_seen", pa.timestamp("s", tz="UTC"))).append(pa.field("feed", pa.string()))
SPOTCHECKS_SCHEMA = SPOTCHECK_SCHEMA.append(pa.field("feed", pa.string()))
RECALLS_SCHEMA = RECALL_SCHEMA.append(pa.field("feed", pa.string()))
TABLES = {"articles": ARTICLES_SCHEMA, "spotchecks": SPOTCHECKS_SCHEMA, "recalls": RECALLS_SCHEMA}
# the records beside each feed: table -> (where, how read, what)
SIDECARS = {"spotchecks": (spotcheck_path, read_spotchecks, "spot-check records"),
            "recalls": (recall_path, read_recalls, "recall records")}
ORDER = {"articles": ["published_at", "article_id"],
         "spotchecks": ["published_at", "article_id", "source", "file_checksum", "table", "row"],
         "recalls": ["published_at", "article_id", "recall"]}


class DatasetError(Exception):
    """The dataset cannot be updated (a folder that cannot be written, another update running...)."""


@dataclass
class Update:
    """What one update did."""

    generation: int
    feeds: list[str] = field(default_factory=list)  # ingested now
    lines: int = 0
    articles: int = 0  # in the dataset after the update
    spotchecks: int = 0
    recalls: int = 0
    months_rewritten: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)  # generations left by killed updates, removed
    seconds: float = 0.0

    def line(self) -> str:
        if not self.feeds:
            return (f"dataset up to date: {self.articles} articles, {self.spotchecks} spot-check records, "
                    f"{self.recalls} recall records")
        return (f"dataset generation {self.generation}: {len(self.feeds)} new feeds ({self.lines} lines), "
                f"{len(self.months_rewritten)} months rewritten; {self.articles} articles, {self.spotchecks} "
                f"spot-check records, {self.recalls} recall records; {self.seconds:.1f} s")


# --- the generation on disk --------------------------------------------------------------------


def generation_of(dataset_dir: Path) -> Path | None:
    """The complete generation ``current`` points to; None before the first update."""
    link = dataset_dir / CURRENT
    if not link.is_symlink():
        return None
    return dataset_dir / os.readlink(link)


def _manifest(generation: Path | None) -> dict[str, Any]:
    if generation is None:
        return {"generation": 0, "feeds": {}}
    return json.loads((generation / "manifest.json").read_text(encoding="utf-8"))


def _index(generation: Path | None) -> pa.Table:
    if generation is None:
        return INDEX_SCHEMA.empty_table()
    return pq.read_table(generation / "index.parquet", schema=INDEX_SCHEMA)


def _month_files(generation: Path | None, table: str) -> dict[str, Path]:
    if generation is None:
        return {}
    found = {}
    for folder in (generation / table).glob("month=*"):
        files = list(folder.glob("*.parquet"))
        if files:
            found[folder.name.removeprefix("month=")] = files[0]
    return found


@contextmanager
def _locked(dataset_dir: Path) -> Iterator[None]:
    """One update at a time: a second one (another spider's crawl ending) waits for the first, then ingests
    what is left."""
    path = dataset_dir / ".lock"
    with open(path, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            logger.info("another update of %s is running: waiting for it", dataset_dir)
            fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def _months(published: pa.ChunkedArray | pa.Array) -> pa.Array:
    """``YYYY-MM`` of each publication time in Beijing time; ``none`` where there is none."""
    local = pc.strftime(published, format="%Y-%m") if len(published) else pa.array([], pa.string())
    return pc.fill_null(local, NO_MONTH)


def _write(table: pa.Table, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path, compression="zstd")
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def _fsync_tree(root: Path) -> None:
    for folder, _, _ in os.walk(root):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# --- the update ---------------------------------------------------------------------------------


def update(feed_dir: Path, dataset_dir: Path) -> Update:
    """Ingest every feed of ``feed_dir`` (all spiders) not ingested before; see the module's doc."""
    started = time.monotonic()
    try:
        dataset_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DatasetError(f"cannot create {dataset_dir} ({exc.strerror or exc})") from None
    if not os.access(dataset_dir, os.W_OK):
        raise DatasetError(f"{dataset_dir} cannot be written; set CQN_DATASET_DIR to a folder cqnnews can write")
    with _locked(dataset_dir):
        current = generation_of(dataset_dir)
        removed = _remove_leftovers(dataset_dir, current)
        manifest = _manifest(current)
        index = _index(current)
        new_feeds = [f for f in article_feeds(feed_dir, recursive=True)
                     if str(f.relative_to(feed_dir)) not in manifest["feeds"]] if feed_dir.is_dir() else []
        result = Update(manifest["generation"], removed=removed)
        if not new_feeds:
            result.articles = index.num_rows
            result.spotchecks = int(manifest.get("spotchecks", 0))
            result.recalls = int(manifest.get("recalls", 0))
            if current is not None:
                _database(dataset_dir)  # views over current, should the database file be gone
            return result
        result.generation += 1
        target = dataset_dir / f"gen-{result.generation:06d}"
        target.mkdir()
        lines, sidecars = _read_new(feed_dir, new_feeds)
        result.feeds = [str(f.relative_to(feed_dir)) for f in new_feeds]
        result.lines = lines.num_rows
        winners, index = _merge_index(index, lines)
        touched = sorted(set(winners["month"].to_pylist()) | set(winners["old_month"].drop_null().to_pylist()))
        result.months_rewritten = touched
        counts = {}
        for name in TABLES:
            counts[name] = _write_table(name, current, target, touched, winners,
                                        lines if name == "articles" else sidecars[name], result.generation)
        failpoints.reached("dataset_written")
        _write(index, target / "index.parquet")
        feeds = dict(manifest["feeds"])
        per_feed = {c["values"]: c["counts"] for c in pc.value_counts(lines["feed"]).to_pylist()}  # one pass
        for name in result.feeds:
            feeds[name] = {"lines": per_feed.get(name, 0)}
        manifest_path = target / "manifest.json"
        manifest_path.write_text(json.dumps({"generation": result.generation, "feeds": feeds,
                                             "articles": counts["articles"], "spotchecks": counts["spotchecks"],
                                             "recalls": counts["recalls"]},
                                            ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        _fsync_tree(target)
        failpoints.reached("dataset_synced")
        _point_current(dataset_dir, target.name)
        failpoints.reached("dataset_switched")
        _database(dataset_dir)
        if current is not None and current.name != target.name:
            shutil.rmtree(current, ignore_errors=True)
        result.articles, result.spotchecks, result.recalls = counts["articles"], counts["spotchecks"], counts["recalls"]
        result.seconds = time.monotonic() - started
        return result


def _remove_leftovers(dataset_dir: Path, current: Path | None) -> list[str]:
    """Generations a killed update left (never ``current``), and a link it did not finish renaming."""
    removed = []
    for path in dataset_dir.iterdir():
        if _GENERATION.match(path.name) and (current is None or path.name != current.name):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path.name)
        elif path.name.startswith(CURRENT + ".") and path.is_symlink():
            path.unlink()
    return sorted(removed)


def _read_new(feed_dir: Path, feeds: list[Path]) -> tuple[pa.Table, dict[str, pa.Table]]:
    """The new feeds' lines and the records beside them (spot-check, recall), each with the feed it came from."""
    articles: list[pa.Table] = []
    found: dict[str, list[pa.Table]] = {name: [] for name in SIDECARS}
    for feed in feeds:
        name = str(feed.relative_to(feed_dir))
        try:
            table = read_feed(feed)
        except (OSError, pa.ArrowInvalid) as exc:
            raise DatasetError(f"cannot read the feed {feed} ({exc})") from None
        articles.append(table.append_column("feed", pa.array([name] * table.num_rows, pa.string())))
        for table_name, (where, read, what) in SIDECARS.items():
            beside = where(feed)
            if beside.exists():
                try:
                    records = read(beside)
                except (OSError, ValueError, pa.ArrowInvalid) as exc:
                    raise DatasetError(f"cannot read the {what} {beside} ({exc})") from None
                found[table_name].append(records.append_column("feed", pa.array([name] * records.num_rows,
                                                                                 pa.string())))
    lines = pa.concat_tables(articles) if articles else ARTICLES_SCHEMA.empty_table()
    lines = lines.append_column("month", _months(lines["published_at"]))
    return lines, {n: pa.concat_tables(t) if t else TABLES[n].empty_table() for n, t in found.items()}


def _merge_index(index: pa.Table, lines: pa.Table) -> tuple[pa.Table, pa.Table]:
    """The articles whose row changes (``article_id``, ``feed`` and ``month`` of their latest line, ``old_month``:
    where their row was, ``revision``, ``first_seen``, ``last_seen``), and the index after the update."""
    import duckdb

    new_ids = pc.unique(lines["article_id"])
    before = index.filter(pc.is_in(index["article_id"], value_set=new_ids))  # only the articles of the new lines
    con = duckdb.connect()
    try:
        con.register("old", before)
        con.register("new", lines.select(["article_id", "month", "revision", "fetched_at", "feed"]))
        con.execute("""
            CREATE TEMP TABLE merged AS
            WITH every AS (
                SELECT article_id, month, revision, fetched_at, feed, first_seen, last_seen, 0 AS fresh FROM old
                UNION ALL
                SELECT article_id, month, revision, fetched_at, feed, fetched_at, fetched_at, 1 FROM new),
            ranked AS (
                SELECT *, row_number() OVER (PARTITION BY article_id ORDER BY revision DESC, fetched_at DESC,
                                              fresh DESC, feed DESC) AS n,
                       min(first_seen) OVER (PARTITION BY article_id) AS first,
                       max(last_seen) OVER (PARTITION BY article_id) AS last
                FROM every)
            SELECT article_id, month, revision, fetched_at, feed, first AS first_seen, last AS last_seen, fresh
            FROM ranked WHERE n = 1""")
        merged = con.sql("SELECT * EXCLUDE (fresh) FROM merged ORDER BY article_id").to_arrow_table()
        winners = con.sql("""
            SELECT m.article_id, m.feed, m.month, o.month AS old_month, m.revision, m.first_seen, m.last_seen
            FROM merged m LEFT JOIN old o USING (article_id)
            WHERE m.fresh = 1 OR m.first_seen IS DISTINCT FROM o.first_seen
               OR m.last_seen IS DISTINCT FROM o.last_seen""").to_arrow_table()
    finally:
        con.close()
    seen = pa.timestamp("s", tz="UTC")
    winners = winners.cast(pa.schema([("article_id", pa.int64()), ("feed", pa.string()), ("month", pa.string()),
                                      ("old_month", pa.string()), ("revision", pa.int32()), ("first_seen", seen),
                                      ("last_seen", seen)]))
    untouched = index.filter(pc.invert(pc.is_in(index["article_id"], value_set=new_ids)))
    new_index = pa.concat_tables([untouched, merged.cast(INDEX_SCHEMA)]).sort_by("article_id")
    return winners, new_index


def _keys(table: pa.Table) -> pa.Array:
    """``<article_id> <feed>`` of each row: which line of which feed it is."""
    return pc.binary_join_element_wise(pc.cast(table["article_id"], pa.string()), table["feed"], " ")


def _by_month(new: pa.Table, winners: pa.Table) -> dict[str, pa.Array]:
    """The positions of the new rows that are their article's latest line, by the month they go to: each month's
    rows are taken when it is written, so no second copy of all the new lines is ever made."""
    if not new.num_rows or not winners.num_rows:
        return {}
    return _groups(pc.take(winners["month"], pc.index_in(_keys(new), value_set=_keys(winners))))


def _groups(values: pa.ChunkedArray) -> dict[str, pa.Array]:
    """The positions of each value (nulls left out), in one sort."""
    positions = pc.indices_nonzero(pc.is_valid(values))
    present = pc.take(values, positions).combine_chunks()
    order = pc.sort_indices(present)
    positions, present = pc.take(positions, order), pc.take(present, order)
    out, start = {}, 0
    for run in pc.run_end_encode(present).run_ends.to_pylist() if len(present) else []:
        out[present[start].as_py()] = positions.slice(start, run - start)
        start = run
    return out


def _take(batches: list[pa.RecordBatch], offsets: np.ndarray, positions: pa.Array, schema: pa.Schema) -> pa.Table:
    """The rows at ``positions`` (ascending) of the table made of ``batches`` (starting at ``offsets``)."""
    where = positions.to_numpy().astype(np.int64)
    which = np.searchsorted(offsets, where, side="right") - 1
    parts = []
    for n in np.unique(which):
        local = where[which == n] - offsets[n]
        parts.append(batches[n].take(pa.array(local)))
    return pa.Table.from_batches(parts, schema=schema)


def _write_table(name: str, current: Path | None, target: Path, touched: list[str], winners: pa.Table,
                 new: pa.Table, generation: int) -> int:
    """Write ``name`` of the new generation: each touched month rewritten, the others linked; its rows."""
    schema = TABLES[name]
    existing = _month_files(current, name)
    rows = 0
    for month, path in existing.items():
        if month not in touched:
            link = target / name / f"month={month}" / path.name
            link.parent.mkdir(parents=True, exist_ok=True)
            os.link(path, link)
            rows += pq.ParquetFile(path).metadata.num_rows
    if name == "articles":  # a new line's own columns, and the dataset's about the article
        new = new.drop_columns(["month"]).append_column("revisions", new["revision"])
        new = new.append_column("first_seen", new["fetched_at"]).append_column("last_seen", new["fetched_at"])
        new = new.select(schema.names)
    by_month = _by_month(new, winners)
    batches = new.to_batches()  # one per feed read: a month's rows are taken from each, not from the whole
    offsets = np.cumsum([0, *(b.num_rows for b in batches)])
    lands, leaves = _groups(winners["month"]), _groups(winners["old_month"])
    nothing = pa.array([], pa.int64())
    for month in touched:
        ours = winners.take(lands.get(month, nothing))  # the articles whose latest line is in this month
        ours_keys = _keys(ours)
        # the articles whose row here, if any, changes: those that land here and those that leave
        changed = pa.concat_arrays([ours["article_id"].combine_chunks(),
                                    winners.take(leaves.get(month, nothing))["article_id"].combine_chunks()])
        old = pq.read_table(existing[month], schema=schema) if month in existing else schema.empty_table()
        fresh = _take(batches, offsets, by_month[month], new.schema) if month in by_month else new.schema.empty_table()
        table = pa.concat_tables([old, fresh.cast(schema)])
        del fresh
        keys = _keys(table)
        # an article no line changed, or the row of its latest line
        keep = pc.or_(pc.invert(pc.is_in(table["article_id"], value_set=changed)), pc.is_in(keys, value_set=ours_keys))
        table = table.filter(keep)
        if name == "articles" and table.num_rows and ours.num_rows:
            at = pc.index_in(_keys(table), value_set=ours_keys)
            for column, source in (("revisions", "revision"), ("first_seen", "first_seen"),
                                   ("last_seen", "last_seen")):
                value = pc.if_else(pc.is_null(at), table[column], pc.take(ours[source], pc.fill_null(at, 0)))
                table = table.set_column(table.schema.get_field_index(column), column, value)
        table = table.sort_by([(column, "ascending") for column in ORDER[name]])
        if table.num_rows:
            _write(table, target / name / f"month={month}" / f"part-{generation:06d}.parquet")
        rows += table.num_rows
    if not list((target / name).glob("month=*/*.parquet")):  # no rows at all: an empty file, for its columns
        _write(schema.empty_table(), target / name / f"month={NO_MONTH}" / f"part-{generation:06d}.parquet")
    return rows


def _point_current(dataset_dir: Path, name: str) -> None:
    """``current`` -> ``name`` in one step (a new link renamed over the old one), made durable."""
    temporary = dataset_dir / f"{CURRENT}.{os.getpid()}"
    temporary.unlink(missing_ok=True)
    os.symlink(name, temporary)
    os.replace(temporary, dataset_dir / CURRENT)
    fd = os.open(dataset_dir, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


VIEWS = {
    "articles": "SELECT * FROM read_parquet('{root}/articles/*/*.parquet', hive_partitioning = true)",
    "spotchecks": "SELECT * FROM read_parquet('{root}/spotchecks/*/*.parquet', hive_partitioning = true)",
    "recalls": "SELECT * FROM read_parquet('{root}/recalls/*/*.parquet', hive_partitioning = true)",
}


def _database(dataset_dir: Path) -> None:
    """``cqnnews.duckdb``: views ``articles``, ``spotchecks`` and ``recalls`` over ``current`` (written beside, then
    renamed)."""
    import duckdb

    root = (dataset_dir / CURRENT).absolute().as_posix().replace("'", "''")
    temporary = dataset_dir / f".{DATABASE}.{os.getpid()}"
    temporary.unlink(missing_ok=True)
    con = duckdb.connect(str(temporary))
    try:
        for view, query in VIEWS.items():
            if not (dataset_dir / CURRENT / view).is_dir():  # a table a generation of an older cqnnews lacks
                continue
            con.execute(f"CREATE OR REPLACE VIEW {view} AS {query.format(root=root)}")
        con.execute("CHECKPOINT")
    finally:
        con.close()
    os.replace(temporary, dataset_dir / DATABASE)
