"""The repost signatures of the articles an update writes, made while they are written.

The articles' rows pass through :func:`cqnnews.outputs.dataset.sql.copy` on their way to the month files; a
:class:`Signer` is handed each batch of them there, keeps the few columns the index needs (origin, id,
published) of the articles its origin's index does not hold yet, and signs their title and body
(cqnnews.outputs.repost_signatures) in a thread of its own while the next batches are read and written.  The texts
are thus read once, by the JSON reader, not again from the month files; numpy and pyarrow let go of Python's
lock while they work, so the signing and the writing share the two cores.  At most :data:`AHEAD` batches wait
to be signed: when the signing is the slower, the writing waits for it, and memory does not grow.  The
signatures go to a scratch file of each origin as they are made (256 bytes an article: a million are 256 MB,
not held beside the build's own memory) and are read back by :meth:`Signer.result`.

An article whose line was signed by the crawl that wrote it (its signature kept beside its feed,
cqnnews.outputs.feed_signatures) is not signed again: :class:`Kept` finds its record by feed, id and
``fetched_at``, and the signing thread copies it from the file.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from cqnnews.outputs import feed_signatures
from cqnnews.outputs.repost_signatures import NUM_PERM, signature_rows

AHEAD = 1  # batches handed to the signing thread and not signed yet, at most


@dataclass
class _Part:
    origin: str
    ids: np.ndarray
    published: np.ndarray  # microseconds since the epoch, NaN for none


def _key(feed: np.ndarray, ids: np.ndarray, fetched: np.ndarray) -> np.ndarray:
    """One 64-bit number for a line named by its feed's number, id and ``fetched_at`` (matches are checked)."""
    with np.errstate(over="ignore"):
        key = ids.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
        key ^= fetched.astype(np.uint64) * np.uint64(0xD6E8FEB86659FD93)
        key ^= feed.astype(np.uint64) * np.uint64(0xA0761D6478BD642F)
        key ^= key >> np.uint64(29)
    return key


