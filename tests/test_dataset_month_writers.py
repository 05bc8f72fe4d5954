"""cqnnews.outputs.dataset.month_writers: each month's file written by one of a few threads, its row groups in the
order they were handed on, and an error of a writing thread raised to the one handing the rows on."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cqnnews.outputs.dataset.month_writers import MonthWriters

SCHEMA = pa.schema([("article_id", pa.int64()), ("body", pa.string())])


def rows(start: int, n: int) -> pa.Table:
    return pa.table({"article_id": pa.array(range(start, start + n), pa.int64()),
                     "body": pa.array(["x" * 100] * n, pa.string())}, schema=SCHEMA)


def test_each_month_one_file_its_row_groups_in_order(tmp_path: Path) -> None:
    months = [f"2026-{m:02d}" for m in range(1, 6)]
    with MonthWriters(tmp_path, "articles", 3, SCHEMA, threads=2, in_flight=5_000) as writers:
        for step in range(20):  # more than in flight at once: the handing on waits for the writing
            for n, month in enumerate(months):
                part = rows(10_000 * n + 100 * step, 10)
                writers.write(month, part, part.nbytes)
    for n, month in enumerate(months):
        path = tmp_path / "articles" / f"month={month}" / "part-000003-0.parquet"
        file = pq.ParquetFile(path)
        assert file.metadata.num_row_groups == 20
        ids = pq.read_table(path)["article_id"].to_pylist()
        assert ids == [10_000 * n + 100 * step + i for step in range(20) for i in range(10)]


def test_an_error_of_a_writing_thread_is_raised(tmp_path: Path) -> None:
    wrong = pa.table({"article_id": pa.array(["not a number"]), "body": pa.array(["x"])})
    with pytest.raises(ValueError, match="schema does not match"):
        with MonthWriters(tmp_path, "articles", 1, SCHEMA, threads=2) as writers:
            writers.write("2026-01", wrong, wrong.nbytes)
    with pytest.raises(RuntimeError, match="stopped"):  # an error of the caller: the threads stopped and joined
        with MonthWriters(tmp_path, "articles", 2, SCHEMA, threads=2) as writers:
            writers.write("2026-01", rows(0, 10), 10)
            raise RuntimeError("stopped")


def test_the_files_written_are_put_on_disk_while_the_update_goes_on(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import os
    import threading

    synced: list[str] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        synced.append(os.readlink(f"/proc/self/fd/{fd}"))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    with MonthWriters(tmp_path, "articles", 2, SCHEMA, threads=2) as writers:
        for month in ("2026-01", "2026-02"):
            writers.write(month, rows(0, 10), 1000)
    for thread in threading.enumerate():
        if thread.name == "dataset-sync":
            thread.join()
    mine = sorted(p for p in synced if p.startswith(str(tmp_path)))  # not another test's files, synced meanwhile
    assert mine == [str(tmp_path / "articles" / f"month={m}" / "part-000002-0.parquet")
                              for m in ("2026-01", "2026-02")]
