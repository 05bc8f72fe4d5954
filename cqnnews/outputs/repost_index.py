"""The index of reposts (cqnnews.outputs.reposts): the articles of one origin seen so far, their signatures
(cqnnews.outputs.repost_signatures) in an LSH index of ``BANDS`` bands, and the cluster each is in.

A candidate whose estimated Jaccard similarity reaches the threshold (``CQN_REPOST_SIMILARITY``) is a copy of
the same story: the article joins that candidate's cluster, named by its earliest article (:func:`order`).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import numpy as np

from cqnnews.outputs.repost_arrays import among, appended, distinct, held
from cqnnews.outputs.repost_signatures import NUM_PERM, similarity

BANDS = 32  # LSH bands of NUM_PERM / BANDS rows: a pair of similarity 0.5 is a candidate 87% of the time, 0.6 99%
ROWS = NUM_PERM // BANDS


def order(published_at: Any, article_id: int) -> tuple[int, Any, int]:
    """Which of two articles is the earlier: the lower ``published_at`` (an article without one is later than
    any with one), then the lower id."""
    return (published_at is None, published_at or 0, article_id)


#: how many articles of one LSH bucket indexed just before it a new article is compared with: a bucket of
#: thousands of copies of one text (or of notices of one template) would otherwise cost millions of comparisons;
#: a copy finds the cluster through the copies before it, a repost the story published days before it
BUCKET_NEAREST = 16
SCORED_AT_ONCE = 65_536  # candidate pairs compared at a time (16 MB of signatures)
SORTING_THREADS = 2  # the bands' buckets sorted out at once (each holds a few arrays of the index's length)


class RepostIndex:
    """The articles of one origin seen so far, and which cluster each is in: columns, not objects (a million
    articles take 256 MB of signatures and a few arrays).

    ``ids``, ``published`` (an ordered number: seconds or microseconds; NaN for none), ``signatures`` (one row
    each) and ``first``, the position of each article's cluster's earliest article (-1 for that article
    itself, and for an article in no cluster); ``similarity`` is each article's to its first (NaN for none);
    ``arrival``, the order in which the articles were indexed (those added together: the earliest first).
    The rows stay where they were given: the signatures are never copied to be sorted."""

    def __init__(self, threshold: float) -> None:
        if not 0.0 < threshold <= 1.0:
            raise ValueError(f"the similarity threshold must be in (0, 1], not {threshold}")
        self.threshold = threshold
        self.ids = np.zeros(0, dtype=np.int64)
        self.published = np.zeros(0, dtype=np.float64)
        self.signatures = np.zeros((0, NUM_PERM), dtype=np.uint16)
        self.first = np.zeros(0, dtype=np.int64)
        self.similarity = np.zeros(0, dtype=np.float64)
        self.arrival = np.zeros(0, dtype=np.int64)
        self.room: np.ndarray | None = None  # the buffer ``signatures`` are the first rows of (repost_arrays.appended)

    def __len__(self) -> int:
        return len(self.ids)

    def duplicate_of(self) -> np.ndarray:
        """Each article's ``duplicate_of``: the id of its cluster's first, -1 for none."""
        return np.where(self.first >= 0, self.ids[np.maximum(self.first, 0)], -1)

    def restore(self, ids: np.ndarray, published: np.ndarray, signatures: np.ndarray, duplicate_of: np.ndarray,
                similarity: np.ndarray, room: np.ndarray | None = None) -> None:
        """Put back the articles of an earlier index as they were (``duplicate_of``: -1 for none; every id it
        names among ``ids``).  Only into an empty index.  ``room``: the buffer (repost_arrays.room_for) ``signatures``
        are the first rows of, whose other rows the index may take for the articles it adds."""
        if len(self):
            raise ValueError("restore into an empty index only")
        self.ids, self.published = np.asarray(ids, dtype=np.int64), np.asarray(published, dtype=np.float64)
        self.signatures = np.ascontiguousarray(signatures, dtype=np.uint16).reshape(len(self.ids), NUM_PERM)
        self.similarity = np.asarray(similarity, dtype=np.float64)
        self.room = room
        named = np.asarray(duplicate_of, dtype=np.int64)
        self.first = np.full(len(self.ids), -1, dtype=np.int64)
        if (named >= 0).any():  # the position of each id named: each id looked up among the few named
            wanted = distinct(named[named >= 0])
            at = np.minimum(np.searchsorted(wanted, self.ids), len(wanted) - 1)
            holds = np.nonzero(wanted[at] == self.ids)[0]
            position = np.full(len(wanted), -1, dtype=np.int64)
            position[at[holds][::-1]] = holds[::-1]  # an id twice: its first
            self.first[named >= 0] = position[np.searchsorted(wanted, named[named >= 0])]
        self.arrival = np.arange(len(self.ids), dtype=np.int64)

    def add(self, ids: np.ndarray, published: np.ndarray, signatures: np.ndarray) -> np.ndarray:
        """Index new articles (an id already indexed is left as it is: its first text stays its signature), the
        earliest first; the positions whose ``first``/``similarity`` are new: each new article's, and the
        others of a cluster whose earliest article is new."""
        ids, published = np.asarray(ids, dtype=np.int64), np.asarray(published, dtype=np.float64)
        signatures = np.ascontiguousarray(signatures, dtype=np.uint16).reshape(len(ids), NUM_PERM)
        keep = np.zeros(len(ids), dtype=bool)
        by_id = np.argsort(ids, kind="stable")  # an id twice: its first (a sort: see distinct)
        keep[by_id[np.concatenate(([True], ids[by_id][1:] != ids[by_id][:-1]))] if len(ids) else by_id] = True
        if len(self):
            keep &= ~held(ids, self.ids)
        old = len(self)
        if not keep.any():
            return np.zeros(0, dtype=np.int64)
        if not keep.all():
            ids, published, signatures = ids[keep], published[keep], signatures[keep]
        earliest_first = np.lexsort((ids, np.nan_to_num(published, nan=0.0), np.isnan(published)))
        arrival = np.empty(len(ids), dtype=np.int64)
        arrival[earliest_first] = np.arange(old, old + len(ids))
        self.ids = np.concatenate([self.ids, ids])
        self.published = np.concatenate([self.published, published])
        self.signatures, self.room = (signatures, None) if not old else \
            appended(self.signatures, signatures, self.room)
        self.first = np.concatenate([self.first, np.full(len(ids), -1, dtype=np.int64)])
        self.similarity = np.concatenate([self.similarity, np.full(len(ids), np.nan)])
        self.arrival = np.concatenate([self.arrival, arrival])
        changed = np.zeros(len(self), dtype=bool)
        changed[old:] = True
        members: dict[int, list[int]] | None = None
        for new, candidate in self._best_earlier(old):
            first = int(self.first[candidate]) if self.first[candidate] >= 0 else candidate
            if self._earlier(new, first):  # the new article is the cluster's earliest: every other is named again
                if members is None:
                    members = self._members()
                for member in [first, *members.pop(first, [])]:
                    self._join(member, new, members)
                    changed[member] = True
            else:
                if members is None:
                    members = self._members()
                self._join(new, first, members)
        return np.nonzero(changed)[0]

    def _join(self, member: int, first: int, members: dict[int, list[int]]) -> None:
        self.first[member] = first
        self.similarity[member] = round(similarity(self.signatures[member], self.signatures[first]), 4)
        members.setdefault(first, []).append(member)

    def _members(self) -> dict[int, list[int]]:
        members: dict[int, list[int]] = {}
        for member in np.nonzero(self.first >= 0)[0].tolist():
            members.setdefault(int(self.first[member]), []).append(member)
        return members

    def _earlier(self, one: int, other: int) -> bool:
        return self._order(one) < self._order(other)

    def _best_earlier(self, old: int) -> list[tuple[int, int]]:
        """For each article from position ``old`` on, in the order they arrive, the article indexed before it most
        like it (of two as like it, the earlier), when one reaches the threshold.  The candidates of each LSH
        band are scored as they are found and only the best so far is kept: nothing grows with the pairs."""
        best = np.full(len(self) - old, -1, dtype=np.int64)
        best_score = np.zeros(len(self) - old, dtype=np.float64)
        for pairs in self._candidates(old):
            for start in range(0, len(pairs), SCORED_AT_ONCE):  # a few MB of signatures at a time
                new, candidate = pairs[start:start + SCORED_AT_ONCE].T
                again = best[new - old] == candidate  # found in an earlier band: scored already
                if again.any():
                    new, candidate = new[~again], candidate[~again]
                score = np.count_nonzero(self.signatures[new] == self.signatures[candidate], axis=1) / NUM_PERM
                close = score >= self.threshold
                new, candidate, score = new[close], candidate[close], score[close]
                current = best[new - old]
                better = (current < 0) | (score > best_score[new - old]) | \
                    ((score == best_score[new - old]) & self._before(candidate, np.maximum(current, 0)))
                new, candidate, score = new[better], candidate[better], score[better]
                ranked = np.lexsort((*self._order_keys(candidate), -score, new))  # of one new article: the best first
                first = ranked[np.concatenate(([True], new[ranked][1:] != new[ranked][:-1]))] if len(ranked) else ranked
                best[new[first] - old], best_score[new[first] - old] = candidate[first], score[first]
        found = np.nonzero(best >= 0)[0] + old
        found = found[np.argsort(self.arrival[found], kind="stable")]
        return list(zip(found.tolist(), best[found - old].tolist()))

    def _order_keys(self, positions: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """:func:`order` of each position, as lexsort keys (least significant first)."""
        published = self.published[positions]
        return self.ids[positions], np.nan_to_num(published, nan=0.0), np.isnan(published)

    def _before(self, one: np.ndarray, other: np.ndarray) -> np.ndarray:
        """Whether each of ``one`` is earlier (:func:`order`) than the same place of ``other``."""
        (id1, p1, n1), (id2, p2, n2) = self._order_keys(one), self._order_keys(other)
        return (n1 < n2) | ((n1 == n2) & ((p1 < p2) | ((p1 == p2) & (id1 < id2))))

    def _order(self, position: int) -> tuple[int, Any, int]:
        published = self.published[position]
        return order(None if np.isnan(published) else float(published), int(self.ids[position]))

    def _candidates(self, old: int) -> Iterator[np.ndarray]:
        """For each LSH band, the pairs (a new article's position, the position of one indexed before it) sharing
        it.  In a bucket, a new article is paired with the ``BUCKET_NEAREST`` indexed just before it: a bucket of
        thousands of copies of one text, or of notices of one template, costs no more than that a new article.
        Only the buckets of new articles are formed: an update's cost follows its new articles, not the index.
        The bands' buckets are sorted out by two threads (numpy lets go of Python's lock while it sorts), a band
        or two ahead of the pairs taken from them."""
        with ThreadPoolExecutor(max_workers=SORTING_THREADS, thread_name_prefix="repost-bands") as pool:
            ahead: deque[Future[tuple[np.ndarray, np.ndarray] | None]] = deque()
            for band in range(BANDS):
                ahead.append(pool.submit(self._buckets, band, old))
                if len(ahead) <= SORTING_THREADS:
                    continue
                yield from self._pairs(ahead.popleft().result(), old)
            while ahead:
                yield from self._pairs(ahead.popleft().result(), old)

    def _buckets(self, band: int, old: int) -> tuple[np.ndarray, np.ndarray] | None:
        """The positions of the articles in the buckets of ``band`` that hold a new article and one more, with
        their keys, by key then arrival; None when there is no such bucket."""
        keys = self.signatures.view(np.uint64)  # one column per band: ROWS values of 16 bits side by side
        column = np.ascontiguousarray(keys[:, band])
        involved = np.arange(old, len(self))
        if old:  # the earlier articles sharing a key with a new one
            involved = np.concatenate([np.nonzero(among(column[:old], distinct(column[old:])))[0], involved])
        column = column[involved]
        if len(involved) > PREFILTERED_FROM:  # only a key seen twice can make a bucket: the others not sorted
            twice = _seen_twice((column * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(64 - SORT_FILTER_BITS))
            involved, column = involved[twice], column[twice]
        by_key = np.argsort(column)
        ranked, column = involved[by_key], column[by_key]
        same = np.concatenate(([False], column[1:] == column[:-1]))  # in the bucket of the one before it
        shared = same | np.concatenate((same[1:], [False]))  # in a bucket of two or more
        if not shared.any():
            return None
        ranked, column = ranked[shared], column[shared]
        by_arrival = np.lexsort((self.arrival[ranked], column))  # the few in buckets: by key, then arrival
        return ranked[by_arrival], column[by_arrival]

    def _pairs(self, buckets: tuple[np.ndarray, np.ndarray] | None, old: int) -> Iterator[np.ndarray]:
        """The pairs of a band's ``buckets`` (of :meth:`_buckets`): each new article and those just before it."""
        if buckets is None:
            return
        ranked, column = buckets
        same = np.concatenate(([False], column[1:] == column[:-1]))
        starts = np.nonzero(~same)[0]
        rank = np.arange(len(ranked)) - starts[np.cumsum(~same) - 1]  # in its bucket, by arrival
        for distance in range(1, min(int(rank.max()), BUCKET_NEAREST) + 1):
            later = np.nonzero(rank >= distance)[0]
            later = later[ranked[later] >= old]
            yield np.stack([ranked[later], ranked[later - distance]], axis=1)


SORT_FILTER_BITS = 22  # of the table that rules out most keys of a band before they are sorted (20 MB)
PREFILTERED_FROM = 65_536  # articles of a band: more, and those whose key's bits are seen once are not sorted


def _seen_twice(bins: np.ndarray) -> np.ndarray:
    """Whether each of ``bins`` (integers under ``1 << SORT_FILTER_BITS``) is among them more than once: each place
    of a table takes the position of the last value written there; a value whose place holds another position
    has a twin, and so have all of that place's."""
    where = bins.astype(np.intp)
    last = np.zeros(1 << SORT_FILTER_BITS, dtype=np.int32)
    last[where] = np.arange(len(where), dtype=np.int32)
    twins = np.zeros(1 << SORT_FILTER_BITS, dtype=bool)
    twins[where[last[where] != np.arange(len(where), dtype=np.int32)]] = True
    return twins[where]