class Kept:
    """The signatures the crawls kept beside their feeds (``files``: feed name -> its ``.signatures`` file), found
    by feed, id and ``fetched_at``.  Only the ids and times are held (32 bytes a line); a signature is read from
    its file when it is used."""

    CHUNK = 65_536  # records read at a time

    def __init__(self, files: dict[str, Path]) -> None:
        self.feeds: dict[str, int] = {}
        self.paths: list[Path] = []
        keys, where, rows = [], [], []
        for name, path in files.items():
            if feed_signatures.read(path) is None:
                continue
            number = len(self.paths)
            self.feeds[name], start = number, len(feed_signatures.HEADER)
            self.paths.append(path)
            with open(path, "rb") as file:
                file.seek(start)
                at = 0
                while len(chunk := np.fromfile(file, dtype=feed_signatures.RECORD, count=self.CHUNK)):
                    ids, fetched = chunk["article_id"].copy(), chunk["fetched_at"].copy()
                    keys.append(_key(np.full(len(chunk), number), ids, fetched))
                    where.append(np.full(len(chunk), number, dtype=np.int32))
                    rows.append(np.arange(at, at + len(chunk), dtype=np.int64))
                    at += len(chunk)
        key = np.concatenate(keys) if keys else np.zeros(0, dtype=np.uint64)
        order = np.argsort(key, kind="stable")
        self.keys = key[order]
        self.files = np.concatenate(where)[order] if where else np.zeros(0, dtype=np.int32)
        self.rows = np.concatenate(rows)[order] if rows else np.zeros(0, dtype=np.int64)
        self.lines = len(self.keys)

    def find(self, feeds: Any, ids: np.ndarray, fetched: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For lines (their feed names, an Arrow array; ids and ``fetched_at`` in microseconds): which are kept,
        and the place of each kept one's record in :attr:`keys` (-1 for the others)."""
        import pyarrow.compute as pc

        names = pc.dictionary_encode(feeds)  # a batch's lines come from a few feeds: each name looked up once
        if hasattr(names, "combine_chunks"):
            names = names.combine_chunks()
        numbers = np.array([self.feeds.get(f, -1) if f is not None else -1 for f in names.dictionary.to_pylist()]
                           + [-1], dtype=np.int64)[names.indices.fill_null(len(names.dictionary)).to_numpy()]
        found = np.full(len(ids), -1, dtype=np.int64)
        if not self.lines:
            return np.zeros(len(ids), dtype=bool), found
        wanted = _key(numbers, ids, fetched)
        order = np.argsort(wanted)  # searched in order: each search starts where the one before ended in memory
        at = np.empty(len(wanted), dtype=np.intp)
        at[order] = np.minimum(np.searchsorted(self.keys, wanted[order]), self.lines - 1)
        candidate = (numbers >= 0) & (self.keys[at] == wanted)
        found[candidate] = at[candidate]
        return candidate, found

    def signatures(self, places: np.ndarray, ids: np.ndarray, fetched: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The signatures of the records at ``places`` (of :meth:`find`), a row each, and which of them are of the
        lines named (``ids``, ``fetched``): a record of another line that shares its key is not taken."""
        out = np.empty((len(places), NUM_PERM), dtype=np.uint16)
        same = np.zeros(len(places), dtype=bool)
        files, rows = self.files[places], self.rows[places]
        for number in np.unique(files):
            mine = np.nonzero(files == number)[0]
            records = feed_signatures.read(self.paths[number])
            if records is None or rows[mine].max() >= len(records):
                continue  # the file changed since: its lines are signed
            taken = records[rows[mine]]  # a copy: the file is unmapped when ``records`` goes
            out[mine] = taken["signature"]
            same[mine] = (taken["article_id"] == ids[mine]) & (taken["fetched_at"] == fetched[mine])
        return out, same


class Signer:
    """Signs the articles of the batches given to :meth:`add` whose id is not in ``known[origin]``, their
    signatures written to files in the folder ``scratch``; those ``kept`` by the crawls are read, not signed."""

    def __init__(self, known: dict[str, np.ndarray] | Callable[[], dict[str, np.ndarray]], scratch: Path,
                 kept: Kept | Callable[[], Kept] | None = None) -> None:
        self._kept = kept
        self.kept: Kept | None = None
        self.taken = 0  # articles whose signature was kept by a crawl
        self._known = known  # or how to get it, once the first batch comes (the index's ids are read meanwhile)
        self.known: dict[str, np.ndarray] | None = None
        self.scratch = scratch
        self.files: dict[str, Path] = {}
        self.parts: list[_Part] = []
        self.waiting: deque[Future[None]] = deque()
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dataset-signer")
        self.seconds = 0.0  # of CPU, in the signing thread

    def add(self, rows: Any) -> None:
        """The articles of ``rows`` (an Arrow table or batch with the articles' columns) to be signed.  Their texts
        are not copied here: the signing thread takes what it signs."""
        import pyarrow as pa
        import pyarrow.compute as pc

        if self.known is None:  # what was to be found meanwhile
            known = self._known() if callable(self._known) else self._known
            self.known = {origin: np.sort(ids) for origin, ids in known.items()}
            self.kept = self._kept() if callable(self._kept) else self._kept
        origins = rows.column("origin")
        names = pc.unique(origins).to_pylist()
        every = rows.column("article_id").to_numpy()
        for origin in names:
            mine = np.ones(len(every), dtype=bool)
            if len(names) > 1:
                mine &= pc.equal(origins, origin).fill_null(False).to_numpy(zero_copy_only=False)
            known = self.known.get(origin)
            if known is not None and len(known):
                at = np.minimum(np.searchsorted(known, every), len(known) - 1)
                mine &= known[at] != every
            at = np.nonzero(mine)[0]
            if not len(at):
                continue
            ids = every[at]
            small = rows.select([c for c in ("published_at", "fetched_at", "feed") if c in rows.schema.names])
            small = small.take(pa.array(at))
            published = pc.cast(pc.cast(small.column("published_at"), pa.timestamp("us", tz="UTC")), pa.int64())
            published = published.cast(pa.float64()).fill_null(float("nan")).to_numpy()
            kept, places, fetched = np.zeros(len(ids), dtype=bool), None, None
            if self.kept is not None and self.kept.lines and "feed" in small.schema.names:
                fetched = pc.cast(pc.cast(small.column("fetched_at"), pa.timestamp("us", tz="UTC")), pa.int64())
                fetched = fetched.fill_null(int(feed_signatures.NO_TIME)).to_numpy()
                kept, places = self.kept.find(small.column("feed"), ids, fetched)
            if origin not in self.files:
                self.scratch.mkdir(parents=True, exist_ok=True)
                self.files[origin] = self.scratch / f"signatures-{len(self.files)}.bin"
            self.parts.append(_Part(origin, ids.copy(), published))
            self.waiting.append(self.pool.submit(self._sign, rows.column("title"), rows.column("body"), at,
                                                 self.files[origin], ids, fetched, kept, places))
        while len(self.waiting) > AHEAD:
            self.waiting.popleft().result()

    def result(self) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """The articles signed, by origin, in the order they were given: ids, published, signatures."""
        try:
            while self.waiting:
                self.waiting.popleft().result()
            found: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
            for origin, path in self.files.items():
                mine = [p for p in self.parts if p.origin == origin]
                signatures = np.fromfile(path, dtype="<u2").astype(np.uint16, copy=False).reshape(-1, NUM_PERM)
                path.unlink()
                found[origin] = (np.concatenate([p.ids for p in mine]), np.concatenate([p.published for p in mine]),
                                 signatures)
            return found
        finally:
            self.close()

    def _sign(self, titles: Any, bodies: Any, rows: np.ndarray, path: Path, ids: np.ndarray,
              fetched: np.ndarray | None, kept: np.ndarray, places: np.ndarray | None) -> None:
        """Read the signatures of the articles ``kept`` (at ``places``), sign the texts of the others (their
        ``rows`` of ``titles`` and ``bodies``), and append them all to ``path`` (in the signing thread: in their
        order)."""
        import pyarrow as pa

        started = time.thread_time()
        signatures = np.empty((len(ids), NUM_PERM), dtype=np.uint16)
        unsigned = ~kept
        if places is not None and fetched is not None and kept.any():
            assert self.kept is not None
            at = np.nonzero(kept)[0]
            found, same = self.kept.signatures(places[at], ids[at], fetched[at])
            signatures[at[same]] = found[same]
            unsigned[at[~same]] = True
            self.taken += int(same.sum())
        if unsigned.any():
            taken = pa.array(rows[unsigned])
            signatures[unsigned] = signature_rows(list(zip(titles.take(taken).to_pylist(),
                                                           bodies.take(taken).to_pylist())))
        with open(path, "ab") as out:
            out.write(signatures.astype("<u2", copy=False).tobytes())
        self.seconds += time.thread_time() - started

    def close(self) -> None:
        """Stop the signing thread (what waits to be signed is dropped)."""
        self.parts, self.waiting = [], deque()
        self.pool.shutdown(wait=True, cancel_futures=True)


