"""The monitors after a run: its profile against the history in the crawl state, then the run kept in it.

The spidermon suite (:mod:`cqnnews.outputs.monitors`, the monitor extra) compares what the run read (the outcome's
``profile``: a shared crawl's whole profile, for its last worker only) with the last ``CQN_MONITOR_RUNS``
runs; each failed monitor is a problem of the run.  The run is recorded in the history after, healthy or
not by the problems so far.  Nothing without a profile (``CQN_MONITORS`` off, no feed, the feed not stored).
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy.crawler import Crawler

from cqnnews.signals import RunOutcome, run_finished, thawed
from cqnnews.state import CrawlState
from cqnnews.state.history import RunProfile

logger = logging.getLogger(__name__)


class HealthMonitors:
    def __init__(self, settings: Any) -> None:
        self.settings = settings

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "HealthMonitors":
        extension = cls(crawler.settings)
        crawler.signals.connect(extension.run_finished, signal=run_finished)
        return extension

    def run_finished(self, outcome: RunOutcome, state: CrawlState) -> RunOutcome | None:
        if outcome.profile is None:
            return None
        from cqnnews.outputs import monitors  # spidermon: the monitor extra, imported only when the monitors run

        limits = monitors.Limits.from_settings(self.settings)
        history: list[dict[str, Any]] = []
        try:
            history = state.runs(limits.runs)
            found = monitors.check(RunProfile.of(thawed(outcome.profile)), [RunProfile.of(r) for r in history], limits)
        except Exception as exc:  # a monitor that breaks must not hide the run's outcome
            logger.error("the monitors could not run (%s: %s)", type(exc).__name__, exc)
            found = [f"the monitors could not run ({type(exc).__name__})"]
        profile = {**thawed(outcome.profile), "healthy": not (outcome.problems or found)}
        try:
            state.record_run(profile)
        except Exception as exc:  # the history only; the run itself is committed
            logger.error("could not record the run in the crawl state's history (%s)", exc)
        return outcome.adding(found, monitor_problems=tuple(found), profile=profile, history=history)
