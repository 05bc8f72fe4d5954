"""The Parquet files of a table's months, one a month, written by a few threads (cqnnews.outputs.dataset.sql.copy).

pyarrow lets go of Python's lock while it encodes and compresses a row group, so the months' files are written
by :data:`THREADS` threads while the next rows are read and split.  Each month is written by one thread, its row
groups in the order they were handed on; the rows handed on and not written yet are at most :data:`IN_FLIGHT`
bytes (the splitting waits beyond it), so the memory held stays bounded whatever the months.
"""

from __future__ import annotations

import threading
from collections import deque
from functools import cache
from pathlib import Path
from typing import Any

import pyarrow as pa

THREADS = 2  # writing threads (the machines this runs on have two cores or more; DuckDB's reading shares them)
IN_FLIGHT = 8 << 20  # bytes of rows handed to the writing threads and not written yet, at most

# the columns of texts nearly all different: no dictionary tried, no minimum and maximum (a third of the time
# of writing them went to both)
TEXTS = ("url", "title", "subtitle", "body", "images", "attachments", "tables", "keywords", "paragraphs_added",
         "paragraphs_removed", "manufacturer", "manufacturer_address", "sampled_unit", "sampled_unit_address", "raw")


@cache
def encoding(schema: pa.Schema) -> dict[str, Any]:
    """The ParquetWriter options of ``schema``'s columns: dictionaries and statistics only where they help."""
    import io

    import pyarrow.parquet as pq

    buffer = io.BytesIO()
    pq.write_table(schema.empty_table(), buffer)
    paths = [c.path for c in pq.ParquetFile(io.BytesIO(buffer.getvalue())).schema]
    kept = [p for p in paths if p.split(".")[0] not in TEXTS]
    return {"use_dictionary": kept, "write_statistics": kept}


def writer(path: Path, schema: pa.Schema) -> Any:
    """A ParquetWriter of ``schema`` to ``path`` (its folder made), with the dataset's options."""
    import pyarrow.parquet as pq

    path.parent.mkdir(parents=True, exist_ok=True)
    return pq.ParquetWriter(path, schema, compression="snappy", **encoding(schema))


class MonthWriters:
    """``target/<table>/month=<m>/part-<generation>-0.parquet`` for each month ``m`` given rows by :meth:`write`.

    Used as a context manager: leaving it without an error waits for every row group and closes the files; with
    an error, the threads are stopped and the files closed as they are (the generation is not switched to)."""

    def __init__(self, target: Path, table: str, generation: int, schema: pa.Schema, threads: int = THREADS,
                 in_flight: int = IN_FLIGHT) -> None:
        self.folder, self.name = target / table, f"part-{generation:06d}-0.parquet"
        self.schema, self.limit = schema, in_flight
        self.queues: list[deque[tuple[str, pa.Table, int] | None]] = [deque() for _ in range(max(1, threads))]
        self.thread_of: dict[str, int] = {}  # a month's thread: each month's row groups written in order
        self.writers: dict[str, Any] = {}
        self.paths: dict[str, Path] = {}  # files not of a month (cqnnews.outputs.dataset.sql: the rows set aside)
        self.pending = 0  # bytes handed on, not written yet
        self.failed: BaseException | None = None
        self.lock = threading.Condition()
        self.threads = [threading.Thread(target=self._run, args=(q,), name=f"dataset-writer-{n}", daemon=True)
                        for n, q in enumerate(self.queues)]
        for thread in self.threads:
            thread.start()

    def file(self, key: str, path: Path) -> None:
        """Rows given to :meth:`write` under ``key`` (not a month's name) written to ``path``, made now (a file
        without rows is read as one of no rows)."""
        self.paths[key] = path
        self.writers[key] = writer(path, self.schema)

    def write(self, month: str, rows: pa.Table, size: int) -> None:
        """``rows`` (``size`` bytes) written as a row group of ``month``'s file, by its thread; waits while too much
        is in flight."""
        with self.lock:
            while self.pending and self.pending + size > self.limit and self.failed is None:
                self.lock.wait()
            if self.failed is not None:
                raise self.failed
            if month not in self.thread_of:  # the next thread in turn: the months spread evenly
                self.thread_of[month] = len(self.thread_of) % len(self.queues)
            self.pending += size
            self.queues[self.thread_of[month]].append((month, rows, size))
            self.lock.notify_all()

    def _run(self, jobs: deque[tuple[str, pa.Table, int] | None]) -> None:
        while True:
            with self.lock:
                while not jobs:
                    self.lock.wait()
                job = jobs.popleft()
            if job is None:
                return
            month, rows, size = job
            try:
                if self.failed is None:
                    out = self.writers.get(month)
                    if out is None:
                        path = self.paths.get(month) or self.folder / f"month={month}" / self.name
                        out = self.writers[month] = writer(path, self.schema)
                    out.write_table(rows, row_group_size=rows.num_rows)
            except BaseException as exc:  # noqa: BLE001 - raised by the splitting thread, at its next write or the end
                with self.lock:
                    self.failed = self.failed or exc
            with self.lock:
                self.pending -= size
                self.lock.notify_all()

    def __enter__(self) -> MonthWriters:
        return self

    def __exit__(self, kind: Any, error: Any, trace: Any) -> None:
        with self.lock:
            if error is not None:
                self.failed = self.failed or error
                for jobs in self.queues:
                    jobs.clear()
            for jobs in self.queues:
                jobs.append(None)
            self.lock.notify_all()
        for thread in self.threads:
            thread.join()
        try:
            for out in self.writers.values():
                out.close()
        finally:
            if error is None and self.failed is not None:
                raise self.failed
        if error is None:
            sync_soon([Path(w.where) for w in self.writers.values()])


def sync_soon(paths: list[Path]) -> None:
    """``paths`` put on disk by a thread of their own while the update goes on: the disk writes a table's files
    while the next table is read and written, rather than all of them at the end.  Nothing waits for it: the files
    are synced again, and the generation made durable, by cqnnews.outputs.dataset.generations.fsync_tree (a file
    already on disk is synced at once); an error here (the generation removed after a failure) is left to it."""
    from cqnnews.atomic import sync_path

    def sync() -> None:
        for path in paths:
            try:
                sync_path(path)
            except OSError:
                continue

    threading.Thread(target=sync, name="dataset-sync", daemon=True).start()
