"""The repost signatures of a feed's lines, kept beside it: ``<feed stem>.signatures``.

A run signs its articles anyway, to mark the reposts among them in its feed (cqnnews.outputs.feed_reposts); it
keeps those signatures beside the feed, so that the dataset (cqnnews.outputs.dataset.signing) reads them instead of
signing every article again: at a million articles that is half a minute of CPU taken out of the dataset's build,
a few milliseconds of a crawl that waits a second a request.

The file is a header line, ``cqnnews signatures <scheme>\\n`` (:data:`SCHEME`: signatures of another scheme are
not used), then one fixed-size record a line of the feed (:data:`RECORD`): the article's id, its ``fetched_at`` in
microseconds since the epoch (a line is named by both) and its signature.  It is written whole beside the feed
and renamed over the earlier one (an appended feed's: its records first), like the feed itself.  It is a cache:
a line without a record (a feed of an older cqnnews, a ``-O`` CSV, a file gone) is signed by the dataset.

Feeds written before it can be given theirs: ``python -m cqnnews.outputs.feed_signatures FEED...``.
"""

from __future__ import annotations

import json
import os
import sys
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import numpy as np
import rensa

from cqnnews.atomic import rename_into_place, sync_file
from cqnnews.outputs.beside import SIGNATURES, SIGNATURES_MARK, beside
from cqnnews.outputs.repost_signatures import DIGIT_WEIGHT, NUM_PERM, SEED, SHINGLE, signature_rows

SCHEME = f"rensa-digest{rensa.RMinHash.ALGORITHM_VERSION}-{NUM_PERM}x{SEED}-cp{SHINGLE}d{DIGIT_WEIGHT}"
HEADER = SIGNATURES_MARK + f"{SCHEME}\n".encode("ascii")
RECORD = np.dtype([("article_id", "<i8"), ("fetched_at", "<i8"), ("signature", "<u2", (NUM_PERM,))])
NO_TIME = np.iinfo(np.int64).min  # the ``fetched_at`` of a line without one
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MICROSECOND = timedelta(microseconds=1)


def microseconds(fetched_at: Any) -> int:
    """A feed's ``fetched_at`` (ISO 8601; a time without a zone is UTC, as the dataset reads it) in microseconds
    since the epoch; :data:`NO_TIME` for none or one that is not a time."""
    if not isinstance(fetched_at, str):
        return int(NO_TIME)
    try:
        when = datetime.fromisoformat(fetched_at)
    except ValueError:
        return int(NO_TIME)
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return (when - _EPOCH) // _MICROSECOND


def records(ids: Sequence[int] | np.ndarray, fetched: Sequence[int] | np.ndarray, signatures: np.ndarray) -> np.ndarray:
    """The records of lines: their ids, ``fetched_at`` (:func:`microseconds`) and signatures (a row each)."""
    out = np.empty(len(ids), dtype=RECORD)
    out["article_id"] = np.asarray(ids, dtype=np.int64)
    out["fetched_at"] = np.asarray(fetched, dtype=np.int64)
    out["signature"] = signatures
    return out


def read(path: Path) -> np.ndarray | None:
    """The records of the signatures file ``path``, mapped from the file (read only as they are used); None when
    there is none, or it is of another scheme or not whole."""
    try:
        size = path.stat().st_size
        with open(path, "rb") as file:
            head = file.read(len(HEADER))
    except OSError:
        return None
    if head != HEADER or (size - len(HEADER)) % RECORD.itemsize:
        return None
    if size == len(HEADER):
        return np.empty(0, dtype=RECORD)
    return np.memmap(path, dtype=RECORD, mode="r", offset=len(HEADER))


def keep(feed: Path, found: np.ndarray, append: bool, temporary: Path | None = None) -> None:
    """Keep ``found`` (:func:`records`) beside the feed ``feed`` (its final name), after the records already
    there when ``append`` (the feed was appended to): the file written whole as ``temporary`` (a run's names it
    as its ``.part`` files, tidied when the run died), synced and renamed over the old one."""
    path = beside(feed, SIGNATURES)
    earlier = read(path) if append else None
    temporary = temporary or path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        with open(temporary, "wb") as out:
            out.write(HEADER)
            if earlier is not None and len(earlier):
                out.write(np.ascontiguousarray(earlier).tobytes())
            out.write(np.ascontiguousarray(found, dtype=RECORD).tobytes())
            sync_file(out)
        rename_into_place(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def sign_feed(feed: Path) -> int:
    """Sign every line of the JSON Lines feed ``feed`` and keep the signatures beside it; how many."""
    ids, fetched, texts = [], [], []
    with open(feed, "rb") as lines:
        for raw in lines:
            if raw.strip():
                line = json.loads(raw)
                ids.append(int(line["article_id"]))
                fetched.append(microseconds(line.get("fetched_at")))
                texts.append((line.get("title"), line.get("body")))
    keep(feed, records(ids, fetched, signature_rows(texts)), append=False)
    return len(ids)


def main(argv: list[str] | None = None) -> int:
    feeds = [Path(a) for a in (sys.argv[1:] if argv is None else argv)]
    if not feeds:
        print("usage: python -m cqnnews.outputs.feed_signatures FEED.jsonl...: keeps the repost signatures of each "
              "feed's lines beside it (<feed stem>.signatures)", file=sys.stderr)
        return 2
    for feed in feeds:
        try:
            print(f"{feed}: {sign_feed(feed)} lines signed")
        except (OSError, ValueError, KeyError, TypeError) as exc:
            print(f"{feed}: not signed ({exc}); the dataset signs its lines itself", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
