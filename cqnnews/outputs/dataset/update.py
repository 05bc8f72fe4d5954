"""One update of the dataset: plan what is new, build a new generation with DuckDB, switch ``current`` to it."""

from __future__ import annotations

import os
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from cqnnews import failpoints
from cqnnews.outputs.beside import SIGNATURES, beside
from cqnnews.outputs.dataset import clusters
from cqnnews.outputs.dataset.build import build
from cqnnews.outputs.dataset.generations import (
    FORMAT,
    DatasetError,
    fsync_tree,
    generation_of,
    locked,
    point_current,
    read_manifest,
    remove_leftovers,
    write_database,
    write_manifest,
)
from cqnnews.outputs.dataset.index_segments import known_ids, restored, starts_over
from cqnnews.outputs.dataset.ingest import FeedPart, ReadError, plan, seen_in_state
from cqnnews.outputs.dataset.signing import Kept, Signer
from cqnnews.outputs.dataset.sql import connection
from cqnnews.outputs.dataset.tables import tables
from cqnnews.outputs.feeds import article_feeds


@dataclass
class Update:
    """What one update did."""

    generation: int
    feeds: list[str] = field(default_factory=list)  # with new lines or records, read now
    lines: int = 0
    articles: int = 0  # in the dataset after the update
    spotchecks: int = 0
    recalls: int = 0
    months_rewritten: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)  # generations left by killed updates, removed
    left_out: list[str] = field(default_factory=list)  # feeds of other formats, not read
    seen: int = 0  # articles the crawl state saw again since the last update
    reposts: int = 0  # articles with a duplicate_of (cqnnews.outputs.dataset.clusters)
    seconds: float = 0.0
    reposts_seconds: float = 0.0  # of ``seconds``, indexing the reposts
    signing_seconds: float = 0.0  # of CPU, signing the new articles' texts while they were written
    signatures_kept: int = 0  # of the new articles, those whose signature their crawl kept (not signed again)

    def line(self) -> str:
        others = (f"; {len(self.left_out)} feeds in other formats left out ({', '.join(self.left_out[:3])}"
                  f"{', ...' if len(self.left_out) > 3 else ''})") if self.left_out else ""
        again = f", {self.seen} seen again by crawls" if self.seen else ""
        if not self.feeds and not self.seen:
            return (f"dataset up to date: {self.articles} articles ({self.reposts} reposts), {self.spotchecks} "
                    f"spot-check records, {self.recalls} recall records{others}")
        return (f"dataset generation {self.generation}: {len(self.feeds)} new feeds ({self.lines} lines), "
                f"{len(self.months_rewritten)} months rewritten{again}; {self.articles} articles ({self.reposts} "
                f"reposts), {self.spotchecks} "
                f"spot-check records, {self.recalls} recall records; {self.seconds:.1f} s (reposts "
                f"{self.reposts_seconds:.1f} s, signatures {self.signing_seconds:.1f} s of CPU while writing, "
                f"{self.signatures_kept} kept by the crawls){others}")


