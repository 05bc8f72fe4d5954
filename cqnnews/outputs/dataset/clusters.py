"""The dataset's reposts: which articles are near-duplicates of which (cqnnews.outputs.reposts), over every article of the
dataset, kept current incrementally.

Each generation holds the index under ``reposts/``, one Parquet file per update that changed it
(``reposts/segment=<generation>/part.parquet``): a row per article it named, with its MinHash signature
(``signature``), ``published_us`` (microseconds since the epoch; the order of the articles) and its
``duplicate_of`` and ``similarity``; an article's latest row is its own.  An update reads the index, adds the
articles new in the months the build rewrote (earliest first), and writes the rows that changed (the new
articles, and the members of a cluster whose first article is new) as one more segment; the earlier segments
are hard-linked, like the months of the other tables.  A killed update leaves the previous generation whole.
When the scheme (the signature's parameters) or the threshold changed, or before the first index, every
article of the generation is indexed again.

The ``reposts`` view has the latest row of each article, without its signature; the ``articles`` view carries
its ``duplicate_of`` and ``similarity`` (:func:`view_sql`).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from cqnnews.outputs import reposts
from cqnnews.outputs.dataset.index_segments import (
    BATCH,
    COLUMNS,
    SEGMENT,
    TABLE,
    Restored,
    published_of,
    restored,
)

COMPACT_AFTER = 16  # segments: more, and the index is written again as one


@dataclass
class Indexed:
    """What one update did to the index."""

    articles: int = 0  # in the index after the update
    new: int = 0
    changed: int = 0  # rows written (the new articles, and articles named again)
    reposts: int = 0  # articles with a duplicate_of, after the update
    rebuilt: bool = False
    seconds: float = 0.0

    def manifest(self, threshold: float) -> dict[str, Any]:
        return {"scheme": reposts.SCHEME, "threshold": threshold, "articles": self.articles, "reposts": self.reposts}


def _quoted(path: Path | str) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _files(paths: list[Path]) -> str:
    return "[" + ", ".join(_quoted(p) for p in paths) + "]"


def latest_rows(paths: str) -> str:
    """The latest row of each article among the segments ``paths`` (a read_parquet argument)."""
    return (f"SELECT * EXCLUDE (segment) FROM read_parquet({paths}, hive_partitioning = true, "
            f"hive_types = {{'segment': INTEGER}}) QUALIFY row_number() OVER "
            f"(PARTITION BY origin, article_id ORDER BY segment DESC) = 1")


def view_sql(table: str, root: str) -> str | None:
    """The views this module owns: ``reposts``, and ``articles`` with each article's ``duplicate_of`` and
    ``similarity``; None for any other table."""
    index = (f"SELECT origin, article_id, duplicate_of, similarity FROM ({latest_rows(_quoted(f'{root}/{TABLE}/*/*.parquet'))})")
    if table == TABLE:
        return index
    if table == "articles":
        return (f"SELECT a.*, r.duplicate_of, r.similarity FROM read_parquet('{root}/articles/*/*.parquet', "
                f"hive_partitioning = true, union_by_name = true) a "
                f"LEFT JOIN ({index}) r ON r.origin = a.origin AND r.article_id = a.article_id")
    return None


def update(con: Any, current: Path | None, target: Path, generation: int, months: list[str] | None,
           previous: dict[str, Any] | None, threshold: float, start: Restored | None = None,
           signed: dict[str, tuple[np.ndarray, ...]] | None = None, streamed: list[str] | None = None) -> Indexed:
    """Index the articles of ``target`` new in ``months`` (None: every month) against the index of ``current``,
    described by ``previous`` (the manifest's ``reposts``; None if there is none), and write ``target``'s.
    ``start``: that index, restored already; ``signed``: the articles of the months ``streamed`` signed as the
    build wrote them (cqnnews.outputs.dataset.signing), by origin: those months' files are not read again."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    started = time.monotonic()
    out = Indexed()
    start = start or restored(current, previous, threshold)
    indexes, old, out.rebuilt = start.indexes, start.segments, start.rebuilt
    if out.rebuilt:
        months = None
    folders = sorted((target / "articles").glob("month=*")) if months is None else \
        [target / "articles" / f"month={m}" for m in months]
    done = {f"month={m}" for m in streamed or []} if signed is not None else set()
    files = [f for folder in folders if folder.name not in done for f in sorted(folder.glob("*.parquet"))]
    found = dict(signed or {})
    if files:  # the months not streamed: their texts read again
        for origin, arrays in _signed(con, files, indexes, found).items():
            found[origin] = arrays if origin not in found else \
                tuple(np.concatenate([a, b]) for a, b in zip(found.pop(origin), arrays))
    changed: dict[str, np.ndarray] = {}
    for origin in list(found):
        ids, published, signatures = found.pop(origin)
        out.new += len(ids)
        changed[origin] = indexes[origin].add(ids, published, signatures)
        del signatures
    compact = out.rebuilt or len(old) >= COMPACT_AFTER
    written = {origin: np.arange(len(index)) if compact else changed.get(origin, np.zeros(0, dtype=np.int64))
               for origin, index in indexes.items()}
    schema = pa.schema([("origin", pa.string()), ("article_id", pa.int64()), ("published_us", pa.int64()),
                        ("duplicate_of", pa.int64()), ("similarity", pa.float64()), ("signature", pa.binary())])
    table = pa.concat_tables([_rows(origin, indexes[origin], which, schema) for origin, which in written.items()]) \
        if written else schema.empty_table()
    if not compact:
        for path in old:  # the earlier segments, as they are
            link = target / TABLE / path.parent.name / path.name
            link.parent.mkdir(parents=True, exist_ok=True)
            os.link(path, link)
    if table.num_rows or not (target / TABLE).is_dir():  # a generation always has one segment: the view's files
        path = target / TABLE / f"{SEGMENT}{generation:06d}" / "part.parquet"
        path.parent.mkdir(parents=True, exist_ok=True)
        plain = [c for c in COLUMNS if c != "signature"]  # the signatures: random bytes, neither compressed nor
        pq.write_table(table, path, compression={c: "zstd" for c in plain} | {"signature": "none"},  # summarised
                       use_dictionary=plain, write_statistics=plain, row_group_size=BATCH * 8)
    out.changed = table.num_rows
    out.articles = sum(len(index) for index in indexes.values())
    out.reposts = sum(int(np.count_nonzero(index.first >= 0)) for index in indexes.values())
    out.seconds = time.monotonic() - started
    return out


def _signed(con: Any, files: list[Path], indexes: dict[str, reposts.RepostIndex],
            signed: dict[str, tuple[np.ndarray, ...]]) -> dict[str, tuple[np.ndarray, ...]]:
    """The articles of ``files`` neither in their origin's index nor ``signed`` already, by origin: ids, published,
    signatures.  The texts
    are read a batch at a time and never all held; the signatures go into one array made at the start."""
    import pyarrow as pa
    import pyarrow.compute as pc

    total = con.sql(f"SELECT count(*) FROM read_parquet({_files(files)}, union_by_name = true)").fetchall()[0][0]
    signatures = np.empty((total, reposts.NUM_PERM), dtype=np.uint16)
    ids, published, origins = np.empty(total, dtype=np.int64), np.empty(total, dtype=np.float64), []
    filled = 0
    reader = con.sql(f"SELECT origin, article_id, epoch_us(published_at) AS published_us, title, body "
                     f"FROM read_parquet({_files(files)}, union_by_name = true)").to_arrow_reader(BATCH)
    for batch in reader:
        for origin in batch.column("origin").unique().to_pylist():
            part = batch.filter(pc.equal(batch.column("origin"), origin))
            new = np.ones(part.num_rows, dtype=bool)
            for known in (indexes[origin].ids if origin in indexes else None, (signed.get(origin) or (None,))[0]):
                if known is not None and len(known):
                    new &= ~np.isin(part.column("article_id").to_numpy(), known)
            if not new.all():
                part = part.filter(pa.array(new))
            if not part.num_rows:
                continue
            end = filled + part.num_rows
            ids[filled:end], published[filled:end] = part.column("article_id").to_numpy(), published_of(part)
            signatures[filled:end] = reposts.signature_rows(list(zip(part.column("title").to_pylist(),
                                                                     part.column("body").to_pylist())))
            origins.append((origin, filled, end))
            filled = end
    names = sorted({origin for origin, _, _ in origins})
    if len(names) == 1:  # views of the arrays, not copies
        return {names[0]: (ids[:filled], published[:filled], signatures[:filled])}
    found: dict[str, tuple[np.ndarray, ...]] = {}
    for name in names:
        rows = np.concatenate([np.arange(start, end) for origin, start, end in origins if origin == name])
        found[name] = (ids[rows], published[rows], signatures[rows])
    return found


def _rows(origin: str, index: reposts.RepostIndex, which: np.ndarray, schema: Any) -> Any:
    """The rows of ``index`` at positions ``which``, as a table of ``schema``."""
    import pyarrow as pa

    named = index.duplicate_of()[which]
    published = index.published[which]
    width = 2 * reposts.NUM_PERM
    every = len(which) == len(index) and bool((which == np.arange(len(index))).all())
    data = index.signatures if every else index.signatures[which]  # the whole index: its own buffer, not a copy
    signatures = pa.Array.from_buffers(pa.binary(), len(which), [
        None, pa.py_buffer(np.arange(len(which) + 1, dtype=np.int32) * width),
        pa.py_buffer(np.ascontiguousarray(data).view("<u2"))])
    return pa.table([pa.repeat(pa.scalar(origin, pa.string()), len(which)), pa.array(index.ids[which], pa.int64()),
                     pa.array(np.nan_to_num(published).astype(np.int64), pa.int64(), mask=np.isnan(published)),
                     pa.array(named, pa.int64(), mask=named < 0),
                     pa.array(index.similarity[which], pa.float64(), mask=np.isnan(index.similarity[which])),
                     signatures], schema=schema)
