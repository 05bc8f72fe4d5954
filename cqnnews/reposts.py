"""Reposts: the same story published twice under two ids, found by near-duplicate detection.

Each article is read as the set of its text's character shingles (title and body, NFKC, letters and digits
only: a changed punctuation or spacing is no change), summarised by a MinHash (``rensa``'s ``RMinHash``,
``NUM_PERM`` permutations, a fixed seed: the same text gives the same signature on every machine) and
looked up in a MinHash LSH index (``RMinHashLSH``) among the articles seen before.  A candidate whose
estimated Jaccard similarity reaches the threshold (``CQN_REPOST_SIMILARITY``) is a copy of the same story:
the article joins that candidate's cluster.

A cluster is named by its earliest article (the lowest ``published_at``, then the lowest ``article_id``):
each other article of it carries ``duplicate_of``, that article's id, and ``similarity``, its estimated
similarity to that article; the earliest carries neither (``None``).  An article found later that is
earlier than its cluster's first (a backlog crawled afterwards) becomes the cluster's first: the others
are named again (:meth:`RepostIndex.add` says which changed).  An article joins at most one cluster (the
candidate most like it); clusters are never merged.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any

import rensa

NUM_PERM = 128
SEED = 20261203  # of the permutations: part of the signature, never changed without SCHEME
SHINGLE = 6  # characters: about three Chinese words
DIGIT_WEIGHT = 4  # how many times a shingle holding a digit counts
BANDS = 32  # LSH bands of NUM_PERM / BANDS rows: a pair of similarity 0.5 is a candidate 87% of the time, 0.6 99%
SCHEME = f"rensa-rminhash{rensa.RMinHash.ALGORITHM_VERSION}-{NUM_PERM}x{SEED}-shingle{SHINGLE}d{DIGIT_WEIGHT}-bands{BANDS}"


_NOT_ALNUM = re.compile(r"[\W_]+")  # what str.isalnum() refuses
_DIGIT = re.compile(r"\d")
_SUFFIXES = [f"\x00{n}" for n in range(1, DIGIT_WEIGHT)]  # a run's other copies


def text_of(title: str | None, body: str | None) -> str:
    """What is compared: the title and the body, their letters and digits only (NFKC)."""
    text = _NOT_ALNUM.sub("", f"{title or ''}{body or ''}")
    if not unicodedata.is_normalized("NFKC", text):  # without its punctuation most text is: a quick check
        text = _NOT_ALNUM.sub("", unicodedata.normalize("NFKC", text))
    return text


def shingles(title: str | None, body: str | None) -> list[str]:
    """The text's overlapping runs of ``SHINGLE`` characters (the whole text when it is shorter); a run holding
    a digit counts ``DIGIT_WEIGHT`` times (as that many distinct features): the numbers (counts, dates, batch
    and model numbers) are what tell two notices of one template apart, and what a repost keeps."""
    text = text_of(title, body)
    if len(text) <= SHINGLE:
        runs = [text] if text else []
    else:
        runs = [text[i:i + SHINGLE] for i in range(len(text) - SHINGLE + 1)]
    with_digit: set[int] = set()
    for m in _DIGIT.finditer(text):
        with_digit.update(range(max(0, m.start() - SHINGLE + 1), min(m.start(), len(runs) - 1) + 1))
    held = [runs[i] for i in with_digit]
    return runs + [run + suffix for suffix in _SUFFIXES for run in held]


def signature(title: str | None, body: str | None) -> rensa.RMinHash:
    """The MinHash of the article's shingles."""
    minhash = rensa.RMinHash(NUM_PERM, SEED)
    minhash.update(shingles(title, body))
    return minhash


def to_bytes(minhash: rensa.RMinHash) -> bytes:
    """The signature as stored (rensa's own serialisation, versioned; see ``SCHEME``)."""
    return bytes(minhash.__getstate__())


def from_bytes(data: bytes) -> rensa.RMinHash:
    minhash = rensa.RMinHash(NUM_PERM, SEED)
    minhash.__setstate__(data)
    return minhash


def order(published_at: Any, article_id: int) -> tuple[int, Any, int]:
    """Which of two articles is the earlier: the lower ``published_at`` (an article without one is later than
    any with one), then the lower id."""
    return (published_at is None, published_at or 0, article_id)


