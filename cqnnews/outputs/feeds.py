"""Where a run's feed goes by default: ``<feed dir>/<spider>/<UTC start time>.jsonl``."""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
import socket
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any

from scrapy import Spider
from scrapy.extensions.feedexport import FileFeedStorage, StdoutFeedStorage
from scrapy.settings import BaseSettings
from scrapy.utils.defer import deferred_from_coro

from cqnnews import failpoints
from cqnnews.atomic import rename_into_place, sync_file
from cqnnews.errors import FeedWriteError
from cqnnews.items import FIELDS
from cqnnews.outputs.beside import SIGNATURES

logger = logging.getLogger(__name__)
_STARTED = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")  # this process's start: part of .part names


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


SIDECAR_SUFFIXES = (".spotchecks.jsonl", ".recalls.jsonl")  # the records beside a feed (cqnnews.outputs.spotcheck_feed)


def article_feeds(folder: Path, recursive: bool = False) -> list[Path]:
    """The feeds of articles in ``folder`` (every ``*.jsonl`` but the ``*.spotchecks.jsonl`` and ``*.recalls.jsonl``
    beside them), sorted."""
    found = folder.rglob("*.jsonl") if recursive else folder.glob("*.jsonl")
    return sorted(path for path in found if not path.name.endswith(SIDECAR_SUFFIXES))


def apply_default_feed(settings: BaseSettings, spider: str, worker: bool = False) -> None:
    """Add the default feed unless the command line named one (-o/-O or -s FEEDS), or ``CQN_FEED_DIR`` is
    empty (``scrapy parse``: no feed)."""
    if settings.getdict("FEEDS") or not settings.get("CQN_FEED_DIR"):
        return
    path = default_feed_path(settings.get("CQN_FEED_DIR"), spider, worker=worker)
    options: dict[str, Any] = {"format": "jsonlines", "encoding": "utf-8", "fields": FIELDS}
    settings.set("FEEDS", {str(path): options}, priority="spider")


_HOST = socket.gethostname().replace(".", "-")
_PART = re.compile(r"^(?P<feed>.+)\.(?P<spider>[^.]+)\.(?P<host>[^.]+)\.(?P<pid>\d+)\.(?P<start>\d{8}T\d{6}Z)\.part$")


def part_name(feed_name: str, spider: str) -> str:
    """``<feed>.<spider>.<host>.<pid>.<start>.part``: one per run, and whose run it is."""
    return f"{feed_name}.{spider}.{_HOST}.{os.getpid()}.{_STARTED}.part"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def tidy_feed_dir(folder: Path, keep_days: float, now: float | None = None) -> list[Path]:
    """Remove from ``folder`` the ``.part`` files of runs of this host known dead (their process is gone),
    and, when ``keep_days`` > 0, feeds and summaries older than that; the paths removed."""
    now = time.time() if now is None else now
    removed = []
    for path in folder.iterdir() if folder.is_dir() else []:
        if (m := _PART.match(path.name)) is not None:
            dead = m["host"] == _HOST and int(m["pid"]) != os.getpid() and not _alive(int(m["pid"]))
        else:
            old_feed = (".jsonl", ".summary.json", ".csv", ".jsonl.gz", SIGNATURES)
            dead = keep_days > 0 and path.name.endswith(old_feed) and now - path.stat().st_mtime > keep_days * 86400
        if dead:
            with contextlib.suppress(OSError):
                path.unlink()
                removed.append(path)
    return removed


