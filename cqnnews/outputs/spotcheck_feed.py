"""The run's other feeds, beside its feed of articles: records read from each exported article.

Two kinds (:data:`SIDECARS`): the spot-check records (``<feed stem>.spotchecks.jsonl``,
:mod:`cqnnews.reading.spotchecks`) and the recall records (``<feed stem>.recalls.jsonl``,
:mod:`cqnnews.reading.recalls`).  Records are a function of their article's feed line: each exported
article's records are appended to a ``.part`` file of this run, which is put in place beside the
stored feed, on disk, before the crawl state marks the articles exported.  A run killed between
the two leaves the articles' feed stored and its records not: the next run's recovery writes them
again from the stored feed itself (:func:`write_from_feed`).  Every record is checked against its
schema (``spotcheck.schema.json``, ``recall.schema.json``); one that breaks it is logged and left out.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from cqnnews.atomic import rename_into_place, sync_file
from cqnnews.outputs.feeds import part_name
from cqnnews.outputs.summary import beside
from cqnnews.reading import recalls, spotchecks
from cqnnews.schema import recall_problems, spotcheck_problems

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Sidecar:
    """One kind of record read from the exported articles, in ``<feed stem><suffix>`` beside the feed."""

    name: str  # spotchecks, recalls: the summary's key and the dataset's table
    suffix: str
    what: str  # for the log: "spot-check record"
    records: Callable[[Mapping[str, Any]], list[dict[str, Any]]]
    problems: Callable[[dict[str, Any]], list[str]]
    worth_reading: Callable[[Mapping[str, Any]], bool]  # a cheap test: can the article hold any?
    where: Callable[[dict[str, Any]], str]  # which part of the article a record comes from, for the log

    def path(self, feed: Path) -> Path:
        """``feeds/minsheng/20261130T063005Z.jsonl`` -> ``feeds/minsheng/20261130T063005Z<suffix>``."""
        return beside(feed, self.suffix)

    def write_from(self, feed: Path) -> int:
        """These records written again from a stored feed of articles (:func:`write_from_feed`); how many."""
        return write_from_feed(feed, self)


SPOTCHECKS = Sidecar("spotchecks", ".spotchecks.jsonl", "spot-check record", spotchecks.records, spotcheck_problems,
                     lambda a: bool(a.get("tables") or any(f.get("tables") for f in a.get("attachments") or [])),
                     lambda r: f"table {r['table']}, row {r['row']}")
RECALLS = Sidecar("recalls", ".recalls.jsonl", "recall record", recalls.records, recall_problems,
                  lambda a: "召回" in (a.get("body") or ""), lambda r: f"recall {r['recall']}")
SIDECARS = (SPOTCHECKS, RECALLS)
SUFFIX = SPOTCHECKS.suffix


def spotcheck_path(feed: Path) -> Path:
    """``feeds/minsheng/20261130T063005Z.jsonl`` -> ``feeds/minsheng/20261130T063005Z.spotchecks.jsonl``."""
    return SPOTCHECKS.path(feed)


def recall_path(feed: Path) -> Path:
    return RECALLS.path(feed)


def is_spotcheck_feed(path: Path) -> bool:
    return path.name.endswith(SUFFIX)


def is_sidecar(path: Path) -> bool:
    return any(path.name.endswith(s.suffix) for s in SIDECARS)


class SidecarFeed:
    """The run's records of one kind, in ``<folder>/<name>.jsonl.<spider>.<host>.<pid>.<start>.part`` until
    stored."""

    def __init__(self, folder: Path, spider: str, sidecar: Sidecar = SPOTCHECKS) -> None:
        self.sidecar = sidecar
        self.part = folder / part_name(sidecar.suffix.lstrip("."), spider)
        self.file: IO[str] | None = None
        self.count = 0
        self.invalid = 0

    def add(self, article: dict[str, Any]) -> int:
        """Append the records of one exported article (its feed line); how many.  OSError if they cannot be
        written."""
        if not self.sidecar.worth_reading(article):
            return 0
        found = 0
        for record in self.sidecar.records(article):
            problems = self.sidecar.problems(record)
            if problems:
                self.invalid += 1
                logger.error("%s of %s (%s) breaks its schema, left out: %s", self.sidecar.what, article["url"],
                             self.sidecar.where(record), "; ".join(problems[:3]))
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
        sync_file(self.file)
        self.file.close()
        rename_into_place(self.part, final)

    def discard(self) -> None:
        """Close and remove the ``.part`` (nothing to remove where it could not be made)."""
        with contextlib.suppress(OSError):
            if self.file is not None:
                self.file.close()
            self.part.unlink(missing_ok=True)


SpotCheckFeed = SidecarFeed  # its first kind's name, kept for the callers that know it


def write_from_feed(feed: Path, sidecar: Sidecar = SPOTCHECKS) -> int:
    """Write ``<feed stem><suffix>`` again from a stored feed of articles; how many records."""
    final = sidecar.path(feed)
    temporary = final.with_name(final.name + ".recovering")
    count = 0
    with feed.open(encoding="utf-8") as lines, temporary.open("w", encoding="utf-8") as out:
        for line in lines:
            if line.strip() and sidecar.worth_reading(article := json.loads(line)):
                for record in sidecar.records(article):
                    if not sidecar.problems(record):
                        out.write(json.dumps(record, ensure_ascii=False) + "\n")
                        count += 1
        sync_file(out)
    rename_into_place(temporary, final)
    return count
