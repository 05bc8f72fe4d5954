"""Monitors that compare a run with its history (spidermon): each failure is a problem of the run (exit 1).

The history is the profile of each earlier run kept in the crawl state (:mod:`cqnnews.state.history`).
A spidermon :class:`~spidermon.core.suites.MonitorSuite` runs five monitors, each a
``unittest`` test case reading ``self.data.profile`` (this run), ``self.data.history`` (the
last ``CQN_MONITOR_RUNS``) and ``self.data.limits``:

- **Sections** (``CQN_MONITOR_SILENT_DAYS``): a section that had new articles on most days of
  its history has had none for that many days.
- **Field coverage** (``CQN_MONITOR_COVERAGE_DROP``): the share of articles read with a time of
  day, with authors, with a source of their own, or the median body length, fell by more than
  the margin (shares: points of share; body length: that fraction of it) below the median of the
  history.
- **Readers** (``CQN_MONITOR_READER_RISE``): the share of articles read by the generic reader, or
  with any fallback reading, or the share of listings whose items the generic listing reading read
  (``listings_generic``), rose by more than the margin above the median.
- **Rejected readings** (``CQN_MONITOR_REJECTED_RISE``): the share of articles with a reading whose value
  its field's check refused (a time where the source was, :mod:`cqnnews.reading.parsers.fields`) rose by more than
  the margin above the median: the site's template changed under a reading.
- **Routes**: a listing found by another route than in the last run that found it (its node id
  instead of its menu link: the site's navigation changed).

A monitor without enough history (fewer than ``CQN_MONITOR_MIN_RUNS`` earlier runs that read at
least ``CQN_MONITOR_MIN_ARTICLES`` articles) is skipped, never failed.  Spidermon runs the suite
and keeps the results; the after-run extension (:mod:`cqnnews.extensions.health_monitors`) turns the
failures into problems of the run, which the summary holds and the alerts (:mod:`cqnnews.outputs.alerts`)
send: spidermon's own actions are not used, as an alert carries every problem of the run, the monitors'
and the others, and the paths of the summary and report written after the suite has run.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from typing import Any

from spidermon import Monitor, MonitorSuite, monitors
from spidermon.runners import MonitorRunner

from cqnnews import settings as defaults
from cqnnews.state.history import RunProfile, median_of

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Limits:
    """The monitors' margins; each default is its ``CQN_MONITOR_*`` setting's, in :mod:`cqnnews.settings`."""

    runs: int = defaults.CQN_MONITOR_RUNS  # history compared with
    min_runs: int = defaults.CQN_MONITOR_MIN_RUNS  # earlier runs needed before a monitor compares
    min_articles: int = defaults.CQN_MONITOR_MIN_ARTICLES  # articles a run must read for its shares to count
    silent_days: int = defaults.CQN_MONITOR_SILENT_DAYS
    coverage_drop: float = defaults.CQN_MONITOR_COVERAGE_DROP
    reader_rise: float = defaults.CQN_MONITOR_READER_RISE
    rejected_rise: float = defaults.CQN_MONITOR_REJECTED_RISE

    @classmethod
    def from_settings(cls, settings: Any) -> "Limits":
        return cls(runs=settings.getint("CQN_MONITOR_RUNS"), min_runs=settings.getint("CQN_MONITOR_MIN_RUNS"),
                   min_articles=settings.getint("CQN_MONITOR_MIN_ARTICLES"),
                   silent_days=settings.getint("CQN_MONITOR_SILENT_DAYS"),
                   coverage_drop=settings.getfloat("CQN_MONITOR_COVERAGE_DROP"),
                   reader_rise=settings.getfloat("CQN_MONITOR_READER_RISE"),
                   rejected_rise=settings.getfloat("CQN_MONITOR_REJECTED_RISE"))


class HistoryMonitor(Monitor):
    @property
    def profile(self) -> RunProfile:
        return self.data.profile

    @property
    def history(self) -> list[RunProfile]:
        return self.data.history

    @property
    def limits(self) -> Limits:
        return self.data.limits

    def usual_and_now(self, runs: list[RunProfile], name: str) -> tuple[float, float] | None:
        """The median of ``name`` over ``runs`` and this run's value; None when either is unknown."""
        usual, now = median_of(runs, name, self.limits.min_articles), self.profile.shares.get(name)
        return None if usual is None or now is None else (usual, now)

    def comparable(self) -> list[RunProfile]:
        """The earlier runs whose shares count; skips the test when there are too few, or this run read too few."""
        runs = [p for p in self.history if p.articles_read >= self.limits.min_articles]
        if len(runs) < self.limits.min_runs:
            self.skipTest(f"{len(runs)} earlier runs read {self.limits.min_articles}+ articles "
                          f"(CQN_MONITOR_MIN_RUNS={self.limits.min_runs})")
        if self.profile.articles_read < self.limits.min_articles:
            self.skipTest(f"this run read {self.profile.articles_read} articles")
        return runs


