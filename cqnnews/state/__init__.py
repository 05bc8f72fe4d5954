"""What earlier runs did: exported articles, articles still to fetch, and the run lock.

Two stores keep it: :class:`~cqnnews.state.store.StateStore` (SQLite, one process) and
:class:`~cqnnews.state.redis_store.RedisStateStore` (Redis, several workers); both are a
:class:`CrawlState`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from cqnnews.state.store import Exported, Known, Pending


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
    def commit_exported(self, records: Iterable[Exported], feed: str, unchanged: Iterable[int] = ()) -> int: ...
    def update_listings(self, incomplete: Iterable[str], complete: Iterable[str]) -> None: ...
    def prepare(self, records: Iterable[Exported], feed: str, part: str) -> int: ...
    def prepared_feeds(self) -> list[tuple[str, str]]: ...
    def commit_prepared(self, feed: str, unchanged: Iterable[int] = ()) -> int: ...
    def discard_prepared(self, feed: str) -> None: ...
    def close(self) -> None: ...


def recover(store: CrawlState) -> list[str]:
    """Complete or undo the commits of feeds a killed run left prepared; a line for each, for the log.

    The feed's ``.part`` file gone and the feed there: the rename happened, so its articles
    are in a stored feed and are marked exported.  Otherwise the run died before the rename:
    its articles stay pending (the next run fetches them) and its ``.part`` file is removed.
    """
    from pathlib import Path

    done = []
    for feed, part in store.prepared_feeds():
        if not Path(part).exists() and Path(feed).exists():
            n = store.commit_prepared(feed)
            done.append(f"completed the commit of {feed}, left by a run killed after storing it: {n} articles")
        else:
            store.discard_prepared(feed)
            Path(part).unlink(missing_ok=True)
            done.append(f"undid the commit of {feed}, left by a run killed before storing it: its articles stay pending")
    return done
