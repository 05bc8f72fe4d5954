"""cqnnews.outputs.dataset.sql: the rows DuckDB hands on written to one file a month, the rows set aside, and the reading
thread that runs a batch ahead of the writing."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

from cqnnews.outputs.dataset import sql
from cqnnews.outputs.dataset.tables import REVISIONS_SCHEMA


def rows(n: int, role: str = "") -> str:
    """``n`` rows of the revisions table over three months, ``role`` an optional last column."""
    return (f"SELECT 'o' AS origin, i::BIGINT AS article_id, 1 AS revision, TIMESTAMPTZ '2026-11-01 00:00:00+00' "
            f"AS fetched_at, 'f' AS feed, []::VARCHAR[] AS changed, [repeat('x', 500)] AS paragraphs_added, "
            f"[]::VARCHAR[] AS paragraphs_removed, ['2026-09', '2026-10', 'none'][i % 3 + 1] AS month{role} "
            f"FROM range({n}) t(i)")


def test_each_month_one_file_with_all_its_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sql, "BATCH", 1000)
    monkeypatch.setattr(sql, "BUFFERED", 200_000)  # several row groups a month
    con = sql.connection(tmp_path / "scratch")
    assert sql.copy(con, rows(30_000), tmp_path, "revisions", 7) == 30_000
    files = sorted(tmp_path.glob("revisions/month=*/*.parquet"))
    assert [f"{f.parent.name}/{f.name}" for f in files] == [
        f"month={m}/part-000007-0.parquet" for m in ("2026-09", "2026-10", "none")]
    for file in files:
        table = pq.read_table(file)
        assert table.schema.names == REVISIONS_SCHEMA.names and table.num_rows == 10_000
        assert pq.ParquetFile(file).metadata.num_row_groups > 1
    assert sorted(pq.read_table(files[0])["article_id"].to_pylist()) == list(range(0, 30_000, 3))


def test_rows_set_aside_by_their_role(tmp_path: Path) -> None:
    con = sql.connection(tmp_path / "scratch")
    role = ", (i % 5 = 0)::INTEGER * 2 + (i % 5 = 1)::INTEGER AS role"  # 2: aside only, 1: both, else 0
    aside = tmp_path / "aside.parquet"
    assert sql.copy(con, rows(1000, role), tmp_path, "revisions", 1, aside) == 800
    written = pq.read_table(tmp_path / "revisions")["article_id"].to_pylist()
    assert sorted(written) == [i for i in range(1000) if i % 5]
    assert sorted(pq.read_table(aside)["article_id"].to_pylist()) == [i for i in range(1000) if i % 5 < 2]


def test_an_error_of_the_reading_thread_is_raised_where_the_rows_are_written() -> None:
    def failing():  # type: ignore[no-untyped-def]
        yield 1
        raise ValueError("lost the file")

    got = []
    with pytest.raises(ValueError, match="lost the file"):
        for batch in sql._ahead(failing()):
            got.append(batch)
    assert got == [1]


def test_a_writer_that_stops_early_does_not_wait_for_the_reader() -> None:
    ahead = sql._ahead(iter(range(10)))
    assert next(ahead) == 0
    ahead.close()  # the reader, blocked handing on the next batch, is told to stop and joined


def test_scattered_rows_gathered_and_written_to_their_months(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Most rows of each batch in two months, one in a hundred in one of fifty others (corrections of old articles):
    the scattered ones are pooled across batches and split together, and every month's file has all its rows."""
    monkeypatch.setattr(sql, "BATCH", 1000)
    monkeypatch.setattr(sql, "POOLED", 5_000)  # the pool split several times
    query = ("SELECT 'o' AS origin, i::BIGINT AS article_id, 1 AS revision, TIMESTAMPTZ '2026-11-01 00:00:00+00' "
             "AS fetched_at, 'f' AS feed, []::VARCHAR[] AS changed, [repeat('x', 100)] AS paragraphs_added, "
             "[]::VARCHAR[] AS paragraphs_removed, CASE WHEN i % 100 = 0 "
             "THEN printf('2020-%02d', (i // 100) % 50 + 1) "
             "ELSE ['2026-10', '2026-11'][i % 2 + 1] END AS month FROM range(20000) t(i)")
    splits = []
    split = sql._split_pool
    monkeypatch.setattr(sql, "_split_pool", lambda pool: splits.append(len(pool)) or split(pool))
    con = sql.connection(tmp_path / "scratch")
    assert sql.copy(con, query, tmp_path, "revisions", 4) == 20_000
    assert len(splits) > 2 and max(splits) > 1  # pooled: several batches' scattered rows split at once
    written = {f.parent.name: sorted(pq.read_table(f)["article_id"].to_pylist())
               for f in tmp_path.glob("revisions/month=*/*.parquet")}
    expected: dict[str, list[int]] = {}
    for i in range(20_000):
        month = f"2020-{(i // 100) % 50 + 1:02d}" if i % 100 == 0 else ("2026-10", "2026-11")[i % 2]
        expected.setdefault(f"month={month}", []).append(i)
    assert written == expected


def test_a_batch_whose_kept_rows_are_all_of_scattered_months_is_split_as_it_is() -> None:
    """Rows left out (``keep``: lines only set aside) leave months with no row: the months of the rows kept, all
    few, are still each given their rows."""
    import numpy as np
    import pyarrow as pa

    months = pa.array([f"2020-{m % 40 + 1:02d}" for m in range(80)] + ["2026-11"] * 100)
    rows = pa.record_batch({"n": pa.array(range(180))})
    keep = np.arange(80)  # the rows of 2026-11 not kept: its month has no row
    ordered, parts, scattered = sql._by_month(months, rows, keep, sql.SCATTERED)
    assert scattered is None and ordered.num_rows == 80
    assert {m: sorted(p.column(0).to_pylist()) for m, p in parts} == {
        f"2020-{m + 1:02d}": [m, m + 40] for m in range(40)}
