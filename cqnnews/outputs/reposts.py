"""Reposts: the same story published twice under two ids, found by near-duplicate detection.

Each article is read as the set of its text's character shingles (title and body, NFKC, letters and digits
only: a changed punctuation or spacing is no change), summarised by a MinHash of ``NUM_PERM`` values with a
fixed seed (the same text gives the same signature on every machine), and looked up in an LSH index of
``BANDS`` bands among the articles seen before.  A candidate whose estimated Jaccard similarity reaches the
threshold (``CQN_REPOST_SIMILARITY``) is a copy of the same story: the article joins that candidate's cluster.

The signatures are made by cqnnews.outputs.repost_signatures, the index is cqnnews.outputs.repost_index; their names are
also this module's.

A cluster is named by its earliest article (the lowest ``published_at``, then the lowest ``article_id``):
each other article of it carries ``duplicate_of``, that article's id, and ``similarity``, its estimated
similarity to that article; the earliest carries neither (``None``).  An article found later that is
earlier than its cluster's first (a backlog crawled afterwards) becomes the cluster's first: the others
are named again (:meth:`RepostIndex.add` says which changed).  An article joins at most one cluster (the
candidate most like it); clusters are never merged.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import numpy as np
import rensa

from cqnnews.outputs.repost_index import BANDS, BUCKET_NEAREST, ROWS, SCORED_AT_ONCE, RepostIndex, order
from cqnnews.outputs.repost_signatures import (
    BATCH,
    DIGIT_WEIGHT,
    NUM_PERM,
    SEED,
    SHINGLE,
    Signature,
    features,
    from_bytes,
    signature,
    signature_rows,
    signatures,
    similarity,
    text_of,
    to_bytes,
)

__all__ = ["BANDS", "BATCH", "BUCKET_NEAREST", "DIGIT_WEIGHT", "NUM_PERM", "ROWS", "SCHEME", "SCORED_AT_ONCE", "SEED",
           "SHINGLE", "RepostIndex", "Signature", "clusters", "features", "from_bytes", "order", "ordered",
           "signature", "signature_rows", "signatures", "similarity", "text_of", "to_bytes"]

SCHEME = f"rensa-digest{rensa.RMinHash.ALGORITHM_VERSION}-{NUM_PERM}x{SEED}-cp{SHINGLE}d{DIGIT_WEIGHT}-bands{BANDS}"


def clusters(articles: Iterable[dict[str, Any]], threshold: float) -> dict[int, tuple[int | None, float | None]]:
    """``article_id`` -> (``duplicate_of``, ``similarity``) for articles of one origin (dicts with
    ``article_id``, ``published_at`` (a number or an ISO string of one zone) and ``title`` and ``body``)."""
    articles = list(articles)
    index = RepostIndex(threshold)
    index.add(np.array([a["article_id"] for a in articles], dtype=np.int64),
              np.array([ordered(a.get("published_at")) for a in articles], dtype=np.float64),
              signature_rows([(a.get("title"), a.get("body")) for a in articles]))
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

