"""The signature of an article for near-duplicate detection (cqnnews.reposts): the MinHash of its text's shingles.

Each article is read as the set of its text's character shingles (title and body, NFKC, letters and digits
only: a changed punctuation or spacing is no change), summarised by a MinHash of ``NUM_PERM`` values with a
fixed seed (the same text gives the same signature on every machine).

The shingles are hashed with numpy (a polynomial over the code points of each run of ``SHINGLE`` characters,
then a 64-bit mixer), and ``rensa`` turns the hashes into the MinHash (``RMinHash``'s digest from token
hashes): Python never makes a string per shingle.  :func:`signature_rows` does this for many articles at
once: their texts are laid end to end, filtered, hashed and digested ``BATCH`` articles at a time, with no
Python step per article (unless a text is not in NFKC already).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from functools import cache

import numpy as np
import rensa

NUM_PERM = 128
SEED = 20261203  # of the permutations: part of the signature, never changed without SCHEME
SHINGLE = 6  # characters: about three Chinese words
DIGIT_WEIGHT = 4  # how many times a shingle holding a digit counts
BATCH = 1024  # articles hashed and digested together (a few MB of code points and hashes)

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
    """splitmix64's finaliser: every bit of the result depends on every bit of ``x`` (``x`` itself is changed)."""
    x ^= x >> np.uint64(30)
    x *= np.uint64(0xBF58476D1CE4E5B9)
    x ^= x >> np.uint64(27)
    x *= np.uint64(0x94D049BB133111EB)
    x ^= x >> np.uint64(31)
    return x


def _hashed(points: np.ndarray, texts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The features of texts laid end to end (``points``, the code points; ``texts``, which text each belongs
    to, ascending): their hashes and, beside each, its text."""
    wide = points.astype(np.uint64)
    runs = len(points) - SHINGLE + 1
    if runs <= 0:
        return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64)
    with np.errstate(over="ignore"):
        hashes = wide[:runs].copy()
        for j in range(1, SHINGLE):  # in place: no new array a step
            hashes *= _POLY
            hashes += wide[j:runs + j]
        hashes += np.uint64(SHINGLE)
        hashes = _mixed(hashes)
        inside = texts[:runs] == texts[SHINGLE - 1:]  # a run across two texts is no run of either
        digits = np.concatenate(([0], np.cumsum((_classes()[points] & _DIGIT) > 0)))
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
        return _mixed(np.array([hashed + np.uint64(len(points))], dtype=np.uint64))  # a new array: changed in place


def features(title: str | None, body: str | None) -> np.ndarray:
    """The hashes of the text's overlapping runs of ``SHINGLE`` characters (of the whole text when it is
    shorter; none for no text); a run holding a digit counts ``DIGIT_WEIGHT`` times (as that many distinct
    features): the numbers (counts, dates, batch and model numbers) are what tell two notices of one
    template apart, and what a repost keeps."""
    hashes, _ = _batch_features([(title, body)])
    return hashes


def _kept(texts: Sequence[tuple[str | None, str | None]]) -> tuple[np.ndarray, np.ndarray]:
    """The code points compared of each text laid end to end (:func:`_letters_and_digits` of each), and beside
    each point its text's number."""
    joined = [f"{title or ''}{body or ''}" for title, body in texts]
    points = _code_points("".join(joined))
    owners = np.repeat(np.arange(len(joined)), np.fromiter(map(len, joined), dtype=np.int64, count=len(joined)))
    kept = (_classes()[points] & _ALNUM) > 0
    points, owners = points[kept], owners[kept]
    # a string in NFKC is in NFKC cut anywhere: one check of them all, and of each only when it fails
    if unicodedata.is_normalized("NFKC", points.tobytes().decode("utf-32-le", "surrogatepass")):
        return points, owners
    bounds = np.searchsorted(owners, np.arange(len(joined) + 1))
    each = [points[bounds[i]:bounds[i + 1]] for i in range(len(joined))]
    for i, piece in enumerate(each):
        if not unicodedata.is_normalized("NFKC", piece.tobytes().decode("utf-32-le", "surrogatepass")):
            each[i] = _letters_and_digits(*texts[i])
    return (np.concatenate(each) if each else points[:0],
            np.repeat(np.arange(len(joined)), [len(e) for e in each]))


def _batch_features(texts: Sequence[tuple[str | None, str | None]]) -> tuple[np.ndarray, np.ndarray]:
    """:func:`features` of each text, laid end to end and grouped by text: the hashes, and the offsets where
    each text's start (one more than the texts)."""
    points, owners = _kept(texts)
    counts = np.bincount(owners, minlength=len(texts))
    long = counts >= SHINGLE
    hashes, of = _hashed(points[long[owners]], owners[long[owners]])
    short = np.nonzero((counts > 0) & ~long)[0]
    if len(short):
        bounds = np.searchsorted(owners, short)
        hashes = np.concatenate([hashes, *(_short(points[b:b + counts[i]]) for b, i in zip(bounds, short))])
        of = np.concatenate([of, short])
    order = np.argsort(of, kind="stable")
    offsets = np.searchsorted(of[order], np.arange(len(texts) + 1)).astype(np.uint64)
    return hashes[order], offsets


def signature_rows(texts: Sequence[tuple[str | None, str | None]]) -> np.ndarray:
    """The MinHash of each (title, body), a row each (``NUM_PERM`` columns): what to use for many articles."""
    out = np.empty((len(texts), NUM_PERM), dtype=np.uint16)
    for start in range(0, len(texts), BATCH):
        hashes, offsets = _batch_features(texts[start:start + BATCH])
        digests = rensa.RMinHash.digest_matrix_from_flat_token_hashes(hashes, offsets, NUM_PERM, SEED)
        out[start:start + len(offsets) - 1] = np.array(digests.to_rows(), dtype=np.uint32) & 0xFFFF
    return out


def signatures(texts: Iterable[tuple[str | None, str | None]]) -> list[Signature]:
    """The MinHash of each (title, body) (:func:`signature_rows`), as a list."""
    return list(signature_rows(list(texts)))


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

