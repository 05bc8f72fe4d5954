"""``<CQN_PROMETHEUS_DIR>/<spider>.prom`` after each run with a feed (:mod:`cqnnews.outputs.prometheus`), from its final
summary; a file that cannot be written is logged, the run's health unchanged."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from scrapy.crawler import Crawler

from cqnnews.outputs import prometheus, summary
from cqnnews.signals import RunOutcome, run_finished

logger = logging.getLogger(__name__)


class PrometheusFile:
    def __init__(self, settings: Any) -> None:
        self.settings = settings

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "PrometheusFile":
        extension = cls(crawler.settings)
        crawler.signals.connect(extension.run_finished, signal=run_finished)
        return extension

    def run_finished(self, outcome: RunOutcome) -> None:
        folder = self.settings.get("CQN_PROMETHEUS_DIR")
        if not folder or outcome.feed is None:
            return
        try:
            prometheus.write(Path(folder), summary.of(outcome))
        except OSError as exc:
            logger.error("could not write the Prometheus textfile in %s (%s)", folder, exc.strerror or exc)
