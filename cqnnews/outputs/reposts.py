"""Reposts: the same story published twice under two ids, found by near-duplicate detection.

Each article is read as the set of its text's character shingles (title and body, NFKC, letters and digits
only: a changed punctuation or spacing is no change), summarised by a MinHash of ``NUM_PERM`` values with a
fixed seed (the same text gives the same signature on every machine), and looked up in an LSH index of
``BANDS`` bands among the articles seen before.  A candidate whose estimated Jaccard similarity reaches the
threshold (``CQN_REPOST_SIMILARITY``) is a copy of the same story: the article joins that candidate's cluster.

The shingles are hashed with numpy (a polynomial over the code points of each run of ``SHINGLE`` characters,
then a 64-bit mixer), and ``rensa`` turns the hashes into the MinHash (``RMinHash``'s digest from token
hashes): Python never makes a string per shingle, which was four fifths of the time of a signature.

A cluster is named by its earliest article (the lowest ``published_at``, then the lowest ``article_id``):
each other article of it carries ``duplicate_of``, that article's id, and ``similarity``, its estimated
similarity to that article; the earliest carries neither (``None``).  An article found later that is
earlier than its cluster's first (a backlog crawled afterwards) becomes the cluster's first: the others
are named again (:meth:`RepostIndex.add` says which changed).  An article joins at most one cluster (the
candidate most like it); clusters are never merged.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator
from datetime import datetime
from functools import cache
from typing import Any

import numpy as np
import rensa

NUM_PERM = 128
SEED = 20261203  # of the permutations: part of the signature, never changed without SCHEME
SHINGLE = 6  # characters: about three Chinese words
DIGIT_WEIGHT = 4  # how many times a shingle holding a digit counts
BANDS = 32  # LSH bands of NUM_PERM / BANDS rows: a pair of similarity 0.5 is a candidate 87% of the time, 0.6 99%
ROWS = NUM_PERM // BANDS
BATCH = 64  # articles hashed together: their arrays stay in the processor's cache
SCHEME = f"rensa-digest{rensa.RMinHash.ALGORITHM_VERSION}-{NUM_PERM}x{SEED}-cp{SHINGLE}d{DIGIT_WEIGHT}-bands{BANDS}"

#: a signature: ``NUM_PERM`` unsigned 16-bit values (the low bits of rensa's; two different values agree by
#: chance once in 65,536); ``ROWS`` of them side by side, read as one 64-bit number, are a band's LSH key
Signature = np.ndarray

_ALNUM, _DIGIT = 1, 2  # the bits of a code point's class
_POLY = np.uint64(0x100000001B3)
_SALTS = [np.uint64(s) for s in (0x9E3779B97F4A7C15, 0xD6E8FEB86659FD93, 0xA0761D6478BD642F)][:DIGIT_WEIGHT - 1]


@cache
def _classes() -> np.ndarray:
    """Every code point's class: what ``str.isalnum()`` keeps (``_ALNUM``), what ``\\d`` matches (``_DIGIT``)."""
    classes = np.zeros(0x110000, dtype=np.uint8)
    for cp in range(0x110000):
        c = chr(cp)
        if c.isalnum():
            classes[cp] = _ALNUM | (_DIGIT if c.isdecimal() else 0)
    return classes


