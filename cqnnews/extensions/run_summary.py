"""``<feed stem>.summary.json``: the run's summary (:func:`cqnnews.outputs.summary.of`), beside the feed.

Written after the monitors, the report and the alerts, so it holds every problem they found; a
summary that cannot be written (or a file of its name cqnnews did not write) is a problem of the run.
"""

from __future__ import annotations

import json
import logging

from scrapy.crawler import Crawler

from cqnnews import failpoints
from cqnnews.outputs import summary
from cqnnews.outputs.beside import written_by_cqnnews
from cqnnews.signals import RunOutcome, run_finished

logger = logging.getLogger(__name__)


class RunSummary:
    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "RunSummary":
        extension = cls()
        crawler.signals.connect(extension.run_finished, signal=run_finished)
        return extension

    def run_finished(self, outcome: RunOutcome) -> RunOutcome | None:
        path = outcome.summary_path
        if path is None:
            return None
        try:
            if not written_by_cqnnews(path):  # refused at start; appeared since
                raise OSError(f"{path.name} is there and was not written by cqnnews: left as it is")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(summary.of(outcome), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        except OSError as exc:
            logger.error("could not write the run summary %s (%s)", path, exc.strerror or exc)
            return outcome.adding([f"the run summary {path} could not be written ({exc.strerror or exc})"])
        finally:
            failpoints.reached("summary_written")
        return None
