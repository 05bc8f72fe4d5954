"""With ``CQN_DATASET_AUTO=true``, the dataset (:mod:`cqnnews.outputs.dataset`) updated after each run that committed
articles, from every feed of ``CQN_FEED_DIR`` not ingested yet, as ``scrapy dataset`` does; a dataset that could
not be updated is a problem of the run (exit status 1; the previous dataset stays as it was)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from scrapy.crawler import Crawler

from cqnnews.signals import RunOutcome, run_finished


def update_dataset(feeds: Path, dataset: Path, state: Path | None = None, threshold: float | None = None) -> int:
    """The update with its one line of outcome; 0, or 1 when it could not be done.  ``state``: the crawl
    state's folder, whose unchanged rechecks count for ``last_seen``; ``threshold``: CQN_REPOST_SIMILARITY."""
    from cqnnews.outputs.dataset import DatasetError, update  # pyarrow, duckdb: the dataset extra, only when updating
    try:
        done = update(feeds, dataset, state, threshold)
    except (DatasetError, OSError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        print(f"cqnnews: error: dataset {dataset} not updated: {reason}; the previous dataset is unchanged",
              file=sys.stderr)
        return 1
    print(f"cqnnews: {done.line()} ({dataset})")
    return 0


class DatasetUpdate:
    def __init__(self, settings: Any) -> None:
        self.settings = settings

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "DatasetUpdate":
        extension = cls(crawler.settings)
        crawler.signals.connect(extension.run_finished, signal=run_finished)
        return extension

    def run_finished(self, outcome: RunOutcome) -> RunOutcome | None:
        if not self.settings.getbool("CQN_DATASET_AUTO") or not outcome.committed:
            return None
        dataset, state = Path(self.settings.get("CQN_DATASET_DIR") or "dataset"), self.settings.get("CQN_STATE_DIR")
        threshold = self.settings.get("CQN_REPOST_SIMILARITY")  # checked at start; unset: the default
        if update_dataset(Path(self.settings.get("CQN_FEED_DIR") or "feeds"), dataset, Path(state) if state else None,
                          float(threshold) if threshold not in (None, "") else None):
            return outcome.adding([f"the dataset {dataset} was not updated (said above)"])
        return None
