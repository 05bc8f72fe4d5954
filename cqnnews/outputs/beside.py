"""The files a run writes beside its feed, and whether a file already there is one cqnnews wrote.

A run writes ``<feed stem>.summary.json``, ``<feed stem>.report.html``,
``<feed stem>.spotchecks.jsonl``, ``<feed stem>.recalls.jsonl`` and ``<feed stem>.signatures`` beside its
feed, and the history page ``index.html`` only in its own feed folder (``<CQN_FEED_DIR>/<spider>/``), never in
a folder named by ``-o``/``-O``.
A file of one of those names that is already there and was not written by cqnnews (its
content does not carry the project's marks) is never replaced: ``scrapy crawl`` refuses to
start (:func:`foreign_files`), and a writer that finds one at the end leaves it as it is.
"""

from __future__ import annotations

import json
from pathlib import Path

SUMMARY = ".summary.json"
REPORT = ".report.html"
SPOTCHECKS = ".spotchecks.jsonl"
RECALLS = ".recalls.jsonl"
SIGNATURES = ".signatures"  # the repost signatures of its lines (cqnnews.outputs.feed_signatures)
SIGNATURES_MARK = b"cqnnews signatures "  # how that file starts
INDEX = "index.html"
GENERATOR = '<meta name="generator" content="cqnnews">'  # in every page cqnnews writes
SIDE_SUFFIXES = (SUMMARY, REPORT, SPOTCHECKS, RECALLS, SIGNATURES)
# the records written beside a feed (cqnnews.outputs.spotcheck_feed.SIDECARS): the keys every one of them has
RECORD_KEYS = {SPOTCHECKS: {"article_id", "file_checksum", "table", "row"},
               RECALLS: {"article_id", "recall", "recallers", "raw"}}


def beside(feed_path: str | Path, suffix: str) -> Path:
    """A file of the run beside its feed: ``feeds/yaowen/20261125T063005Z.jsonl`` with ``.summary.json`` ->
    ``feeds/yaowen/20261125T063005Z.summary.json``."""
    path = Path(str(feed_path).removeprefix("file://"))
    return path.with_name(f"{path.stem if path.suffix else path.name}{suffix}")


def sidecars(feed_path: str | Path) -> list[Path]:
    """The files a run writes beside a local feed."""
    return [beside(feed_path, suffix) for suffix in SIDE_SUFFIXES]


def _head(path: Path, size: int = 4096) -> bytes:
    with path.open("rb") as file:
        return file.read(size)


def written_by_cqnnews(path: Path) -> bool:
    """True if ``path`` is missing (free to write) or holds what cqnnews writes under its name."""
    try:
        if not path.exists():
            return True
        if not path.is_file():
            return False
        name = path.name
        if name.endswith(SUMMARY):
            record = json.loads(path.read_text(encoding="utf-8"))
            return isinstance(record, dict) and {"spider", "exit_status", "finish_reason"} <= record.keys()
        if name.endswith(".html"):
            head = _head(path)
            # pages written before the generator mark: the title every cqnnews page has
            return GENERATOR.encode() in head or b"<title>cqnnews " in head
        if name.endswith(SIGNATURES):
            return _head(path, 64).startswith(SIGNATURES_MARK)
        for suffix, keys in RECORD_KEYS.items():
            if name.endswith(suffix):
                first = _head(path, 1 << 16).split(b"\n", 1)[0].strip()
                if not first:
                    return path.stat().st_size == 0  # a run with no records writes an empty file
                record = json.loads(first)
                return isinstance(record, dict) and keys <= record.keys()
    except (OSError, ValueError):
        return False
    return False


def foreign_files(paths: list[Path]) -> list[Path]:
    """Those of ``paths`` that exist and were not written by cqnnews."""
    return [path for path in paths if not written_by_cqnnews(path)]


def is_own_feed_folder(folder: Path, feed_dir: str, spider: str) -> bool:
    """Whether ``folder`` is the project's own feed folder of ``spider`` (``<CQN_FEED_DIR>/<spider>``), the only
    place of the history page."""
    if not feed_dir:
        return False
    return folder.resolve() == (Path(feed_dir) / spider).resolve()


def local_feed_path(feed: str) -> Path | None:
    """The path of a feed on local disk; None for other storages."""
    if "://" in feed and not feed.startswith("file://") or feed.startswith("stdout:") or feed == "-":
        return None
    return Path(feed.removeprefix("file://"))
