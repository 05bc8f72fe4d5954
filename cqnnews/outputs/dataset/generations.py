"""The dataset folder on disk: generations, the ``current`` link switched in one step, the lock, the manifest,
and ``cqnnews.duckdb`` with its views by relative paths."""

from __future__ import annotations

import fcntl
import json
import logging
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from cqnnews.atomic import rename_into_place, sync_path, write_atomic
from cqnnews.outputs.dataset.clusters import view_sql as clusters_view

logger = logging.getLogger(__name__)

CURRENT = "current"
DATABASE = "cqnnews.duckdb"
NO_MONTH = "none"
FORMAT = 2  # of the generation: 2 adds origin, revisions and the bytes of each feed ingested
_GENERATION = re.compile(r"^gen-(\d{6})$")


class DatasetError(Exception):
    """The dataset cannot be updated (a folder that cannot be written, another update running...)."""


def generation_of(dataset_dir: Path) -> Path | None:
    """The complete generation ``current`` points to; None before the first update."""
    link = dataset_dir / CURRENT
    if not link.is_symlink():
        return None
    return dataset_dir / os.readlink(link)


def read_manifest(generation: Path | None) -> dict[str, Any]:
    """The manifest of ``generation``; an empty one before the first update or for a generation of an older
    format (whose feeds are then all ingested again, into the current format)."""
    empty: dict[str, Any] = {"format": FORMAT, "generation": 0, "feeds": {}}
    if generation is None:
        return empty
    manifest = json.loads((generation / "manifest.json").read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT:
        logger.info("the dataset %s is of an older format: every feed is ingested again", generation.name)
        return {**empty, "generation": manifest["generation"], "older": True}
    return dict(manifest)


def write_manifest(target: Path, manifest: dict[str, Any]) -> None:
    (target / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n",
                                          encoding="utf-8")


def month_files(generation: Path | None, table: str) -> dict[str, list[Path]]:
    """The Parquet files of each month of ``table`` in ``generation``."""
    if generation is None:
        return {}
    found: dict[str, list[Path]] = {}
    for folder in sorted((generation / table).glob("month=*")):
        files = sorted(folder.glob("*.parquet"))
        if files:
            found[folder.name.removeprefix("month=")] = files
    return found


@contextmanager
def locked(dataset_dir: Path) -> Iterator[None]:
    """One update at a time: a second one (another spider's crawl ending) waits for the first, then ingests
    what is left."""
    with open(dataset_dir / ".lock", "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            logger.info("another update of %s is running: waiting for it", dataset_dir)
            fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def remove_leftovers(dataset_dir: Path, current: Path | None) -> list[str]:
    """Generations a killed update left (never ``current``), and a link it did not finish renaming."""
    removed = []
    for path in dataset_dir.iterdir():
        if _GENERATION.match(path.name) and (current is None or path.name != current.name):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path.name)
        elif path.name.startswith(CURRENT + ".") and path.is_symlink():
            path.unlink()
    return sorted(removed)


def link_months(current: Path | None, target: Path, table: str, keep: set[str], counted: int | None = None) -> int:
    """Hard-link the files of the months ``keep`` of ``table`` from ``current`` into ``target``; their rows.
    ``counted``: the rows of ``table`` in ``current`` (its manifest's): those linked are found from it and the
    files of the few months not linked, rather than from the footer of each of the ~140 linked."""
    import pyarrow.parquet as pq

    rows = left = 0
    for month, files in month_files(current, table).items():
        for path in files:
            if month in keep:
                link = target / table / f"month={month}" / path.name
                link.parent.mkdir(parents=True, exist_ok=True)
                os.link(path, link)
                if counted is None:
                    rows += pq.ParquetFile(path).metadata.num_rows
            elif counted is not None:
                left += pq.ParquetFile(path).metadata.num_rows
    return rows if counted is None else counted - left


def fsync_tree(root: Path) -> None:
    """Every file written and every folder under ``root`` on disk (a file linked from the generation before, its
    link count above one, is on disk already: only the folder naming it is synced).  The files are synced a few at
    a time (the disk takes them together), then the folders the same way."""
    from concurrent.futures import ThreadPoolExecutor

    files, folders = [], []
    for folder, _, names in os.walk(root):
        files.extend(p for p in (os.path.join(folder, n) for n in names) if os.stat(p).st_nlink == 1)
        folders.append(folder)
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(sync_path, files))
        list(pool.map(sync_path, folders))


def point_current(dataset_dir: Path, name: str) -> None:
    """``current`` -> ``name`` in one step (a new link renamed over the old one), made durable."""
    temporary = dataset_dir / f"{CURRENT}.{os.getpid()}"
    temporary.unlink(missing_ok=True)
    os.symlink(name, temporary)
    rename_into_place(temporary, dataset_dir / CURRENT, durable=True)


VIEWS = "views.sql"


def view_sql(table: str, root: str = CURRENT) -> str:
    """A view's query over the files of ``table`` under ``root`` (the folder ``current``)."""
    if (query := clusters_view(table, root)) is not None:  # articles carry duplicate_of, similarity
        return query
    return (f"SELECT * FROM read_parquet('{root}/{table}/*/*.parquet', hive_partitioning = true, "
            f"union_by_name = true)")


def write_database(dataset_dir: Path, tables: list[str]) -> None:
    """``cqnnews.duckdb``: a view per table over ``current`` by its absolute path (written beside, then renamed),
    and ``views.sql``: the same views by paths relative to the dataset folder, for a copy of it opened elsewhere
    (``duckdb cqnnews.duckdb -init views.sql`` in the copied folder, or :func:`connect` from anywhere)."""
    import duckdb

    root = _quoted((dataset_dir / CURRENT).absolute())
    temporary = dataset_dir / f".{DATABASE}.{os.getpid()}"
    temporary.unlink(missing_ok=True)
    con = duckdb.connect(str(temporary))
    try:
        for table in tables:
            con.execute(f"CREATE OR REPLACE VIEW {table} AS {view_sql(table, root)}")
        con.execute("CHECKPOINT")
    finally:
        con.close()
    rename_into_place(temporary, dataset_dir / DATABASE)
    script = "".join(f"CREATE OR REPLACE TEMP VIEW {table} AS {view_sql(table)};\n" for table in tables)
    if not (dataset_dir / VIEWS).exists() or (dataset_dir / VIEWS).read_text(encoding="utf-8") != script:
        write_atomic(dataset_dir / VIEWS, script)


def connect(dataset_dir: str | Path, read_only: bool = True) -> Any:
    """A DuckDB connection to the dataset in ``dataset_dir``, wherever the folder now is (moved, copied to a
    laptop): its views are made again over the folder's own files, as temporary views of this connection."""
    import duckdb

    folder = Path(dataset_dir).absolute()
    con = duckdb.connect(str(folder / DATABASE), read_only=read_only)
    tables = [name for (name,) in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal "
                                              "AND NOT temporary").fetchall()]
    for table in tables:
        con.execute(f"CREATE OR REPLACE TEMP VIEW {table} AS {view_sql(table, _quoted(folder / CURRENT))}")
    return con


def _quoted(path: Path) -> str:
    return path.as_posix().replace("'", "''")
