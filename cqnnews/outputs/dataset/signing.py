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
"""

from __future__ import annotations

import time
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from cqnnews.outputs.repost_signatures import NUM_PERM, signature_rows

AHEAD = 1  # batches handed to the signing thread and not signed yet, at most


@dataclass
class _Part:
    origin: str
    ids: np.ndarray
    published: np.ndarray  # microseconds since the epoch, NaN for none


class Signer:
    """Signs the articles of the batches given to :meth:`add` whose id is not in ``known[origin]``, their
    signatures written to files in the folder ``scratch``."""

    def __init__(self, known: dict[str, np.ndarray], scratch: Path) -> None:
        self.known = {origin: np.sort(ids) for origin, ids in known.items()}
        self.scratch = scratch
        self.files: dict[str, Path] = {}
        self.parts: list[_Part] = []
        self.waiting: deque[Future[None]] = deque()
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dataset-signer")
        self.seconds = 0.0  # of CPU, in the signing thread

    def add(self, rows: Any) -> None:
        """The articles of ``rows`` (an Arrow table or batch with the articles' columns) to be signed."""
        import pyarrow as pa
        import pyarrow.compute as pc

        origins = rows.column("origin")
        names = pc.unique(origins).to_pylist()
        for origin in names:
            part = rows if len(names) == 1 else rows.filter(pc.equal(origins, origin))
            ids = part.column("article_id").to_numpy()
            known = self.known.get(origin)
            if known is not None and len(known):
                at = np.minimum(np.searchsorted(known, ids), len(known) - 1)
                new = known[at] != ids
                if not new.all():
                    part, ids = part.filter(pa.array(new)), ids[new]
            if not len(ids):
                continue
            published = pc.cast(pc.cast(part.column("published_at"), pa.timestamp("us", tz="UTC")), pa.int64())
            published = published.cast(pa.float64()).fill_null(float("nan")).to_numpy()
            if origin not in self.files:
                self.scratch.mkdir(parents=True, exist_ok=True)
                self.files[origin] = self.scratch / f"signatures-{len(self.files)}.bin"
            self.parts.append(_Part(origin, ids.copy(), published))
            self.waiting.append(self.pool.submit(self._sign, part.column("title"), part.column("body"), self.files[origin]))
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

    def _sign(self, titles: Any, bodies: Any, path: Path) -> None:
        """Sign the texts and append their signatures to ``path`` (in the signing thread: in their order)."""
        started = time.thread_time()
        signatures = signature_rows(list(zip(titles.to_pylist(), bodies.to_pylist())))
        with open(path, "ab") as out:
            out.write(signatures.astype("<u2", copy=False).tobytes())
        self.seconds += time.thread_time() - started

    def close(self) -> None:
        """Stop the signing thread (what waits to be signed is dropped)."""
        self.parts, self.waiting = [], deque()
        self.pool.shutdown(wait=True, cancel_futures=True)


