"""What an update reads: the new lines of every feed, and of the sidecar records beside it.

The manifest keeps, for each feed ingested, how many bytes of it were read (up to its last complete
line) and a check of the bytes just before that point.  A feed is read again from there when it grew
and those bytes are unchanged (a feed appended by ``-o``, day after day), from its start when they
changed (a feed written again by ``-O``), not at all when neither.  The same holds for each sidecar file.
A part to read that does not start at the file's start is copied to the update's scratch folder, for DuckDB
to read as a file of its own.  Feeds in other formats (``-O items.csv``: lists flattened to text) are not
read; the update's line says how many.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cqnnews.outputs.dataset import tables
from cqnnews.outputs.feeds import article_feeds
from cqnnews.outputs.summary import SUMMARY, beside
from cqnnews.urls import SiteUrls

logger = logging.getLogger(__name__)

CHECKED = 4096  # bytes before the end already read, compared to see whether a file was only appended to
OTHER_FORMATS = ("*.csv", "*.json", "*.xml", "*.jl.gz", "*.jsonl.gz")


class ReadError(Exception):
    """A feed or sidecar file could not be read."""


@dataclass
class Part:
    """New bytes of one file: read ``path`` (the file itself or a copy of its new part)."""

    path: Path
    start: int
    end: int
    check: str  # of the bytes before ``end``
    source: Path  # the file itself

    def named(self, message: str, name: str) -> str:
        """``message`` naming the file by ``name`` (and where its new part starts) rather than by ``path``."""
        where = name if self.start == 0 else f"{name} (from byte {self.start})"
        return message.replace(str(self.path), where)


@dataclass
class FeedPart:
    """A feed with new lines: its name (relative to the feed folder), its origin, its part and its sidecars'."""

    name: str
    origin: str
    part: Part | None
    sidecars: dict[str, Part] = field(default_factory=dict)

    def manifest(self, before: dict[str, Any], lines: int) -> dict[str, Any]:
        """The feed's entry in the manifest after this update."""
        entry = dict(before)
        if self.part is not None:
            fresh = self.part.start == 0
            entry.update(bytes=self.part.end, check=self.part.check,
                         lines=lines + (0 if fresh else int(before.get("lines", 0))))
        sidecars = dict(before.get("sidecars", {}))
        for table, part in self.sidecars.items():
            sidecars[table] = {"bytes": part.end, "check": part.check}
        entry["sidecars"] = sidecars
        entry["origin"] = self.origin
        return entry


def _complete_end(path: Path) -> int:
    """The size of ``path`` up to its last newline (a line being written is left for the next update)."""
    size = path.stat().st_size
    with open(path, "rb") as handle:
        end = size
        while end > 0:
            start = max(0, end - 65536)
            handle.seek(start)
            block = handle.read(end - start)
            at = block.rfind(b"\n")
            if at >= 0:
                return start + at + 1
            end = start
    return 0


def _check(path: Path, end: int) -> str:
    with open(path, "rb") as handle:
        handle.seek(max(0, end - CHECKED))
        return hashlib.sha256(handle.read(min(end, CHECKED))).hexdigest()


def new_part(path: Path, before: dict[str, Any] | None, scratch: Path, name: str) -> Part | None:
    """The bytes of ``path`` not read yet (see the module's doc); None when there are none."""
    end = _complete_end(path)
    done = int(before.get("bytes", -1)) if before else -1
    if before and "bytes" not in before:
        return None  # ingested whole by a dataset of the first format: nothing known to compare
    start = 0
    if before is not None and 0 < done <= end and _check(path, done) == before.get("check"):
        if done == end:
            return None
        start = done
    elif before is not None and done == end == 0:
        return None
    check = _check(path, end)
    if start == 0 and end == path.stat().st_size:
        return Part(path, 0, end, check, path)
    copy = scratch / name
    copy.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "rb") as source, open(copy, "wb") as out:
        source.seek(start)
        left = end - start
        while left:
            block = source.read(min(left, 1 << 22))
            if not block:
                break
            out.write(block)
            left -= len(block)
    return Part(copy, start, end, check, path)


def origin_of(feed: Path) -> str:
    """The origin the feed's run crawled (its summary's ``run.origin``), as a name: ``www.cqn.com.cn``,
    ``127.0.0.1_8000``; the site's own when the feed has no summary."""
    try:
        summary = json.loads(beside(feed, SUMMARY).read_text(encoding="utf-8"))
        origin = (summary.get("run") or {}).get("origin")
        return SiteUrls(origin).origin_key if origin else SiteUrls().origin_key
    except (OSError, ValueError, AttributeError):
        return SiteUrls().origin_key


def plan(feed_dir: Path, ingested: dict[str, dict[str, Any]], scratch: Path) -> tuple[list[FeedPart], list[str]]:
    """The feeds with new lines or new sidecar records, and the feeds left out (other formats)."""
    if not feed_dir.is_dir():
        return [], []
    parts = []
    sidecar_files = tuple(s.suffix for s in tables.SIDECARS)
    feeds = [f for f in article_feeds(feed_dir, recursive=True) if not f.name.endswith(sidecar_files)]
    for n, feed in enumerate(feeds):
        name = str(feed.relative_to(feed_dir))
        before = ingested.get(name)
        found = FeedPart(name, (before or {}).get("origin") or origin_of(feed),
                         new_part(feed, before, scratch, f"{n}.jsonl"))
        for sidecar in tables.SIDECARS:
            path = beside(feed, sidecar.suffix)
            if path.exists():
                part = new_part(path, (before or {}).get("sidecars", {}).get(sidecar.table) if before else None,
                                scratch, f"{n}{sidecar.suffix}")
                if part is not None:
                    found.sidecars[sidecar.table] = part
        if found.part is not None or found.sidecars:
            parts.append(found)
    others = sorted(str(p.relative_to(feed_dir)) for pattern in OTHER_FORMATS for p in feed_dir.rglob(pattern)
                    if not p.name.endswith(SUMMARY))
    return parts, others


def seen_in_state(state_dir: Path | None, since: dict[str, str]) -> tuple[list[tuple[str, int, str]], dict[str, str]]:
    """The articles the crawl state saw after the last update: (origin, article_id, last_seen) of each article
    whose ``last_seen`` in a state file (``<state dir>/<origin>/<spider>.sqlite3``) is later than the latest
    read from that file before (``since``), and that latest now.  An unchanged recheck writes no line in a
    feed, only this.  Each file is read whole (no index on ``last_seen``): about a second at a million
    articles.  The Redis state of shared crawls is not read."""
    import sqlite3

    rows: list[tuple[str, int, str]] = []
    latest = dict(since)
    if state_dir is None or not state_dir.is_dir():
        return rows, latest
    for path in sorted(state_dir.glob("*/*.sqlite3")):
        name = f"{path.parent.name}/{path.name}"
        try:
            db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
            try:
                found = db.execute("SELECT article_id, last_seen FROM articles WHERE last_seen > ?",
                                   (since.get(name, ""),)).fetchall()
            finally:
                db.close()
        except sqlite3.Error as exc:
            logger.warning("the crawl state %s was not read for last_seen (%s)", path, exc)
            continue
        rows.extend((path.parent.name, int(aid), seen) for aid, seen in found)
        if found:
            latest[name] = max(seen for _, seen in found)
    return rows, latest
