"""The second feed of a run: the spot-check records of its exported articles, ``<feed stem>.spotchecks.jsonl``.

Records are a function of their article's feed line (:func:`cqnnews.spotchecks.records`):
each exported article's records are appended to a ``.part`` file of this run, which is
put in place beside the stored feed, on disk, before the crawl state marks the articles
exported.  A run killed between the two leaves the articles' feed stored and its records
not: the next run's recovery writes them again from the stored feed itself
(:func:`write_from_feed`).  Every record is checked against ``spotcheck.schema.json``.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from pathlib import Path
from typing import IO, Any

from cqnnews import spotchecks
from cqnnews.feeds import part_name
from cqnnews.schema import spotcheck_problems
from cqnnews.summary import beside

logger = logging.getLogger(__name__)

SUFFIX = ".spotchecks.jsonl"


def spotcheck_path(feed: Path) -> Path:
    """``feeds/minsheng/20261130T063005Z.jsonl`` -> ``feeds/minsheng/20261130T063005Z.spotchecks.jsonl``."""
    return beside(feed, SUFFIX)


def is_spotcheck_feed(path: Path) -> bool:
    return path.name.endswith(SUFFIX)


class SpotCheckFeed:
    """The run's spot-check records, in ``<folder>/spotchecks.jsonl.<spider>.<host>.<pid>.<start>.part`` until
    stored."""

    def __init__(self, folder: Path, spider: str) -> None:
        self.part = folder / part_name(SUFFIX.lstrip("."), spider)
        self.file: IO[str] | None = None
        self.count = 0
        self.invalid = 0

    def add(self, article: dict[str, Any]) -> int:
        """Append the records of one exported article (its feed line); how many.  OSError if they cannot be
        written."""
        found = 0
        for record in spotchecks.records(article):
            problems = spotcheck_problems(record)
            if problems:
                self.invalid += 1
                logger.error("spot-check record of %s (table %d, row %d) breaks its schema, left out: %s",
                             article["url"], record["table"], record["row"], "; ".join(problems[:3]))
                continue
            if self.file is None:
                self.part.parent.mkdir(parents=True, exist_ok=True)
                self.file = self.part.open("w", encoding="utf-8")
            self.file.write(json.dumps(record, ensure_ascii=False) + "\n")
            found += 1
        self.count += found
        return found

    def store(self, final: Path) -> None:
        """The records on disk under ``final`` (an empty file for a run with none).  OSError if not."""
        if self.file is None:
            self.part.parent.mkdir(parents=True, exist_ok=True)
            self.file = self.part.open("w", encoding="utf-8")
        self.file.flush()
        os.fsync(self.file.fileno())
        self.file.close()
        os.replace(self.part, final)

    def discard(self) -> None:
        """Close and remove the ``.part`` (nothing to remove where it could not be made)."""
        with contextlib.suppress(OSError):
            if self.file is not None:
                self.file.close()
            self.part.unlink(missing_ok=True)


def write_from_feed(feed: Path) -> int:
    """Write ``<feed stem>.spotchecks.jsonl`` again from a stored feed of articles; how many records."""
    final = spotcheck_path(feed)
    temporary = final.with_name(final.name + ".recovering")
    count = 0
    with feed.open(encoding="utf-8") as lines, temporary.open("w", encoding="utf-8") as out:
        for line in lines:
            if line.strip():
                for record in spotchecks.records(json.loads(line)):
                    if not spotcheck_problems(record):
                        out.write(json.dumps(record, ensure_ascii=False) + "\n")
                        count += 1
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, final)
    return count