def local_feed_problem(path: Path) -> str | None:
    """Why a feed on local disk cannot be written, in a few words, or None."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".cqnnews-probe-") as probe:
            probe.write(b"probe\n")
            probe.flush()
            os.fsync(probe.fileno())
    except OSError as exc:
        return exc.strerror or str(exc)
    return None


FAILED_STAT = "cqnnews/feed/failed"


def feed_failed(crawler: Any, path: Path | str, reason: str, stop: bool = True) -> None:
    """Say it once, mark the feed failed (nothing of the run is then marked exported) and stop the run:
    every article fetched from now on would be lost."""
    stats = getattr(crawler, "stats", None)
    if stats is not None and stats.get_value(FAILED_STAT):
        return
    logger.error("feed %s cannot be written (%s): %snothing from it is marked exported", path, reason,
                 "stopping the run; " if stop else "")
    if stats is not None:
        stats.set_value(FAILED_STAT, 1)
    engine = getattr(crawler, "engine", None)
    if stop and engine is not None and getattr(engine, "spider", None) is not None:
        deferred_from_coro(engine.close_spider_async(reason="feed_failed"))


#: what records a feed's articles in the crawl state as prepared, before the feed is renamed into place:
#: called with the feed, its ``.part`` file and (JSON Lines) its line count; raises to keep the feed from being stored
FeedPreparer = Callable[[str, str, int | None], None]

#: sent by :class:`AtomicFileFeedStorage` as it opens; the run answers with its :data:`FeedPreparer`
#: (:meth:`cqnnews.crawl.run.Run.answer_feed_opening`), so the storage never reaches up into the run
feed_opening = object()


def preparer(crawler: Any) -> FeedPreparer | None:
    """The :data:`FeedPreparer` the run of ``crawler`` answers :data:`feed_opening` with; None outside a run."""
    signals = getattr(crawler, "signals", None)
    if signals is None:
        return None
    answers = [answer for _, answer in signals.send_catch_log(signal=feed_opening) if callable(answer)]
    return answers[0] if answers else None


class GuardedFile:
    """The ``.part`` file: the first failed write marks the feed failed and stops the run.

    Counts the lines written, so a JSON Lines feed can be checked against the articles the
    run staged before it is stored.
    """

    def __init__(self, file: IO[bytes], path: Path, on_error: Any) -> None:
        self.file = file
        self.path = path
        self.on_error = on_error
        self.error: OSError | None = None
        self.lines = 0

    def write(self, data: bytes) -> int:
        """Written, or (once a write failed) dropped: the feed is failed and will not be stored."""
        if self.error is not None:
            return len(data)
        try:
            written = self.file.write(data)
        except OSError as exc:
            self.error = exc
            self.on_error(self.path, exc)
            return len(data)
        self.lines += data.count(b"\n")
        return written

    def __getattr__(self, name: str) -> Any:
        return getattr(self.file, name)


def _repost_marker() -> Any:
    """:func:`cqnnews.outputs.feed_reposts.mark_reposts`, or None where numpy (the dataset extra) is not installed: a core
    install's feed keeps ``duplicate_of`` null, said once a run, and the dataset names the reposts."""
    try:
        from cqnnews.outputs.feed_reposts import mark_reposts
    except ImportError:
        logger.warning("reposts are not marked in the feed (duplicate_of stays null): numpy is not installed "
                       "(pip install 'cqnnews[dataset]')")
        return None
    return mark_reposts


