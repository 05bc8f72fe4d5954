"""The run's report, ``<feed stem>.report.html``, and in the project's own feed folder its history page.

Written from the run's summary (:func:`cqnnews.outputs.summary.of`) before the summary file itself, so the
history page shows this run too (:mod:`cqnnews.outputs.report`); with a dataset (``CQN_DATASET_DIR``, the
dataset extra) the report lists the run's revised articles against it.  A report that cannot be
written is a problem of the run.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from scrapy.crawler import Crawler

from cqnnews.extras import installed
from cqnnews.outputs import summary
from cqnnews.outputs.beside import is_own_feed_folder
from cqnnews.outputs.report import write_run_report
from cqnnews.signals import RunOutcome, run_finished, thawed
from cqnnews.urls import SiteUrls

logger = logging.getLogger(__name__)


class RunReport:
    def __init__(self, settings: Any) -> None:
        self.settings = settings

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "RunReport":
        extension = cls(crawler.settings)
        crawler.signals.connect(extension.run_finished, signal=run_finished)
        return extension

    def run_finished(self, outcome: RunOutcome) -> RunOutcome | None:
        path = outcome.summary_path
        if path is None or outcome.feed is None:
            return None
        profiles = [*outcome.history, outcome.profile] if outcome.profile is not None else []
        own = is_own_feed_folder(path.parent, self.settings.get("CQN_FEED_DIR"), outcome.spider)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            page = write_run_report(path, summary.of(outcome), thawed(profiles), outcome.feed_path,
                                    outcome.feed_format, index=own, revised=self.revised(outcome))
        except Exception as exc:  # the run's data is stored; its health says the report is not
            problem = f"the run report beside {path} could not be written ({type(exc).__name__}: {exc})"
            logger.error("%s", problem)
            return outcome.adding([problem])
        return outcome.adding(report_page=page)

    def revised(self, outcome: RunOutcome) -> list[dict[str, Any]] | None:
        """The run's revised articles against the dataset, if there is one; None without."""
        feed, dataset = outcome.feed_path, self.settings.get("CQN_DATASET_DIR")
        if feed is None or not dataset or not feed.is_file() or outcome.feed_format not in (None, "jsonlines") \
                or not (Path(dataset) / "current").exists() or not installed("dataset"):
            return None
        from cqnnews.outputs.dataset.revisions import revised_in  # duckdb: the dataset extra, only with a dataset

        origin = outcome.run.get("origin")  # the run's summary, where the dataset reads it from, is written after
        try:
            return revised_in(feed, Path(dataset), SiteUrls(origin).origin_key if origin else SiteUrls().origin_key)
        except Exception as exc:  # the dataset is the analysts': the report goes without its section
            logger.warning("the report leaves out the revised articles: dataset %s not read (%s: %s)",
                           dataset, type(exc).__name__, exc)
            return None
