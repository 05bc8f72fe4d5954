"""DuckDB for the dataset: the connection's settings, and the partitioned Parquet writing every table shares."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pyarrow as pa

from cqnnews.dataset import tables

MEMORY = "320MB"  # DuckDB's own limit: beyond it, it spills to the generation's scratch folder
BATCH = 8_192  # rows of each Arrow batch DuckDB hands on to be written
BUFFERED = 16 << 20  # bytes of rows held for their months' files before the largest is written out


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
         each: Callable[[pa.Table], None] | None = None) -> int:
    """Write ``query`` (its columns: the table's, then ``month``) as ``target/<table>/month=*/part-*.parquet``: one
    file a month; the rows written.  With ``aside``, the query has a last column ``role``: 0 a row of the table,
    1 a row of the table also written to the file ``aside``, 2 a row only written there.  ``each`` is given the
    table's rows of each batch as they pass (cqnnews.dataset.signing).

    DuckDB's own partitioned ``COPY`` holds what it reads faster than it writes its ~140 month files: at a
    million lines it spilled 1.4 GB under its memory limit and took three times as long as reading and writing
    them (docs/benchmarks.md, 2026-12-03 second session).  So DuckDB streams the rows as Arrow batches, and
    each batch's rows go to their month's buffer, written as a row group when the buffers together pass
    :data:`BUFFERED` (the largest first): a month written in one stretch gets large row groups, a month
    touched by a few scattered lines small ones, and the memory held stays the same whatever the months."""
    import numpy as np
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    schema = tables.tables()[table]
    writers: dict[str, Any] = {}
    held: dict[str, list[pa.Table]] = {}
    sizes: dict[str, int] = {}
    written = 0

    def flush(month: str) -> None:
        rows = pa.concat_tables(held.pop(month))
        sizes.pop(month)
        writer = writers.get(month)
        if writer is None:
            path = target / table / f"month={month}" / f"part-{generation:06d}-0.parquet"
            path.parent.mkdir(parents=True, exist_ok=True)
            writer = writers[month] = pq.ParquetWriter(path, schema, compression="snappy", **_encoding(schema))
        writer.write_table(rows, row_group_size=rows.num_rows)

    if aside is not None:
        aside.parent.mkdir(parents=True, exist_ok=True)
        apart = pq.ParquetWriter(aside, schema, compression="snappy", **_encoding(schema))
    try:
        relation = con.sql(query)
        batches = relation.to_arrow_reader(BATCH) if hasattr(relation, "to_arrow_reader") else \
            relation.fetch_arrow_reader(BATCH)  # DuckDB before 2.0
        for batch in _ahead(batches):
            if aside is not None:
                role = batch.column(batch.num_columns - 1)
                batch = batch.drop_columns([batch.schema.names[-1]])
                top = pc.max(role).as_py() or 0
                if top >= 1:
                    also = batch.filter(pc.greater_equal(role, 1))
                    also = pa.Table.from_batches([also.drop_columns([also.schema.names[-1]])])  # without its month
                    apart.write_table(also.rename_columns(schema.names).cast(schema, safe=False))
                    if top == 2:
                        batch = batch.filter(pc.less(role, 2))
            if not batch.num_rows:
                continue
            months = pc.dictionary_encode(batch.column(batch.num_columns - 1).cast(pa.string()))
            codes = months.indices.to_numpy(zero_copy_only=False)
            order = np.argsort(codes, kind="stable")
            rows = pa.Table.from_batches([batch]).drop_columns([batch.schema.names[-1]])
            rows = rows.rename_columns(schema.names).cast(schema, safe=False)
            if each is not None:
                each(rows)
            at, counts = 0, np.bincount(codes, minlength=len(months.dictionary))
            one = rows.to_batches()  # a RecordBatch's take costs about half a Table's
            source = one[0] if len(one) == 1 else rows
            for code, count in enumerate(counts):
                if not count:
                    continue
                month, which = months.dictionary[code].as_py(), order[at:at + count]
                if count == rows.num_rows:  # the batch is of one month
                    part = rows
                elif source is rows:
                    part = rows.take(which)
                else:
                    part = pa.Table.from_batches([source.take(which)])
                at += count
                held.setdefault(month, []).append(part)
                sizes[month] = sizes.get(month, 0) + part.nbytes
            written += batch.num_rows
            while sum(sizes.values()) > BUFFERED:
                flush(max(sizes, key=lambda m: sizes[m]))
        for month in list(held):
            flush(month)
    finally:
        for writer in writers.values():
            writer.close()
        if aside is not None:
            apart.close()
    return written


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


# the columns of texts nearly all different: no dictionary tried, no minimum and maximum (a third of the time
# of writing them went to both)
TEXTS = ("url", "title", "subtitle", "body", "images", "attachments", "tables", "keywords", "paragraphs_added",
         "paragraphs_removed", "manufacturer", "manufacturer_address", "sampled_unit", "sampled_unit_address", "raw")


@cache
def _encoding(schema: pa.Schema) -> dict[str, Any]:
    """The ParquetWriter options of ``schema``'s columns: dictionaries and statistics only where they help."""
    import io

    import pyarrow.parquet as pq

    buffer = io.BytesIO()
    pq.write_table(schema.empty_table(), buffer)
    paths = [c.path for c in pq.ParquetFile(io.BytesIO(buffer.getvalue())).schema]
    kept = [p for p in paths if p.split(".")[0] not in TEXTS]
    return {"use_dictionary": kept, "write_statistics": kept}


def columns(schema: pa.Schema, alias: str, replaced: dict[str, str] | None = None) -> str:
    replaced = replaced or {}
    return ", ".join(replaced.get(n, f'{alias}."{n}"') for n in schema.names)