class AtomicFileFeedStorage(FileFeedStorage):
    """Writes ``<path>.<spider>.<host>.<pid>.<start>.part`` and renames it to ``<path>`` once complete and on disk.

    An analyst never sees a half-written file under a final name; a run killed mid-way
    leaves only its own ``.part`` file (the name is unique per run).  Appending (``-o``)
    starts the ``.part`` from a copy of the existing file, so the final file is still
    replaced in one step.  Before the rename, the articles the feed holds are recorded in
    the crawl state as prepared for it; the run's ledger marks them exported after it, and
    a run that finds a prepared feed left by a killed one completes or undoes that commit by
    whether the rename happened (see :meth:`cqnnews.state.store.StateStore.recover`).
    """

    crawler: Any = None
    spider_name = "feed"
    file: GuardedFile | None = None
    prepare: FeedPreparer | None = None  # given at open by the run (:data:`feed_opening`); None: not a cqnnews run
    start = 0  # where this run's lines begin in the .part file (after an appended feed's earlier lines)

    def __init__(self, uri: str, *, feed_options: dict[str, Any] | None = None) -> None:
        super().__init__(uri, feed_options=feed_options)
        self.format = (feed_options or {}).get("format")

    def _part(self) -> Path:
        final = Path(self.path)
        return final.with_name(part_name(final.name, self.spider_name))

    def open(self, spider: Spider) -> IO[bytes]:
        self.crawler = getattr(spider, "crawler", None)
        self.spider_name = spider.name
        self.prepare = preparer(self.crawler)
        final, part = Path(self.path), self._part()
        try:
            final.parent.mkdir(parents=True, exist_ok=True)
            if self.write_mode == "ab" and final.exists():
                shutil.copyfile(final, part)
                self.start = part.stat().st_size  # this run's lines begin here
                raw = part.open("ab")
            else:
                raw = part.open("wb")
        except OSError as exc:
            self.file = GuardedFile(open(os.devnull, "wb"), final, self._failed)  # noqa: SIM115
            self.file.error = exc
            self._failed(final, exc)
            return self.file  # type: ignore[return-value]
        self.file = GuardedFile(raw, final, self._failed)
        return self.file  # type: ignore[return-value]

    def _failed(self, path: Path, exc: OSError) -> None:
        feed_failed(self.crawler, path, exc.strerror or str(exc))

    def store(self, file: IO[bytes]) -> None:
        guarded = self.file
        if guarded is not None and guarded.error is not None:  # said and counted when it happened
            with contextlib.suppress(OSError):  # closing flushes: the disk is still full
                guarded.file.close()
            with contextlib.suppress(OSError):  # a part that could not be made cannot be removed either
                Path(self._part()).unlink(missing_ok=True)
            return
        raw = guarded.file if guarded is not None else file
        sync_file(raw)
        raw.close()
        failpoints.reached("feed_flushed")
        final, part = Path(self.path), self._part()
        mark_reposts = _repost_marker() if self.format in ("jsonlines", "jsonl") and self.crawler is not None else None
        if mark_reposts is not None and self.crawler is not None:  # the run's reposts, now all read
            try:
                found = mark_reposts(part, self.start, self.crawler.settings.getfloat("CQN_REPOST_SIMILARITY"),
                                     final.with_name(part_name(final.name + ".reposts", self.spider_name)), final,
                                     final.with_name(part_name(final.name + ".signatures", self.spider_name)))
            except OSError as exc:
                feed_failed(self.crawler, final, exc.strerror or str(exc), stop=False)
                with contextlib.suppress(OSError):
                    part.unlink()
                return
            self.crawler.stats.set_value("reposts/in_feed", found)
        if self.prepare is not None:
            lines = guarded.lines if guarded is not None and self.format in ("jsonlines", "jsonl") else None
            try:
                self.prepare(str(final), str(part), lines)
            except Exception as exc:  # not stored: its articles stay pending, and its .part is no feed
                feed_failed(self.crawler, final, f"{exc}" if isinstance(exc, FeedWriteError) else
                            f"the crawl state could not record its articles: {type(exc).__name__}", stop=False)
                with contextlib.suppress(OSError):
                    part.unlink()
                return
        failpoints.reached("state_prepared")
        rename_into_place(part, final, durable=True)  # the rename itself survives a power cut
        failpoints.reached("feed_renamed")


class FlushedStdoutFeedStorage(StdoutFeedStorage):
    """Scrapy's ``stdout:`` feed, stored only once everything is flushed to the reader.

    Scrapy's own stores nothing: a reader that went away (``| head``) would go unnoticed and
    the run would count every article as exported.
    """

    def store(self, file: IO[bytes]) -> None:
        try:
            file.flush()
        except OSError as exc:
            raise FeedWriteError(f"standard output was not read whole ({exc.strerror or exc})") from None