def _code_points(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def _letters_and_digits(title: str | None, body: str | None) -> np.ndarray:
    """The code points of what is compared: title and body, their letters and digits only (NFKC)."""
    points = _code_points(f"{title or ''}{body or ''}")
    kept = points[(_classes()[points] & _ALNUM) > 0]
    text = kept.tobytes().decode("utf-32-le", "surrogatepass")
    if not unicodedata.is_normalized("NFKC", text):  # without its punctuation most text is: a quick check
        points = _code_points(unicodedata.normalize("NFKC", text))
        kept = points[(_classes()[points] & _ALNUM) > 0]
    return kept


def text_of(title: str | None, body: str | None) -> str:
    """What is compared, as text."""
    return _letters_and_digits(title, body).tobytes().decode("utf-32-le", "surrogatepass")


def _mixed(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: every bit of the result depends on every bit of ``x``."""
    x = x ^ (x >> np.uint64(30))
    x = x * np.uint64(0xBF58476D1CE4E5B9)
    x = x ^ (x >> np.uint64(27))
    x = x * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def _hashed(points: np.ndarray, texts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The features of texts laid end to end (``points``, the code points; ``texts``, which text each belongs
    to, ascending): their hashes and, beside each, its text."""
    points = points.astype(np.uint64)
    runs = len(points) - SHINGLE + 1
    if runs <= 0:
        return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64)
    with np.errstate(over="ignore"):
        hashes = points[:runs].copy()
        for j in range(1, SHINGLE):
            hashes = hashes * _POLY + points[j:runs + j]
        hashes = _mixed(hashes + np.uint64(SHINGLE))
        inside = texts[:runs] == texts[SHINGLE - 1:]  # a run across two texts is no run of either
        digits = np.concatenate(([0], np.cumsum((_classes()[points.astype(np.uint32)] & _DIGIT) > 0)))
        held = inside & ((digits[SHINGLE:] - digits[:runs]) > 0)
        hashes, owners, extra = hashes[inside], texts[:runs][inside], hashes[held]
        extra_owners = texts[:runs][held]
        return (np.concatenate([hashes, *(_mixed(extra ^ salt) for salt in _SALTS)]),
                np.concatenate([owners, *([extra_owners] * len(_SALTS))]))


def _short(points: np.ndarray) -> np.ndarray:
    """The one feature of a text shorter than a shingle: the hash of all of it."""
    with np.errstate(over="ignore"):
        hashed = np.uint64(0)
        for point in points.astype(np.uint64):
            hashed = hashed * _POLY + point
        return _mixed(np.array([hashed + np.uint64(len(points))], dtype=np.uint64))


def features(title: str | None, body: str | None) -> np.ndarray:
    """The hashes of the text's overlapping runs of ``SHINGLE`` characters (of the whole text when it is
    shorter; none for no text); a run holding a digit counts ``DIGIT_WEIGHT`` times (as that many distinct
    features): the numbers (counts, dates, batch and model numbers) are what tell two notices of one
    template apart, and what a repost keeps."""
    return _features([_letters_and_digits(title, body)])[0]


def _features(texts: list[np.ndarray]) -> list[np.ndarray]:
    """:func:`features` of each text's code points, the long ones hashed together."""
    found: list[np.ndarray] = [_short(t) if 0 < len(t) < SHINGLE else np.zeros(0, dtype=np.uint64) for t in texts]
    long = [i for i, t in enumerate(texts) if len(t) >= SHINGLE]
    if long:
        points = np.concatenate([texts[i] for i in long])
        owners = np.repeat(np.arange(len(long)), [len(texts[i]) for i in long])
        hashes, of = _hashed(points, owners)
        order = np.argsort(of, kind="stable")
        hashes, of = hashes[order], of[order]
        bounds = np.searchsorted(of, np.arange(len(long) + 1))
        for k, i in enumerate(long):
            found[i] = hashes[bounds[k]:bounds[k + 1]]
    return found


def signatures(texts: Iterable[tuple[str | None, str | None]]) -> list[Signature]:
    """The MinHash of each (title, body), computed together (the shingles hashed at once, one call into
    rensa): what to use for many articles."""
    points = [_letters_and_digits(title, body) for title, body in texts]
    found = [f for start in range(0, len(points), BATCH) for f in _features(points[start:start + BATCH])]
    if not found:
        return []
    offsets = np.zeros(len(found) + 1, dtype=np.uint64)
    np.cumsum([len(f) for f in found], out=offsets[1:])
    rows = rensa.RMinHash.digest_matrix_from_flat_token_hashes(np.concatenate(found), offsets, NUM_PERM, SEED)
    values = np.asarray(rows.to_rows(), dtype=np.uint32).reshape(len(found), NUM_PERM)
    return list((values & 0xFFFF).astype(np.uint16))


def signature(title: str | None, body: str | None) -> Signature:
    """The MinHash of the article's shingles."""
    return signatures([(title, body)])[0]


def similarity(one: Signature, other: Signature) -> float:
    """The estimated Jaccard similarity of two signatures: the share of their values that are equal."""
    return float(np.count_nonzero(one == other)) / NUM_PERM


def to_bytes(minhash: Signature) -> bytes:
    """The signature as stored (``NUM_PERM`` little-endian 16-bit values; see ``SCHEME``)."""
    return np.asarray(minhash, dtype="<u2").tobytes()


def from_bytes(data: bytes) -> Signature:
    return np.frombuffer(data, dtype="<u2").astype(np.uint16)


def order(published_at: Any, article_id: int) -> tuple[int, Any, int]:
    """Which of two articles is the earlier: the lower ``published_at`` (an article without one is later than
    any with one), then the lower id."""
    return (published_at is None, published_at or 0, article_id)


#: how many articles of one LSH bucket indexed just before it a new article is compared with: a bucket of
#: thousands of copies of one text (or of notices of one template) would otherwise cost millions of comparisons;
#: a copy finds the cluster through the copies before it, a repost the story published days before it
BUCKET_NEAREST = 16
SCORED_AT_ONCE = 65_536  # candidate pairs compared at a time (16 MB of signatures)


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

    def __len__(self) -> int:
        return len(self.ids)

    def duplicate_of(self) -> np.ndarray:
        """Each article's ``duplicate_of``: the id of its cluster's first, -1 for none."""
        return np.where(self.first >= 0, self.ids[np.maximum(self.first, 0)], -1)

    def restore(self, ids: np.ndarray, published: np.ndarray, signatures: np.ndarray, duplicate_of: np.ndarray,
                similarity: np.ndarray) -> None:
        """Put back the articles of an earlier index as they were (``duplicate_of``: -1 for none; every id it
        names among ``ids``).  Only into an empty index."""
        if len(self):
            raise ValueError("restore into an empty index only")
        self.ids, self.published = np.asarray(ids, dtype=np.int64), np.asarray(published, dtype=np.float64)
        self.signatures = np.ascontiguousarray(signatures, dtype=np.uint16).reshape(len(self.ids), NUM_PERM)
        self.similarity = np.asarray(similarity, dtype=np.float64)
        by_id = np.argsort(self.ids, kind="stable")
        named = np.asarray(duplicate_of, dtype=np.int64)
        where = by_id[np.clip(np.searchsorted(self.ids, named, sorter=by_id), 0, max(len(by_id) - 1, 0))]
        self.first = np.where(named >= 0, where, -1) if len(by_id) else np.zeros(0, dtype=np.int64)
        self.arrival = np.arange(len(self.ids), dtype=np.int64)

    def add(self, ids: np.ndarray, published: np.ndarray, signatures: np.ndarray) -> np.ndarray:
        """Index new articles (an id already indexed is left as it is: its first text stays its signature), the
        earliest first; the positions whose ``first``/``similarity`` are new: each new article's, and the
        others of a cluster whose earliest article is new."""
        ids, published = np.asarray(ids, dtype=np.int64), np.asarray(published, dtype=np.float64)
        signatures = np.ascontiguousarray(signatures, dtype=np.uint16).reshape(len(ids), NUM_PERM)
        keep = np.zeros(len(ids), dtype=bool)
        keep[np.unique(ids, return_index=True)[1]] = True  # an id twice: its first
        if len(self):
            keep &= ~np.isin(ids, self.ids)
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
        self.signatures = signatures if not old else np.concatenate([self.signatures, signatures])
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
        Only the buckets of new articles are formed: an update's cost follows its new articles, not the index."""
        keys = self.signatures.view(np.uint64)  # one column per band: ROWS values of 16 bits side by side
        new = np.arange(old, len(self))
        for band in range(BANDS):
            column = np.ascontiguousarray(keys[:, band])
            involved = new
            if old:  # the earlier articles sharing a key with a new one
                fresh = _distinct(column[old:])
                at = np.minimum(np.searchsorted(fresh, column[:old]), len(fresh) - 1)
                involved = np.concatenate([np.nonzero(fresh[at] == column[:old])[0], new])
            by_key = np.argsort(column[involved])
            ranked, column = involved[by_key], column[involved][by_key]
            same = np.concatenate(([False], column[1:] == column[:-1]))  # in the bucket of the one before it
            shared = same | np.concatenate((same[1:], [False]))  # in a bucket of two or more
            if not shared.any():
                continue
            ranked, column = ranked[shared], column[shared]
            by_arrival = np.lexsort((self.arrival[ranked], column))  # the few in buckets: by key, then arrival
            ranked, column = ranked[by_arrival], column[by_arrival]
            same = np.concatenate(([False], column[1:] == column[:-1]))
            starts = np.nonzero(~same)[0]
            rank = np.arange(len(ranked)) - starts[np.cumsum(~same) - 1]  # in its bucket, by arrival
            for distance in range(1, min(int(rank.max()), BUCKET_NEAREST) + 1):
                later = np.nonzero(rank >= distance)[0]
                later = later[ranked[later] >= old]
                yield np.stack([ranked[later], ranked[later - distance]], axis=1)


def _distinct(values: np.ndarray) -> np.ndarray:
    """The distinct values, sorted.  numpy 2.4's ``np.unique`` hashes integers, which took 3.4 s for 1.6 million
    of them (a sort: 0.1 s)."""
    ordered = np.sort(values)
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))] if len(ordered) else ordered


def clusters(articles: Iterable[dict[str, Any]], threshold: float) -> dict[int, tuple[int | None, float | None]]:
    """``article_id`` -> (``duplicate_of``, ``similarity``) for articles of one origin (dicts with
    ``article_id``, ``published_at`` (a number or an ISO string of one zone) and ``title`` and ``body``)."""
    articles = list(articles)
    index = RepostIndex(threshold)
    index.add(np.array([a["article_id"] for a in articles], dtype=np.int64),
              np.array([ordered(a.get("published_at")) for a in articles], dtype=np.float64),
              np.array(signatures([(a.get("title"), a.get("body")) for a in articles]), dtype=np.uint16).reshape(-1, NUM_PERM))
    named = index.duplicate_of()
    return {int(i): (None, None) if d < 0 else (int(d), float(s))
            for i, d, s in zip(index.ids, named, index.similarity)}


def ordered(published_at: Any) -> float:
    """``published_at`` as a number that orders as it does: seconds since the epoch (NaN for none)."""
    if published_at is None:
        return float("nan")
    if isinstance(published_at, (int, float)):
        return float(published_at)
    try:
        return datetime.fromisoformat(str(published_at)).timestamp()
    except ValueError:
        return float("nan")
