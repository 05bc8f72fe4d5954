"""Alerts after a run (:mod:`cqnnews.outputs.alerts`): a webhook and an e-mail after an unhealthy run, or after every run
with ``CQN_ALERT_ALWAYS``; they see the run's health with the monitors' and the report's problems.  An alert
that could not be sent is a problem of the run."""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler

from cqnnews.outputs import alerts
from cqnnews.outputs.alerts import Alert
from cqnnews.signals import RunOutcome, run_finished


class Alerting:
    def __init__(self, settings: Any) -> None:
        self.settings = settings

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "Alerting":
        extension = cls(crawler.settings)
        crawler.signals.connect(extension.run_finished, signal=run_finished)
        return extension

    def run_finished(self, outcome: RunOutcome) -> RunOutcome | None:
        if outcome.feed is None:  # scrapy parse, smoke: no crawl to alert about
            return None
        where, page = outcome.summary_path, outcome.report_page
        return outcome.adding(alerts.send(self.settings, Alert(
            outcome.spider, outcome.healthy, list(outcome.problems), str(where) if where else None,
            str(page) if page else None, outcome.feed)))
