"""Arrays of the repost index (cqnnews.outputs.repost_index): which of a few integers are among many, and the buffer
the index's signatures grow in."""

from __future__ import annotations

import numpy as np

from cqnnews.outputs.repost_signatures import NUM_PERM

FILTER_BITS = 20  # of the table that rules out most values before they are searched (1 MB of booleans)


def among(values: np.ndarray, sorted_: np.ndarray) -> np.ndarray:
    """Whether each of ``values`` (integers) is in ``sorted_``.  The low bits of each value are first looked up in
    a table of those of ``sorted_``: an update's few new keys rule out nearly all of a million earlier ones
    without a binary search each (a search of a million values took 77 ms a band; ``np.isin`` hashes, as
    :func:`distinct` says)."""
    found = np.zeros(len(values), dtype=bool)
    if not len(sorted_) or not len(values):
        return found
    mask = values.dtype.type((1 << FILTER_BITS) - 1)
    table = np.zeros(1 << FILTER_BITS, dtype=bool)
    table[sorted_ & mask] = True
    maybe = np.nonzero(table[values & mask])[0]
    at = np.minimum(np.searchsorted(sorted_, values[maybe]), len(sorted_) - 1)
    found[maybe[sorted_[at] == values[maybe]]] = True
    return found


def held(values: np.ndarray, index: np.ndarray) -> np.ndarray:
    """Whether each of ``values`` (a few integers) is in ``index`` (many, in no order): each of the many looked up
    among the few, sorted, rather than the many sorted (a million ids: a tenth of a second, at every update)."""
    few = distinct(values)
    if not len(few) or not len(index):
        return np.zeros(len(values), dtype=bool)
    at = np.minimum(np.searchsorted(few, index), len(few) - 1)
    hit = np.zeros(len(few), dtype=bool)
    hit[at[few[at] == index]] = True
    return among(values, few[hit])


def room_for(rows: int, more: int) -> np.ndarray:
    """An empty buffer of signatures for ``rows`` and room for ``more``: the room is never written before it is
    used, so it takes no memory (the pages of a large array are the system's until touched)."""
    return np.empty((rows + more, NUM_PERM), dtype=np.uint16)


def appended(rows: np.ndarray, more: np.ndarray, buffer: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """``rows`` (the first rows of ``buffer``, when given) followed by ``more``, and the buffer they are the start
    of: written into ``buffer``'s room after ``rows`` when it has enough, else into a new buffer with a quarter
    more room (:func:`room_for`).  256 MB of signatures are not copied to add a few thousand."""
    size = len(rows) + len(more)
    if buffer is None or len(buffer) < size or rows.ctypes.data != buffer.ctypes.data:
        buffer = room_for(size, size // 4)
        buffer[:len(rows)] = rows
    buffer[len(rows):size] = more
    return buffer[:size], buffer


def distinct(values: np.ndarray) -> np.ndarray:
    """The distinct values, sorted.  numpy 2.4's ``np.unique`` hashes integers, which took 3.4 s for 1.6 million
    of them (a sort: 0.1 s)."""
    ordered = np.sort(values)
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))] if len(ordered) else ordered
