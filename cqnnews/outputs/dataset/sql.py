"""DuckDB for the dataset: the connection's settings, and the partitioned Parquet writing every table shares."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa

from cqnnews.outputs.dataset import tables
from cqnnews.outputs.dataset.month_writers import MonthWriters

MEMORY = "320MB"  # DuckDB's own limit: beyond it, it spills to the generation's scratch folder
BATCH = 8_192  # rows of each Arrow batch DuckDB hands on to be written
ASIDE = "<aside>"  # the rows set aside, to the writing threads (never a month's name: YYYY-MM or none)
BUFFERED = 8 << 20  # bytes of rows held for their months' files before the largest is handed on to be written
# a month with fewer rows than this share of a batch is "scattered" in it: its rows are gathered with the other
# scattered rows of the batches (at most POOLED bytes of them) and split by month together
SCATTERED = 1 / 32
POOLED = 16 << 20


def quoted(value: str | Path) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def files(paths: list[Path]) -> str:
    return "[" + ", ".join(quoted(p) for p in paths) + "]"


def connection(scratch: Path) -> Any:
    import duckdb

    (scratch / "duckdb").mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute(f"SET temp_directory = {quoted(scratch / 'duckdb')}")
    con.execute(f"SET memory_limit = '{MEMORY}'")
    con.execute("SET preserve_insertion_order = false")
    con.execute("SET enable_progress_bar = false")
    # memory freed by one step given back before the next (DuckDB's allocator keeps 128 MB a thread by default)
    con.execute("SET allocator_flush_threshold = '32MB'")
    # every join below is written with the large input on the left and the table it is matched against on the
    # right, where the hash table is built: DuckDB cannot know how many lines a feed holds (it guesses a few
    # hundred) and would otherwise build it of the feeds' parsed lines, a million of them spilled to disk
    con.execute("SET disabled_optimizers = 'join_order,build_side_probe_side'")
    return con


def copy(con: Any, query: str, target: Path, table: str, generation: int, aside: Path | None = None,
         each: Callable[[pa.Table], None] | None = None, batch_rows: int | None = None) -> int:
    """Write ``query`` (its columns: the table's, then ``month``) as ``target/<table>/month=*/part-*.parquet``: one
    file a month; the rows written.  With ``aside``, the query has a last column ``role``: 0 a row of the table,
    1 a row of the table also written to the file ``aside``, 2 a row only written there.  ``each`` is given the
    table's rows of each batch as they pass (cqnnews.outputs.dataset.signing); ``batch_rows``, the rows of each
    batch (:data:`BATCH` by default; more for a table of small rows, whose cost is that of its batches' months).

    DuckDB's own partitioned ``COPY`` holds what it reads faster than it writes its ~140 month files: at a
    million lines it spilled 1.4 GB under its memory limit and took three times as long as reading and writing
    them (docs/benchmarks.md, 2026-12-03 second session).  So DuckDB streams the rows as Arrow batches, and
    each batch's rows go to their month's buffer, handed on as a row group when the buffers together pass
    :data:`BUFFERED` (the largest first) to the threads writing the months' files (cqnnews.outputs.dataset.
    month_writers): a month written in one stretch gets large row groups, a month touched by a few scattered
    lines small ones, and the memory held stays the same whatever the months.  A batch's rows of months it holds
    few of (corrections of old articles, :data:`SCATTERED`) are pooled with those of the next batches and split by
    month together (:data:`POOLED` bytes at a time): copied out of each batch month by month, they took a quarter
    of the time of the articles' writing at a million lines."""
    import numpy as np

    schema = tables.tables()[table]
    held: dict[str, list[pa.RecordBatch]] = {}
    sizes: dict[str, int] = {}
    pool: list[tuple[pa.RecordBatch, pa.Array]] = []  # the batches' scattered rows and their months
    pooled = written = 0
    with MonthWriters(target, table, generation, schema) as months:
        if aside is not None:
            months.file(ASIDE, aside)
        relation = con.sql(query)
        size = batch_rows or BATCH
        batches = relation.to_arrow_reader(size) if hasattr(relation, "to_arrow_reader") else \
            relation.fetch_arrow_reader(size)  # DuckDB before 2.0
        for batch in _ahead(batches):
            keep = None  # the rows of the table, when not all are
            if aside is not None:
                role = batch.column(batch.num_columns - 1).to_numpy(zero_copy_only=False)
                batch = batch.drop_columns([batch.schema.names[-1]])
                top = int(role.max(initial=0))
                if top >= 1:
                    also = batch.filter(pa.array(role >= 1))
                    also = _typed(also.drop_columns([also.schema.names[-1]]), schema)
                    months.write(ASIDE, pa.Table.from_batches([also]), also.get_total_buffer_size())
                if top == 2:  # left out by the ordering by month, not by a copy of the batch of its own
                    keep = np.flatnonzero(role < 2)
            if not batch.num_rows or (keep is not None and not len(keep)):
                continue
            rows = _typed(batch.drop_columns([batch.schema.names[-1]]), schema)
            ordered, parts, scattered = _by_month(batch.column(batch.num_columns - 1), rows, keep, SCATTERED)
            if each is not None:
                each(pa.Table.from_batches([ordered]))
            if scattered is not None:
                pool.append(scattered)
                pooled += scattered[0].get_total_buffer_size()
                if pooled > POOLED:
                    parts += _split_pool(pool)
                    pool, pooled = [], 0
            for month, part in parts:
                held.setdefault(month, []).append(part)
                sizes[month] = sizes.get(month, 0) + part.get_total_buffer_size()
            written += ordered.num_rows
            del batch, rows, ordered, parts, scattered  # their memory given back before the next batch comes
            while sum(sizes.values()) > BUFFERED:
                month = max(sizes, key=lambda m: sizes[m])
                months.write(month, pa.Table.from_batches(held.pop(month)), sizes.pop(month))
        for month, part in _split_pool(pool):
            held.setdefault(month, []).append(part)
            sizes[month] = sizes.get(month, 0) + part.get_total_buffer_size()
        for month in list(held):
            months.write(month, pa.Table.from_batches(held.pop(month)), sizes.pop(month))
    pa.default_memory_pool().release_unused()  # what Arrow's allocator kept of the batches, for the next steps
    return written


def _typed(batch: pa.RecordBatch, schema: pa.Schema) -> pa.RecordBatch:
    """``batch`` (DuckDB's columns, in the table's order) with the table's names and types."""
    return batch.rename_columns(schema.names).cast(schema, safe=False)


def _by_month(month: pa.Array, rows: pa.RecordBatch, keep: Any = None, scattered: float = 0.0
              ) -> tuple[pa.RecordBatch, list[tuple[str, pa.RecordBatch]], tuple[pa.RecordBatch, pa.Array] | None]:
    """The rows (those at the positions ``keep``, all by default) ordered by month, the rows of each month in their
    order, and the rows of the months with fewer than the share ``scattered`` of the rows, with their months (None
    when there are none).  The batch is ordered in one ``take`` (the scattered rows last), each month's stretch then
    copied out of it, and the scattered rows copied out together (``take`` and a copy cost about the same for a few
    rows as for thousands: one a month cost four times as much; the copies hold no reference to the batch, so a
    month's rows kept waiting hold only their own; the largest month's is a slice, counted as the whole batch while
    it waits).  Rows of one table in feed order fall in a few months; a correction of an old article, in one of a
    hundred: those are gathered (:func:`_split_pool`) rather than copied one by one."""
    import numpy as np
    import pyarrow.compute as pc

    names = pc.dictionary_encode(month.cast(pa.string()))
    codes = names.indices.fill_null(0).to_numpy(zero_copy_only=False)  # null: a row not kept
    if keep is not None:
        codes = codes[keep]
    counts = np.bincount(codes, minlength=len(names.dictionary))
    present = np.flatnonzero(counts)
    if keep is None and len(present) == 1:
        return rows, [(names.dictionary[int(present[0])].as_py(), rows)], None
    few = (counts < scattered * len(codes)) & (counts > 0)
    if few[present].all():  # a batch of scattered rows only: ordered and split as it is
        few[:] = False
    rank = np.where(few[codes], codes + len(counts), codes)  # the scattered rows after the others
    order = np.argsort(rank, kind="stable")
    ordered = rows.take(order if keep is None else keep[order])
    gathered = None
    if few.any():
        main = int(counts[~few].sum())
        gathered = (pa.concat_batches([ordered.slice(main)]), names.dictionary.take(pa.array(codes[order[main:]])))
        present = np.flatnonzero(counts * ~few)
    if len(present) == 1 and gathered is None:
        return ordered, [(names.dictionary[int(present[0])].as_py(), ordered)], None
    out, at, largest = [], 0, int(present[np.argmax(counts[present])])
    for code in present:
        count = int(counts[code])
        piece = ordered.slice(at, count)  # the largest month's stretch not copied again: it holds the batch
        out.append((names.dictionary[int(code)].as_py(), piece if code == largest else pa.concat_batches([piece])))
        at += count
    return ordered, out, gathered


def _split_pool(pool: list[tuple[pa.RecordBatch, pa.Array]]) -> list[tuple[str, pa.RecordBatch]]:
    """The scattered rows of several batches (:func:`_by_month`), each month's copied out together."""
    if not pool:
        return []
    rows = pa.concat_batches([rows for rows, _ in pool])
    month = pa.concat_arrays([month for _, month in pool])
    _, parts, _ = _by_month(month, rows)
    return parts


def _ahead(reader: Any, depth: int = 1) -> Any:
    """The batches of ``reader``, read by a thread of their own ``depth`` batches ahead: DuckDB reads and matches the
    next lines while the ones before are written (both let go of Python's lock while they work)."""
    import queue
    import threading

    batches: queue.Queue[Any] = queue.Queue(maxsize=depth)
    done = object()
    stop = threading.Event()

    def hand(item: Any) -> bool:
        """``item`` to the writing thread; False once it stopped taking them."""
        while not stop.is_set():
            try:
                batches.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def read() -> None:
        try:
            for batch in reader:
                if not hand(batch):
                    return
            hand(done)
        except BaseException as exc:  # noqa: BLE001 - handed on to the writing thread, raised there
            hand(exc)

    thread = threading.Thread(target=read, name="dataset-reader", daemon=True)
    thread.start()
    try:
        while True:
            batch = batches.get()
            if batch is done:
                return
            if isinstance(batch, BaseException):
                raise batch
            yield batch
    finally:
        stop.set()
        thread.join()


def columns(schema: pa.Schema, alias: str, replaced: dict[str, str] | None = None) -> str:
    replaced = replaced or {}
    return ", ".join(replaced.get(n, f'{alias}."{n}"') for n in schema.names)