@dataclass
class Entry:
    """One article in the index."""

    key: Hashable  # what the caller names the article by (an id, or origin and id)
    article_id: int
    published_at: Any  # comparable among the index's articles (ISO strings of one zone, or datetimes)
    minhash: rensa.RMinHash
    duplicate_of: int | None = None
    similarity: float | None = None
    first: Entry | None = field(default=None, repr=False)  # the cluster's earliest article; None: this one
    position: int = -1  # its key in the LSH index

    @property
    def order(self) -> tuple[int, Any, int]:
        return order(self.published_at, self.article_id)


class RepostIndex:
    """The articles seen so far, and which cluster each is in."""

    def __init__(self, threshold: float) -> None:
        if not 0.0 < threshold <= 1.0:
            raise ValueError(f"the similarity threshold must be in (0, 1], not {threshold}")
        self.threshold = threshold
        self._lsh = rensa.RMinHashLSH(threshold, NUM_PERM, BANDS)
        self._entries: list[Entry] = []
        self._by_key: dict[Hashable, Entry] = {}
        self._members: dict[int, list[Entry]] = {}  # by the position of a cluster's first article

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._by_key

    def get(self, key: Hashable) -> Entry | None:
        return self._by_key.get(key)

    def entries(self) -> list[Entry]:
        return list(self._entries)

    def restore(self, key: Hashable, article_id: int, published_at: Any, minhash: rensa.RMinHash,
                duplicate_of: int | None, similarity: float | None, first: Hashable | None) -> None:
        """Put back an article of an earlier index as it was (``first``: the key of its cluster's first
        article, restored before it; None if it is one)."""
        entry = Entry(key, article_id, published_at, minhash, duplicate_of, similarity)
        if first is not None:
            entry.first = self._by_key[first]
        self._insert(entry)

    def add(self, key: Hashable, article_id: int, published_at: Any, minhash: rensa.RMinHash) -> list[Entry]:
        """Index a new article; the entries whose ``duplicate_of``/``similarity`` are new: the article's own,
        and the others of its cluster if it is the earliest of it now.  A key already indexed is left as it
        is (its first text stays its signature): nothing changed."""
        if key in self._by_key:
            return []
        entry = Entry(key, article_id, published_at, minhash)
        scored = [(minhash.jaccard(c.minhash), c) for c in map(self._entries.__getitem__, self._lsh.query(minhash))]
        # the candidate most like it; of two as like it, the earlier
        best = min(((-s, c.order, c) for s, c in scored if s >= self.threshold), default=(0, 0, None),
                   key=lambda t: t[:2])[2]
        self._insert(entry)
        if best is None:
            return [entry]
        first = best.first or best
        if entry.order < first.order:  # the new article is the cluster's earliest: every other is named again
            changed = [entry]
            for member in [first, *self._members.pop(first.position, [])]:
                member.first = entry
                member.duplicate_of = entry.article_id
                member.similarity = round(member.minhash.jaccard(entry.minhash), 4)
                self._members.setdefault(entry.position, []).append(member)
                changed.append(member)
            return changed
        entry.first = first
        entry.duplicate_of = first.article_id
        entry.similarity = round(minhash.jaccard(first.minhash), 4)
        self._members.setdefault(first.position, []).append(entry)
        return [entry]

    def _insert(self, entry: Entry) -> None:
        entry.position = len(self._entries)
        self._entries.append(entry)
        self._by_key[entry.key] = entry
        self._lsh.insert(entry.position, entry.minhash)
        if entry.first is not None:
            self._members.setdefault(entry.first.position, []).append(entry)


def clusters(articles: Iterable[dict[str, Any]], threshold: float) -> dict[int, tuple[int | None, float | None]]:
    """``article_id`` -> (``duplicate_of``, ``similarity``) for articles of one origin (dicts with
    ``article_id``, ``published_at``, ``title`` and ``body``), earliest first whatever their order."""
    index = RepostIndex(threshold)
    for article in sorted(articles, key=lambda a: order(a.get("published_at"), a["article_id"])):
        index.add(article["article_id"], article["article_id"], article.get("published_at"),
                  signature(article.get("title"), article.get("body")))
    return {e.article_id: (e.duplicate_of, e.similarity) for e in index.entries()}
