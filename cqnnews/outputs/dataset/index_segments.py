"""The repost index as a generation holds it (cqnnews.outputs.dataset.clusters): its segments, the ids they hold, and
the index restored from them, each article at its latest row."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from cqnnews.outputs import reposts
from cqnnews.outputs.repost_arrays import room_for

TABLE = "reposts"
SEGMENT = "segment="
BATCH = 8_192  # articles read and signed at a time
COLUMNS = ("origin", "article_id", "published_us", "duplicate_of", "similarity", "signature")


def segments(generation: Path | None) -> list[Path]:
    if generation is None or not (generation / TABLE).is_dir():
        return []
    return sorted((generation / TABLE).glob(f"{SEGMENT}*/*.parquet"))


@dataclass
class Restored:
    """The index of the generation before, as an update starts from it (:func:`restored`)."""

    indexes: dict[str, reposts.RepostIndex]
    segments: list[Path]  # of the generation before, kept
    rebuilt: bool  # every article indexed again


def starts_over(current: Path | None, previous: dict[str, Any] | None, threshold: float) -> bool:
    """Whether the index of ``current`` (described by ``previous``, the manifest's ``reposts``) is built again, every
    article indexed: there is none, or its scheme or threshold changed."""
    known = previous or {}
    same = known.get("scheme") == reposts.SCHEME and known.get("threshold") == threshold
    return not previous or not same or not segments(current)


def known_ids(current: Path | None, previous: dict[str, Any] | None, threshold: float) -> dict[str, np.ndarray]:
    """The ids each origin's index holds (those of the index :func:`restored` gives; an id may come more than once),
    read without their signatures: the build needs them at its first rows (their signatures are not made again),
    long before the index of a million articles (256 MB of signatures) is restored."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    if starts_over(current, previous, threshold):
        return {}
    found: dict[str, list[np.ndarray]] = defaultdict(list)
    for path in segments(current):
        rows = pq.read_table(path, columns=["origin", "article_id"])
        names = pc.unique(rows.column("origin")).to_pylist()
        for origin in names:
            ids = rows.column("article_id") if len(names) == 1 else \
                rows.column("article_id").filter(pc.equal(rows.column("origin"), origin))
            found[origin].append(ids.to_numpy())
    return {origin: np.concatenate(parts) for origin, parts in found.items()}


def restored(current: Path | None, previous: dict[str, Any] | None, threshold: float) -> Restored:
    """The index of ``current``, described by ``previous`` (the manifest's ``reposts``; None if there is none);
    an empty one to be built again when the scheme or the threshold changed."""
    old = segments(current)
    rebuilt = starts_over(current, previous, threshold)
    indexes: dict[str, reposts.RepostIndex] = defaultdict(lambda: reposts.RepostIndex(threshold))
    for origin, (ids, published, signatures, duplicate_of, similarity, room) in \
            _restored([] if rebuilt else old).items():
        indexes[origin].restore(ids, published, signatures, duplicate_of, similarity, room)
    return Restored(indexes, [] if rebuilt else old, rebuilt)


def _restored(segments: list[Path]) -> dict[str, tuple[Any, ...]]:
    """The latest row of each article in the index's ``segments`` (oldest first), by origin: ids, published,
    signatures, duplicate_of (-1 for none), similarity, and the buffer the signatures are the start of when it has
    room for the articles an update adds (None when they are a copy).  The signatures are read a batch at a time
    into one array: a million of them are 256 MB, never held twice."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    if not segments:
        return {}
    files = [pq.ParquetFile(path, pre_buffer=False, buffer_size=1 << 20) for path in segments]  # pre-buffered: 256 MB more
    total = sum(f.metadata.num_rows for f in files)
    room = room_for(total, total // 4 + BATCH)  # the index's new articles written after the rows restored
    signatures = room[:total]
    others, filled = [], 0
    for file in files:
        others.append(file.read(columns=[c for c in COLUMNS if c != "signature"]))
        for batch in file.iter_batches(batch_size=BATCH, columns=["signature"]):
            signatures[filled:filled + batch.num_rows] = _signatures(batch.column(0))
            filled += batch.num_rows
    rows = pa.concat_tables(others)
    origin = np.asarray(rows.column("origin").to_pylist(), dtype=object) if len(set(
        rows.column("origin").unique().to_pylist())) > 1 else None
    ids = rows.column("article_id").to_numpy()
    latest = np.arange(len(ids))
    if len(segments) > 1:  # an article's latest row is its last
        key = ids if origin is None else np.char.add(origin.astype(str), ids.astype(str))
        _, from_end = np.unique(key[::-1], return_index=True)
        latest = np.sort(len(ids) - 1 - from_end)
    restored: dict[str, tuple[Any, ...]] = {}
    names = rows.column("origin").unique().to_pylist()
    for name in names:
        at = latest if origin is None else latest[origin[latest] == name]
        part = rows.take(pa.array(at)) if len(at) != len(ids) else rows
        if origin is None:  # one origin (nearly always): its earlier rows of an article left out in place
            _moved_up(signatures, at)
        restored[name] = (part.column("article_id").to_numpy(), published_of(part),
                          signatures[:len(at)] if origin is None else signatures[at],
                          part.column("duplicate_of").fill_null(-1).to_numpy(), _similarity(part),
                          room if origin is None else None)
    return restored


def _moved_up(rows: np.ndarray, at: np.ndarray) -> None:
    """The rows at the positions ``at`` (ascending) moved to the first ``len(at)`` rows of ``rows``, in place, a
    batch at a time: no second array of 256 MB (a row only ever moves up: ``at[i] >= i``, and a batch's rows are
    read before they are written)."""
    if len(at) == len(rows):
        return
    for start in range(0, len(at), BATCH * 8):
        end = min(start + BATCH * 8, len(at))
        rows[start:end] = rows[at[start:end]]


def published_of(rows: Any) -> np.ndarray:
    """The rows' ``published_us`` as ordered numbers (NaN for none)."""
    return rows.column("published_us").cast("double").fill_null(float("nan")).to_numpy()


def _similarity(rows: Any) -> np.ndarray:
    return rows.column("similarity").fill_null(float("nan")).to_numpy()


def _signatures(column: Any) -> np.ndarray:
    """A column of stored signatures as one array, a row each (the bytes read at once, not one by one)."""
    column = column.combine_chunks() if hasattr(column, "combine_chunks") else column  # a batch's: one array
    if len(column) == 0:
        return np.zeros((0, reposts.NUM_PERM), dtype=np.uint16)
    width = 2 * reposts.NUM_PERM
    offsets = np.frombuffer(column.buffers()[1], dtype=np.int32 if column.type.equals("binary") else np.int64,
                            count=len(column) + 1, offset=column.offset * (4 if column.type.equals("binary") else 8))
    if column.null_count or not (np.diff(offsets) == width).all():
        raise ValueError("the repost index holds a signature of another length: a dataset of another scheme")
    data = np.frombuffer(column.buffers()[2], dtype=np.uint8)[offsets[0]:offsets[-1]]
    return data.view(np.uint16).reshape(len(column), reposts.NUM_PERM)  # a view of the buffer: no copy
