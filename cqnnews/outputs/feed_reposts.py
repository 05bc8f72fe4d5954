"""Reposts among the articles of one run, in its JSON Lines feed: ``duplicate_of`` and ``similarity``.

Which article of a cluster is the earliest (the lowest ``published_at``, then the lowest id) is known only
once the run has read them all (listings are walked newest first: a repost is often read before the story it
copies), so the lines are exported with both fields null and, when the feed is complete and on disk but not
yet stored under its name (cqnnews.outputs.feeds.AtomicFileFeedStorage), this run's lines are read again, clustered
(cqnnews.outputs.reposts) and the lines of its reposts written with their two fields; the file is replaced in one
rename, the other lines byte for byte as they were.  The signatures made for it are kept beside the feed
(cqnnews.outputs.feed_signatures), for the dataset.  The dataset does the same over every article it holds
(cqnnews.outputs.dataset.clusters).
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np

from cqnnews.atomic import rename_into_place, sync_file
from cqnnews.outputs import feed_signatures, reposts

logger = logging.getLogger(__name__)


def mark_reposts(path: Path, start: int, threshold: float, temporary: Path | None = None,
                 final: Path | None = None, kept_temporary: Path | None = None) -> int:
    """Give this run's lines of the JSON Lines feed ``path`` (those from byte ``start``: an appended feed's
    earlier lines are left alone) their ``duplicate_of`` and ``similarity``; the number of reposts among them.
    The file is written again only when there is one (``temporary``, beside it, fsynced, renamed over it).
    ``final``: the feed's own name, beside which the lines' signatures are kept (cqnnews.outputs.feed_signatures;
    after the earlier lines' when ``start`` is not 0), written first as ``kept_temporary``."""
    ids: list[int] = []
    fetched: list[int] = []
    published: list[float] = []
    texts: list[tuple[str | None, str | None]] = []
    with open(path, "rb") as feed:
        feed.seek(start)
        for raw in feed:
            record = json.loads(raw)
            ids.append(int(record["article_id"]))
            fetched.append(feed_signatures.microseconds(record.get("fetched_at")))
            published.append(reposts.ordered(record.get("published_at")))
            texts.append((record.get("title"), record.get("body")))
    signed = reposts.signature_rows(texts)
    if final is not None:
        try:
            feed_signatures.keep(final, feed_signatures.records(ids, fetched, signed), start > 0, kept_temporary)
        except OSError as exc:  # a cache: the dataset signs the lines itself
            logger.warning("the repost signatures of %s were not kept beside it (%s): the dataset signs its lines "
                           "itself", final, exc.strerror or exc)
    index = reposts.RepostIndex(threshold)
    index.add(np.array(ids, dtype=np.int64), np.array(published, dtype=np.float64), signed)
    named = {int(i): (int(d), float(s)) for i, d, s in zip(index.ids, index.duplicate_of(), index.similarity)
             if d >= 0}
    if not named:
        return 0
    temporary = temporary or path.with_name(path.name + ".reposts")
    with open(path, "rb") as feed, open(temporary, "wb") as out:
        out.write(feed.read(start))
        for raw in feed:
            record = json.loads(raw)
            if record["article_id"] in named:
                record["duplicate_of"], record["similarity"] = named[record["article_id"]]
                raw = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
            out.write(raw)
        sync_file(out)
    rename_into_place(temporary, path)  # the .part: the feed's own rename, durable, comes after
    return len(named)