@monitors.name("Sections")
class SectionsMonitor(HistoryMonitor):
    @monitors.name("Sections that publish daily still publish")
    def test_sections_that_usually_publish_still_do(self) -> None:
        if len(self.history) < self.limits.min_runs:
            self.skipTest("too little history")
        today = date.fromisoformat(self.profile.day)
        runs = [*self.history, self.profile]
        days = sorted({p.day for p in runs})
        silent = []
        for name in sorted({s for p in runs for s in p.new_by_section}):
            walked = [p for p in runs if name in p.new_by_section]
            publishing_days = {p.day for p in walked if p.new_by_section[name] > 0}
            if not publishing_days or len(publishing_days) * 2 < len({p.day for p in walked}):
                continue  # not a section that publishes most days
            quiet = (today - date.fromisoformat(max(publishing_days))).days
            if quiet >= self.limits.silent_days and len(days) > self.limits.silent_days:
                silent.append(f"{name} ({quiet} days)")
        if silent:
            self.fail("sections that publish most days have had no new article for "
                      f"CQN_MONITOR_SILENT_DAYS={self.limits.silent_days}+ days: " + "、".join(silent))


FIELD_NAMES = {"time_of_day": "publication time with its time of day", "authors": "authors",
               "source": "a source of their own", "body_chars": "median body length"}


@monitors.name("Field coverage")
class CoverageMonitor(HistoryMonitor):
    @monitors.name("Field coverage against the median of the last runs")
    def test_field_coverage_holds(self) -> None:
        runs = self.comparable()
        dropped = []
        for name, what in FIELD_NAMES.items():
            if (pair := self.usual_and_now(runs, name)) is None:
                continue
            usual, now = pair
            margin = usual * self.limits.coverage_drop if name == "body_chars" else self.limits.coverage_drop
            if now < usual - margin:
                shown = (f"{now:.0f} characters against {usual:.0f}" if name == "body_chars"
                         else f"{now:.0%} of articles against {usual:.0%}")
                dropped.append(f"{what}: {shown}")
        if dropped:
            self.fail("field coverage fell against the median of the last runs "
                      f"(CQN_MONITOR_COVERAGE_DROP={self.limits.coverage_drop}): " + "; ".join(dropped))


@monitors.name("Readers")
class ReadersMonitor(HistoryMonitor):
    @monitors.name("Generic reader and fallback readings against the median of the last runs")
    def test_readers_hold(self) -> None:
        runs = self.comparable()
        rose = []
        for name, what in (("generic", "read by the generic reader"), ("fallback", "read with a fallback reading"),
                           ("listings_generic", "listings read by the generic listing reading")):
            pair = self.usual_and_now(runs, name)
            if pair is not None and (now := pair[1]) > (usual := pair[0]) + self.limits.reader_rise:
                rose.append(f"{what}: {now:.0%} of {'listings' if name.startswith('listings') else 'articles'} "
                            f"against {usual:.0%}")
        if rose:
            self.fail("more articles read by a fallback against the median of the last runs "
                      f"(CQN_MONITOR_READER_RISE={self.limits.reader_rise}): " + "; ".join(rose))


@monitors.name("Rejected readings")
class RejectionsMonitor(HistoryMonitor):
    @monitors.name("Readings refused by their field's check against the median of the last runs")
    def test_rejections_hold(self) -> None:
        runs = self.comparable()
        pair = self.usual_and_now(runs, "rejected")
        if pair is not None and (now := pair[1]) > (usual := pair[0]) + self.limits.rejected_rise:
            self.fail(f"more articles with a reading refused by its field's check: {now:.0%} of articles against "
                      f"{usual:.0%}, the median of the last runs (CQN_MONITOR_REJECTED_RISE={self.limits.rejected_rise}; "
                      "has the article template changed?)")


@monitors.name("Routes")
class RoutesMonitor(HistoryMonitor):
    @monitors.name("Each listing found by the route that found it last")
    def test_routes_unchanged(self) -> None:
        if not self.history:
            self.skipTest("no earlier run")
        changed = []
        for listing, route in sorted(self.profile.routes.items()):
            before = next((p.routes[listing] for p in reversed(self.history) if listing in p.routes), None)
            if before is not None and before != route:
                changed.append(f"{listing} by {route}, not {before}")
        if changed:
            self.fail("listings found by another route than last time (has the site's navigation changed?): "
                      + "; ".join(changed))


class HistorySuite(MonitorSuite):
    monitors = [SectionsMonitor, CoverageMonitor, ReadersMonitor, RejectionsMonitor, RoutesMonitor]


def check(profile: RunProfile, history: list[RunProfile], limits: Limits) -> list[str]:
    """The problems the monitors found, one line each; [] when every monitor passed or was skipped."""
    runner = MonitorRunner()
    result = runner.run(HistorySuite(), profile=profile, history=history, limits=limits)
    problems = []
    for failed in result.monitors_failed_results:
        reason = failed.reason or (failed.error or "").strip().splitlines()[-1]
        problems.append(f"monitor: {reason}")
    for skipped in result.monitor_results:
        if skipped.reason and skipped not in result.monitors_failed_results:
            logger.debug("monitor %s skipped: %s", skipped.monitor.name, skipped.reason)
    return problems
