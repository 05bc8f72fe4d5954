"""DuckDB for the dataset: the connection's settings, and the partitioned Parquet writing every table shares."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa

from cqnnews.dataset import tables
from cqnnews.dataset.tables import arrow_metadata

MEMORY = "600MB"  # DuckDB's own limit: beyond it, it spills to the generation's scratch folder


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
    # each thread's rows handed on to the months' files often (see also ROW_GROUP_SIZE in copy)
    con.execute("SET partitioned_write_flush_threshold = 20000")
    # every join below is written with the large input on the left and the table it is matched against on the
    # right, where the hash table is built: DuckDB cannot know how many lines a feed holds (it guesses a few
    # hundred) and would otherwise build it of the feeds' parsed lines, a million of them spilled to disk
    con.execute("SET disabled_optimizers = 'join_order,build_side_probe_side'")
    return con


def copy(con: Any, query: str, target: Path, table: str, generation: int) -> int:
    """Write ``query`` (its columns: the table's, then ``month``) as ``target/<table>/month=*/part-*.parquet``."""
    # a month's file holds its rows until it has a row group's worth: small row groups, so that the rows held
    # for a hundred months at once stay a few hundred MB (DuckDB's default, 122,880 rows, held them all)
    options = (f"FORMAT parquet, COMPRESSION snappy, PARTITION_BY (month), OVERWRITE_OR_IGNORE, ROW_GROUP_SIZE 2048, "
               f"FILENAME_PATTERN 'part-{generation:06d}-{{i}}', "
               f"KV_METADATA {{'ARROW:schema': '{arrow_metadata(tables.tables()[table])}'}}")
    written = con.execute(f"COPY ({query}) TO {quoted(target / table)} ({options})").fetchone()
    return int(written[0]) if written else 0


def columns(schema: pa.Schema, alias: str, replaced: dict[str, str] | None = None) -> str:
    replaced = replaced or {}
    return ", ".join(replaced.get(n, f'{alias}."{n}"') for n in schema.names)


