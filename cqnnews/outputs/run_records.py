"""The run's records read from its exported articles (spot-checks, recalls), stored once its feed is.

Each exported article's records go to a ``.part`` of the run (:class:`~cqnnews.outputs.spotcheck_feed.SidecarFeed`)
beside a local feed, else in ``CQN_FEED_DIR/<spider>/``; the ledger stores them beside the stored feed,
recalls first then spot-checks, on disk, before it commits the articles (failpoint ``spotchecks_stored``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cqnnews import failpoints
from cqnnews.outputs import summary
from cqnnews.outputs.beside import local_feed_path, written_by_cqnnews
from cqnnews.outputs.spotcheck_feed import RECALLS, SPOTCHECKS, Sidecar, SidecarFeed

logger = logging.getLogger(__name__)


class RunRecords:
    """The run's spot-check and recall records: none without a feed (scrapy parse, smoke)."""

    def __init__(self, feed: str | None, feed_dir: str | None, spider: str) -> None:
        self.spider = spider
        self.spotchecks, self.recalls = self._feed(feed, feed_dir, SPOTCHECKS), self._feed(feed, feed_dir, RECALLS)
        self.stored: dict[str, Path] = {}  # sidecar name: where it was stored

    def _feed(self, feed: str | None, feed_dir: str | None, sidecar: Sidecar) -> SidecarFeed | None:
        path = local_feed_path(feed) if feed else None
        if path is not None and "%(" not in str(path.parent):
            return SidecarFeed(path.parent, self.spider, sidecar)
        return SidecarFeed(Path(feed_dir) / self.spider, self.spider, sidecar) if feed and feed_dir else None

    def add(self, article: dict[str, Any], count: Callable[[str, int], None],
            failed: Callable[[Path, str], None]) -> None:
        """One exported article's records, counted; ``failed`` told of a ``.part`` that cannot be written."""
        for records, stat in ((self.spotchecks, "spotcheck/records"), (self.recalls, "recall/records")):
            if records is not None and records.sidecar.worth_reading(article):
                try:
                    count(stat, records.add(article))
                except OSError as exc:
                    failed(records.part, exc.strerror or str(exc))

    def store(self, stored_uri: str, start_time: Any) -> bool:
        """The recall records, then the spot-check records, beside the stored feed, on disk; False if not (said)."""
        if self.spotchecks is None:  # no feed, or one elsewhere without a feed folder: no records kept
            return True
        for records in (self.recalls, self.spotchecks):
            if records is None:
                continue
            local = local_feed_path(stored_uri)
            beside_feed = str(local) if local is not None and "%(" not in str(local) else None
            final = summary.run_file_location(beside_feed, str(records.part.parent.parent), self.spider, start_time,
                                              records.sidecar.suffix)
            assert final is not None  # a feed beside, or the folder of the .part
            try:
                if not written_by_cqnnews(final):  # refused at start; appeared since
                    raise OSError(f"{final.name} is there and was not written by cqnnews: left as it is")
                records.store(final)
            except OSError as exc:
                logger.error("could not store the %ss %s (%s)", records.sidecar.what, final, exc.strerror or exc)
                self.discard()
                return False
            self.stored[records.sidecar.name] = final
        failpoints.reached("spotchecks_stored")
        return True

    def discard(self) -> None:
        """The ``.part`` files of the records not stored, removed."""
        for records in (self.recalls, self.spotchecks):
            if records is not None and records.sidecar.name not in self.stored:
                records.discard()

    def summary(self) -> dict[str, dict[str, Any]]:
        """Where each kind went, how many records, how many left out (their schema)."""
        return {name: {"feed": str(self.stored[name]) if name in self.stored else None,
                       "records": records.count if records else 0, "invalid": records.invalid if records else 0}
                for name, records in (("spotchecks", self.spotchecks), ("recalls", self.recalls))}
