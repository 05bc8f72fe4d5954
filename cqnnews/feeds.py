"""Where a run's feed goes by default: ``<feed dir>/<spider>/<UTC start time>.jsonl``."""

from __future__ import annotations

import os
import shutil
import socket
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any

from scrapy import Spider
from scrapy.extensions.feedexport import FileFeedStorage
from scrapy.settings import BaseSettings

from cqnnews.items import FIELDS


def default_feed_path(feed_dir: str | Path, spider: str, started: datetime | None = None, worker: bool = False) -> Path:
    """A new file name, never an existing one: runs in the same second get ``-2``, ``-3``...

    A worker of a shared crawl adds its host and process id, so workers never share a file.
    """
    stamp = (started or datetime.now(timezone.utc)).astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    if worker:
        stamp += f"-{socket.gethostname()}-{os.getpid()}"
    folder = Path(feed_dir) / spider
    path = folder / f"{stamp}.jsonl"
    n = 2
    while path.exists():
        path = folder / f"{stamp}-{n}.jsonl"
        n += 1
    return path


def apply_default_feed(settings: BaseSettings, spider: str, worker: bool = False) -> None:
    """Add the default feed unless the command line named one (-o/-O or -s FEEDS)."""
    if settings.getdict("FEEDS"):
        return
    path = default_feed_path(settings.get("CQN_FEED_DIR"), spider, worker=worker)
    options: dict[str, Any] = {"format": "jsonlines", "encoding": "utf-8", "fields": FIELDS}
    settings.set("FEEDS", {str(path): options}, priority="spider")


class AtomicFileFeedStorage(FileFeedStorage):
    """Writes ``<path>.part`` and renames it to ``<path>`` once complete and on disk.

    An analyst never sees a half-written file under a final name; a run killed mid-way
    leaves only a ``.part`` file.  Appending (``-o``) starts the ``.part`` from a copy of the
    existing file, so the final file is still replaced in one step.
    """

    def _part(self) -> Path:
        final = Path(self.path)
        return final.with_name(final.name + ".part")

    def open(self, spider: Spider) -> IO[bytes]:
        final, part = Path(self.path), self._part()
        final.parent.mkdir(parents=True, exist_ok=True)
        if self.write_mode == "ab" and final.exists():
            shutil.copyfile(final, part)
            return part.open("ab")
        return part.open("wb")

    def store(self, file: IO[bytes]) -> None:
        file.flush()
        os.fsync(file.fileno())
        file.close()
        os.replace(self._part(), self.path)
        directory = os.open(Path(self.path).parent, os.O_RDONLY)
        try:
            os.fsync(directory)  # the rename itself survives a power cut
        finally:
            os.close(directory)
