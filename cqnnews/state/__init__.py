"""What earlier runs did: exported articles, articles still to fetch, and the run lock.

Two stores keep it: :class:`~cqnnews.state.store.StateStore` (SQLite, one process) and
:class:`~cqnnews.state.redis_store.RedisStateStore` (Redis, several workers); both are a
:class:`CrawlState`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from cqnnews.errors import StateError
from cqnnews.state.records import Exported, Known, Pending, Retry
from cqnnews.urls import SiteUrls


class CrawlState(Protocol):
    path: Any  # where the state lives, for messages

    def known(self, ids: Iterable[int]) -> dict[int, str]: ...
    def exported(self, article_id: int) -> Known | None: ...
    def published_since(self, since: datetime) -> list[Known]: ...
    def pending(self) -> list[Pending]: ...
    def pending_count(self) -> int: ...
    def count(self) -> int: ...
    def incomplete_listings(self) -> set[str]: ...
    def add_pending(self, found: Iterable[tuple[int, str, list[str]]]) -> None: ...
    def record_failures(self, failed: Iterable[tuple[int, str, list[str], str]]) -> None: ...
    def commit_exported(self, records: Iterable[Exported], feed: str, unchanged: Iterable[int] = (),
                        retry: Iterable[Retry] = ()) -> int: ...
    def update_listings(self, incomplete: Iterable[str], complete: Iterable[str]) -> None: ...
    def unfinished_walks(self) -> dict[str, int]: ...  # listing node -> the page its walk resumes at
    def update_walks(self, unfinished: Mapping[str, int], finished: Iterable[str]) -> None: ...
    def prepare(self, records: Iterable[Exported], feed: str, part: str) -> int: ...
    def prepared_feeds(self) -> list[tuple[str, str]]: ...
    def commit_prepared(self, feed: str, unchanged: Iterable[int] = (), retry: Iterable[Retry] = ()) -> int: ...
    def discard_prepared(self, feed: str) -> None: ...
    def runs(self, last: int) -> list[dict[str, Any]]: ...
    def record_run(self, profile: dict[str, Any], keep: int = ...) -> None: ...
    def close(self) -> None: ...


class RecordsBeside(Protocol):
    """A kind of records kept beside a stored feed and written from it (:data:`cqnnews.outputs.spotcheck_feed.SIDECARS`)."""

    @property
    def what(self) -> str: ...  # for the log: "spot-check record"

    def path(self, feed: Path) -> Path: ...
    def write_from(self, feed: Path) -> int: ...


def origin_state_dir(state_dir: str | Path, base_url: str) -> Path:
    """Where the state of crawls of ``base_url`` lives: one folder per origin, so a replica's (or the demo's)
    articles never count for the real site's.  A state file of the layout before (one folder for every
    origin) is refused with a line saying where it goes."""
    key = SiteUrls(base_url).origin_key
    folder = Path(state_dir) / key
    for old in sorted(Path(state_dir).glob("*.sqlite3")) if Path(state_dir).is_dir() else []:
        if not (folder / old.name).exists():
            raise StateError(f"state file {old} was made before crawl states were kept per origin; if it was made "
                             f"crawling {base_url}, move it to {folder / old.name}, otherwise to the folder of its "
                             "origin (or away)")
    return folder


def recover(store: CrawlState, sidecars: Sequence[RecordsBeside] = ()) -> list[str]:
    """Complete or undo the commits of feeds a killed run left prepared; a line for each, for the log.

    The feed's ``.part`` file gone and the feed there: the rename happened, so its articles
    are in a stored feed and are marked exported (the records of each of ``sidecars``, the run's
    spot-check and recall records, written from it first if the run died before putting them beside
    it).  Otherwise the run died before the rename:
    its articles stay pending (the next run fetches them) and its ``.part`` file is removed.
    """
    done = []
    for feed, part in store.prepared_feeds():
        if not Path(part).exists() and Path(feed).exists():
            for sidecar in sidecars:  # spot-check and recall records
                if not sidecar.path(Path(feed)).exists():  # killed before its records were put beside it
                    records = sidecar.write_from(Path(feed))
                    done.append(f"wrote the {records} {sidecar.what}s of {feed} again from it")
            n = store.commit_prepared(feed)
            done.append(f"completed the commit of {feed}, left by a run killed after storing it: {n} articles")
        else:
            store.discard_prepared(feed)
            Path(part).unlink(missing_ok=True)
            done.append(f"undid the commit of {feed}, left by a run killed before storing it: its articles stay pending")
    return done