def update(feed_dir: Path, dataset_dir: Path, state_dir: Path | None = None, threshold: float | None = None) -> Update:
    """Ingest what is new in every feed of ``feed_dir`` (all spiders), and what the crawl state in ``state_dir``
    (``CQN_STATE_DIR``) saw since the last update; see :mod:`cqnnews.outputs.dataset`.  ``threshold``: the similarity
    of a repost (``CQN_REPOST_SIMILARITY``; its default when None)."""
    started = time.monotonic()
    if threshold is None:
        from cqnnews.settings import CQN_REPOST_SIMILARITY

        threshold = float(CQN_REPOST_SIMILARITY)
    try:
        dataset_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DatasetError(f"cannot create {dataset_dir} ({exc.strerror or exc})") from None
    if not os.access(dataset_dir, os.W_OK):
        raise DatasetError(f"{dataset_dir} cannot be written; set CQN_DATASET_DIR to a folder cqnnews can write")
    with locked(dataset_dir):
        current = generation_of(dataset_dir)
        removed = remove_leftovers(dataset_dir, current)
        manifest = read_manifest(current)
        result = Update(manifest["generation"], removed=removed)
        target = dataset_dir / f"gen-{result.generation + 1:06d}"
        scratch = target / ".scratch"
        target.mkdir()
        parts, result.left_out = plan(feed_dir, manifest["feeds"], scratch)
        seen, state = seen_in_state(state_dir, manifest.get("state", {}))
        known = manifest.get("reposts") or {}
        if not parts and not seen and not manifest.get("older") and current is not None and \
                known.get("scheme") == clusters.reposts.SCHEME and known.get("threshold") == threshold:
            shutil.rmtree(target)
            result.articles = int(manifest.get("articles", 0))
            result.spotchecks = int(manifest.get("spotchecks", 0))
            result.recalls = int(manifest.get("recalls", 0))
            result.reposts = int(known.get("reposts", 0))
            write_database(dataset_dir, [*tables(), clusters.TABLE])  # should the database file be gone or older
            return result
        result.generation += 1
        import duckdb

        con = connection(scratch)
        before = None if manifest.get("older") else current
        signer = None
        # the ids the index holds (not signed again), the signatures kept by the crawls and the index restored, in
        # that order, while the build reads the feeds (in a thread of their own); the new articles are indexed once
        # the build is done: while it writes, its memory and the index's together would pass 1 GB at a million
        # articles
        reposts = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dataset-reposts")
        try:
            known = reposts.submit(known_ids, before, manifest.get("reposts"), threshold)
            kept = reposts.submit(_kept_signatures, feed_dir, parts,
                                  starts_over(before, manifest.get("reposts"), threshold))
            restoring = reposts.submit(restored, before, manifest.get("reposts"), threshold)
            signer = Signer(known.result, scratch / "signatures", kept.result)
            counted = {t: int(manifest[t]) for t in tables() if isinstance(manifest.get(t), int)} if before else None
            built = build(con, parts, before, target, result.generation, seen, signer.add, counted)
            con.close()  # what DuckDB kept of the build's memory (a few hundred MB at a million lines) let go
            con = connection(scratch)  # for the index, should it read the articles' texts again
            signed = signer.result()
            result.signing_seconds, result.signatures_kept = signer.seconds, signer.taken
            indexed = clusters.update(con, before, target, result.generation, built.months, manifest.get("reposts"),
                                      threshold, restoring.result(), signed, built.months)
        except ReadError as exc:
            shutil.rmtree(target, ignore_errors=True)
            raise DatasetError(str(exc)) from None
        except duckdb.Error as exc:  # no room left on the disk, a file that went away...
            shutil.rmtree(target, ignore_errors=True)
            raise DatasetError(f"DuckDB: {str(exc).splitlines()[0]}") from None
        finally:
            reposts.shutdown(wait=True)
            if signer is not None:
                signer.close()
            con.close()
        failpoints.reached("dataset_written")
        shutil.rmtree(scratch, ignore_errors=True)
        result.feeds = [p.name for p in parts]
        result.seen = len(seen)
        result.lines = built.lines
        result.months_rewritten = built.months
        feeds = dict(manifest["feeds"])
        for part in parts:
            feeds[part.name] = part.manifest(feeds.get(part.name, {}), built.per_feed.get(part.name, 0))
        write_manifest(target, {"format": FORMAT, "generation": result.generation, "feeds": feeds, "state": state,
                                **{table: built.rows.get(table, 0) for table in tables()},
                                "reposts": indexed.manifest(threshold)})
        fsync_tree(target)
        failpoints.reached("dataset_synced")
        point_current(dataset_dir, target.name)
        failpoints.reached("dataset_switched")
        write_database(dataset_dir, [*tables(), clusters.TABLE])
        if current is not None and current.name != target.name:
            shutil.rmtree(current, ignore_errors=True)
        result.articles, result.spotchecks = built.rows["articles"], built.rows.get("spotchecks", 0)
        result.recalls = built.rows.get("recalls", 0)
        result.reposts = indexed.reposts
        result.reposts_seconds = indexed.seconds
        result.seconds = time.monotonic() - started
        return result


def _kept_signatures(feed_dir: Path, parts: list[FeedPart], every: bool) -> Kept:
    """The signatures kept beside the feeds read now; beside every feed when ``every`` article is indexed again (a
    first build, or one whose scheme or threshold changed)."""
    if every:
        feeds = {str(f.relative_to(feed_dir)): f for f in article_feeds(feed_dir, recursive=True)} \
            if feed_dir.is_dir() else {}
    else:
        feeds = {p.name: p.part.source for p in parts if p.part is not None and p.part.end > p.part.start}
    return Kept({name: beside(feed, SIGNATURES) for name, feed in feeds.items()})
