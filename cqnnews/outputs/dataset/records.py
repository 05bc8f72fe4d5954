"""The tables of the records written beside the feeds (``spotchecks``, ``recalls``:
cqnnews.outputs.dataset.tables.SIDECARS): the records of each winning line (cqnnews.outputs.dataset.build
chooses them), read by DuckDB's JSON reader."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa

from cqnnews.outputs.dataset.generations import month_files
from cqnnews.outputs.dataset.ingest import FeedPart, Part, ReadError
from cqnnews.outputs.dataset.sql import columns as _columns
from cqnnews.outputs.dataset.sql import copy as _copy
from cqnnews.outputs.dataset.sql import files as _files
from cqnnews.outputs.dataset.tables import Sidecar, duck_type, json_columns
from cqnnews.schema.arrow import read_recalls, read_spotchecks


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


# the readers of cqnnews.schema.arrow whose records DuckDB's JSON reader reads the same, several times faster (a test
# compares them)
BY_DUCKDB = (read_spotchecks, read_recalls)


def _json_reader() -> Any:
    """A DuckDB connection of its own for the records' files: the rows in the order of their lines (the build's
    connection does not keep it), times without an offset in UTC, as pyarrow takes them."""
    import duckdb

    reader = duckdb.connect()
    reader.execute("SET TimeZone = 'UTC'")
    reader.execute("SET enable_progress_bar = false")
    return reader


def _records(reader: Any, sidecar: Sidecar, paths: list[Path]) -> pa.Table:
    """The records of files beside feeds with ``sidecar.schema``, in the order of the files and of their lines, and
    the file each came from (``filename``), parsed by DuckDB's JSON reader (an object of a table's own headers a map:
    Arrow's has no map type; Python's ``json`` and ``Table.from_pylist`` took about 40 µs a record, 3 to 4 s of an
    update of a million lines, cqnnews.schema.arrow.read_spotchecks).  All the files in one reading: one a file
    took about 10 ms each, 1 s of an update of a hundred feeds."""
    # a map missing or null is an empty one, as ``read_spotchecks`` makes it
    fields = ", ".join(f'coalesce("{f.name}", MAP {{}}::{duck_type(f.type)}) AS "{f.name}"' if pa.types.is_map(f.type)
                       else f'"{f.name}"' for f in sidecar.schema)
    rows = reader.sql(f"SELECT {fields}, filename FROM read_json({_files(paths)}, columns = "
                      f"{json_columns(sidecar.schema)}, format = 'newline_delimited', records = true, "
                      f"filename = true)").to_arrow_table()
    return rows.rename_columns([*sidecar.schema.names, "filename"]).cast(
        sidecar.schema.append(pa.field("filename", pa.string())), safe=False)


def _read(sidecar: Sidecar, readable: list[Part]) -> list[pa.Table]:
    """The records of each file of ``readable``, in its order; a file that cannot be read is named."""
    import duckdb

    if not readable:
        return []
    reader = _json_reader() if sidecar.read in BY_DUCKDB else None
    try:
        if reader is not None:
            try:
                together = _records(reader, sidecar, [part.path for part in readable])
            except (OSError, ValueError, pa.ArrowInvalid, duckdb.Error):
                pass  # read one by one below, to name the file
            else:  # the records of a file one stretch of the table: the files read in their order, as their lines
                split = _by_file(together, [str(part.path) for part in readable])
                if split is not None:
                    return split
        found = []
        for part in readable:
            try:
                found.append(_records(reader, sidecar, [part.path]).drop_columns(["filename"]) if reader is not None
                             else sidecar.read(part.path))  # a kind of its own reader
            except (OSError, ValueError, pa.ArrowInvalid, duckdb.Error) as exc:
                message = str(exc).splitlines()[0]
                said = f"cannot read the records {part.path} ({message})"
                raise ReadError(part.named(said, str(part.source))) from None
        return found
    finally:
        if reader is not None:
            reader.close()


def _by_file(together: pa.Table, paths: list[str]) -> list[pa.Table] | None:
    """The records of each file of ``paths`` (a stretch each of ``together``, read from them in their order); None
    should they not be in that order (each file is then read on its own)."""
    import numpy as np
    import pyarrow.compute as pc

    names = pc.dictionary_encode(together["filename"]).combine_chunks()
    codes = names.indices.to_numpy(zero_copy_only=False)
    counts = dict(zip(names.dictionary.to_pylist(), np.bincount(codes, minlength=len(names.dictionary)).tolist()))
    if names.dictionary.to_pylist() != [p for p in paths if p in counts] or np.any(np.diff(codes) < 0):
        return None
    rows = together.drop_columns(["filename"])
    out, at = [], 0
    for path in paths:
        out.append(rows.slice(at, counts.get(path, 0)))
        at += counts.get(path, 0)
    return out


def read_records(sidecar: Sidecar, parts: list[FeedPart]) -> pa.Table:
    """The new records of kind ``sidecar`` beside ``parts``' feeds, each with its feed, origin and ``grp`` (which
    line of its article it was written with, :func:`_groups`); independent of the lines, so read while they are."""
    readable = [(feed, part) for feed in parts if (part := feed.sidecars.get(sidecar.table)) is not None
                and part.end > part.start]
    found = []
    for (feed, _), records in zip(readable, _read(sidecar, [part for _, part in readable])):
        records = records.append_column("feed", pa.array([feed.name] * records.num_rows, pa.string()))
        records = records.append_column("origin", pa.array([feed.origin] * records.num_rows, pa.string()))
        found.append(records.append_column("grp", _groups(sidecar, records)))
    schema = sidecar.columns.append(pa.field("grp", pa.int64()))
    return pa.concat_tables(found) if found else schema.empty_table()


def sidecar_table(con: Any, sidecar: Sidecar, current: Path | None, target: Path, generation: int, months: list[str],
                  new: pa.Table) -> int:
    """The records of each winning line: those of a new line, ``new`` (:func:`read_records` of the feeds read now:
    the last written with it in its feed), those of an old line kept from the touched months."""
    con.register("records_new", new)
    key = sidecar.key
    # the winners matched against the records (the right side of a join is the one held: cqnnews.outputs.dataset.
    # sql.connection), tens of thousands of them, rather than the records against a million winners
    query = (f"SELECT {_columns(sidecar.columns, 'r')}, w.month FROM winners w JOIN "
             f"(SELECT *, max(grp) OVER (PARTITION BY feed, origin, \"{key}\") AS last FROM records_new) r "
             f"ON w.origin = r.origin AND w.article_id = r.\"{key}\" AND w.feed = r.feed "
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
