"""The run's ledger: the crawl state is updated only once the feed is stored, then the summary.

An article counts as exported only when the feed file that holds it has been closed and
stored successfully; if the run dies first, the state still lists it as pending and the
next run exports it.  At the end, ``<feed stem>.summary.json`` is written beside the feed
and the run's health decides ``scrapy crawl``'s exit status (stat ``cqnnews/exit_status``).
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, is_dataclass
from pathlib import Path
from typing import Any

from itemadapter import ItemAdapter
from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings

from cqnnews import __version__, alerts, failpoints, prometheus, summary
from cqnnews.alerts import Alert, webhook_host
from cqnnews.extras import installed, monitors_on
from cqnnews.feeds import FAILED_STAT, feed_failed, local_feed_problem, tidy_feed_dir
from cqnnews.history import RunProfile, generic_listing_share
from cqnnews.items import item_record
from cqnnews.outputs import is_own_feed_folder, written_by_cqnnews
from cqnnews.pipelines.dedupe import NotChecked, Repeated, Unchanged
from cqnnews.report import write_run_report
from cqnnews.run import Run
from cqnnews.spotcheck_feed import RECALLS, SPOTCHECKS, Sidecar, SidecarFeed, SpotCheckFeed
from cqnnews.state import lock
from cqnnews.state.store import CONTENT_FIELDS, Exported, StateError, content_hash
from cqnnews.urls import redact

logger = logging.getLogger(__name__)


class RunLedger:
    """Owns the run (:class:`~cqnnews.run.Run`): opens it, stages what is exported, commits it once the
    feed is stored, and writes the summary."""

    def __init__(self, crawler: Crawler, run: Run) -> None:
        self.crawler = crawler
        self.run = run
        self.reason: str | None = None
        self.feed_closed = False
        self.done = False
        self.written: int | None = None  # items the feed exporter wrote, once its slot closed
        self.feed_lock: lock.RunLock | None = None
        self.stored_uri: str | None = None
        self.limits = summary.Limits(crawler.settings.getint("CQN_MAX_ERRORS"),
                                     crawler.settings.getint("CQN_MAX_FAILED_ARTICLES"))
        feeds = crawler.settings.getdict("FEEDS")
        self.feed = next(iter(feeds), None)
        self.feed_format: str | None = (feeds[self.feed] or {}).get("format") if self.feed else None
        self.spotchecks = self._spotcheck_feed()
        self.spotchecks_path: Path | None = None  # where they were stored
        self.recalls = self._spotcheck_feed(RECALLS)  # the recall records: stored and recovered alike
        self.recalls_path: Path | None = None
        self.profile: RunProfile | None = None  # this run, for the history the monitors read
        self.history: list[dict[str, Any]] = []  # the earlier runs' profiles, oldest first

    def _spotcheck_feed(self, sidecar: Sidecar = SPOTCHECKS) -> SpotCheckFeed | None:
        """The run's spot-check (or other ``sidecar``) records: beside a local feed, else in
        ``CQN_FEED_DIR/<spider>/``; none without a feed (scrapy parse, smoke)."""
        if not self.feed:
            return None
        path = local_feed_path(self.feed)
        if path is not None and "%(" not in str(path.parent):
            return SidecarFeed(path.parent, self.crawler.spidercls.name, sidecar)
        feed_dir = self.crawler.settings.get("CQN_FEED_DIR")
        return SidecarFeed(Path(feed_dir) / self.crawler.spidercls.name, self.crawler.spidercls.name, sidecar) \
            if feed_dir else None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "RunLedger":
        if getattr(crawler.spidercls, "section", None) is None:
            raise NotConfigured("not a cqnnews section spider")
        ledger = cls(crawler, Run.open(crawler))
        crawler.signals.connect(ledger.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(ledger.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(ledger.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ledger.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(ledger.feed_exporter_closed, signal=signals.feed_exporter_closed)
        crawler.signals.connect(ledger.feed_slot_closed, signal=signals.feed_slot_closed)
        return ledger

    def feed_slot_closed(self, slot: Any) -> None:
        """How many items the feed exporter wrote into the feed: checked against those staged."""
        if slot.uri_template == self.feed:
            self.written = (self.written or 0) + slot.itemcount
            self.stored_uri = slot.uri  # the template (%(time)s...) rendered: where it really went

    def _store_spotchecks(self) -> bool:
        """The recall records, then the spot-check records, beside the stored feed (else in the feed directory),
        on disk; False if not."""
        assert self.spotchecks is not None
        if self.recalls is not None:
            self.recalls_path = self._store(self.recalls)
            if self.recalls_path is None:
                self.spotchecks.discard()
                return False
        self.spotchecks_path = self._store(self.spotchecks)
        if self.spotchecks_path is None:
            return False
        failpoints.reached("spotchecks_stored")
        return True

    def _store(self, records: SidecarFeed) -> Path | None:
        """One kind of records beside the stored feed (else in the feed directory), on disk: where; None if not."""
        stats = self.crawler.stats
        assert stats is not None
        local = local_feed_path(self.stored_uri or self.feed or "")
        beside_feed = str(local) if local is not None and "%(" not in str(local) else None
        final = summary.run_file_location(beside_feed, str(records.part.parent.parent), self.run.spider,
                                          stats.get_value("start_time"), records.sidecar.suffix)
        assert final is not None  # a feed beside, or the folder of the .part
        try:
            if not written_by_cqnnews(final):  # refused at start; appeared since
                raise OSError(f"{final.name} is there and was not written by cqnnews: left as it is")
            records.store(final)
        except OSError as exc:
            logger.error("could not store the %ss %s (%s)", records.sidecar.what, final, exc.strerror or exc)
            records.discard()
            stats.set_value(FAILED_STAT, 1)
            return None
        return final

    def _write_summary(self, path: Path | None, report: dict[str, Any]) -> None:
        if path is None:
            return
        try:
            if not written_by_cqnnews(path):  # refused at start; appeared since
                raise OSError(f"{path.name} is there and was not written by cqnnews: left as it is")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        except OSError as exc:
            logger.error("could not write the run summary %s (%s)", path, exc.strerror or exc)
            assert self.crawler.stats is not None
            self.crawler.stats.set_value("cqnnews/exit_status", summary.UNHEALTHY)

    def _write_report(self, path: Path | None, report: dict[str, Any]) -> Path | None:
        """``<stamp>.report.html`` beside the summary and, in the project's own feed folder only, its ``index.html``;
        a report that cannot be written makes the run unhealthy (said in the summary, written again)."""
        if path is None or not self.feed:
            return None
        local = local_feed_path(self.stored_uri or self.feed)
        profiles = [*self.history, self.profile.record()] if self.profile is not None else []
        local = local if local and "%(" not in str(local) else None
        own = is_own_feed_folder(path.parent, self.crawler.settings.get("CQN_FEED_DIR"), self.run.spider)
        try:
            revised = None
            dataset = self.crawler.settings.get("CQN_DATASET_DIR")
            if local is not None and dataset and local.is_file() and self.feed_format in (None, "jsonlines") \
                    and (Path(dataset) / "current").exists() and installed("dataset"):  # against the dataset
                from cqnnews.dataset.revisions import revised_in

                try:
                    revised = revised_in(local, Path(dataset))
                except Exception as exc:  # the dataset is the analysts': the report goes without its section
                    logger.warning("the report leaves out the revised articles: dataset %s not read (%s: %s)",
                                   dataset, type(exc).__name__, exc)
            return write_run_report(path, report, profiles, local, self.feed_format, index=own, revised=revised)
        except Exception as exc:  # the run's data and summary are stored; its health says the report is not
            problem = f"the run report beside {path} could not be written ({type(exc).__name__}: {exc})"
            logger.error("%s", problem)
            report["problems"] = [*report["problems"], problem]
            report.update(healthy=False, exit_status=summary.UNHEALTHY)
            assert self.crawler.stats is not None
            self.crawler.stats.set_value("cqnnews/exit_status", summary.UNHEALTHY)
            self._write_summary(path, report)
            return None

    def _monitors(self, stored: bool) -> list[str]:
        """This run's profile (kept for the next runs) and the problems the monitors found against the history;
        none with CQN_MONITORS off or without a feed.  In a shared crawl each worker reads a share: the last one to
        add its share to the crawl's profile (merged in Redis) checks the whole crawl, once."""
        settings = self.crawler.settings
        if not monitors_on(settings) or not self.feed:
            return []
        run = self.run
        walked = set(run.routes) | set(run.tally)
        reading, routes = run.reading, dict(sorted(run.routes.items()))
        new_by_section = {name: run.tally.get(name, {}).get("new", 0) for name in sorted(walked)}
        if run.coordination.shared:
            try:
                merged = run.coordination.merged_profile(reading, new_by_section, routes)  # type: ignore[attr-defined]
            except StateError as exc:  # Redis away for good: the crawl is checked by no one this time
                logger.error("%s", exc)
                merged = None
            if merged is None:
                return []
            reading, new_by_section, routes = merged
        self.profile = RunProfile(day=run.now.date().isoformat(), started_at=summary.iso(
            self.crawler.stats.get_value("start_time") if self.crawler.stats else None),
            articles_read=reading.articles,
            shares={**reading.shares(), "listings_generic": generic_listing_share(run.listings.values())},
            new_by_section=new_by_section, routes=routes)
        from cqnnews import monitors  # spidermon: the monitor extra, imported only when the monitors run

        limits = monitors.Limits.from_settings(settings)
        try:
            self.history = run.store.runs(limits.runs)
            return monitors.check(self.profile, [RunProfile.of(r) for r in self.history], limits)
        except Exception as exc:  # a monitor that breaks must not hide the run's outcome
            logger.error("the monitors could not run (%s: %s)", type(exc).__name__, exc)
            return [f"the monitors could not run ({type(exc).__name__})"]

    def _lost(self) -> int:
        """Articles the crawl left pending that no failure explains (the last worker out of a shared crawl checks)."""
        unexplained = getattr(self.run.coordination, "unexplained", None)
        try:
            return int(unexplained(self.run)) if unexplained is not None else 0
        except StateError as exc:
            logger.error("%s", exc)
            return 0

    def _tidy(self, spider: str) -> None:
        """The default feed directory: dead runs' .part files, and feeds past CQN_KEEP_FEEDS_DAYS."""
        feed_dir = self.crawler.settings.get("CQN_FEED_DIR")
        if feed_dir:
            removed = tidy_feed_dir(Path(feed_dir) / spider, self.crawler.settings.getfloat("CQN_KEEP_FEEDS_DAYS"))
            if removed:
                logger.info("removed %d files from %s: dead runs' .part files, feeds older than CQN_KEEP_FEEDS_DAYS",
                            len(removed), Path(feed_dir) / spider)

    def _what_ran(self, earliest: str | None, latest: str | None) -> dict[str, Any]:
        spider = self.crawler.spider
        arguments = getattr(spider, "args", None)
        return {
            "origin": redact(self.crawler.settings.get("CQN_BASE_URL")),
            "cqnnews_version": __version__,
            "arguments": {k: (sorted(v) if isinstance(v, frozenset) else str(v) if hasattr(v, "isoformat") else v)
                          for k, v in asdict(arguments).items()} if is_dataclass(arguments) else {},
            "settings": given_settings(self.crawler.settings),
            "published_at": {"earliest": earliest, "latest": latest},
        }

    def spider_opened(self, spider: Spider) -> None:
        """A local feed whose directory cannot be written stops the run before any request."""
        path = local_feed_path(self.feed) if self.feed else None
        if path is None or "%(" in str(path):  # elsewhere, or a template: its storage reports a failed write
            return
        problem = local_feed_problem(path)
        if problem is None:
            try:  # two runs writing one feed: the last rename would win and the other's articles be lost
                self.feed_lock = lock.acquire_file(path.with_name(path.name + ".lock"), "another run writes the feed:")
            except lock.LockHeld as exc:
                problem = str(exc)
        if problem is not None:
            feed_failed(self.crawler, path, problem)

    def item_scraped(self, item: Any) -> None:
        a = item_record(item)
        self.run.coordination.exported(a["article_id"])
        record = {k: a[k] for k in CONTENT_FIELDS}
        self.run.scratch.stage(Exported(a["article_id"], a["url"], content_hash(record), a["published_at"],
                                        list(a["sections"]), a["revision"]))
        if self.spotchecks is not None and (a.get("tables") or any(f.get("tables") for f in a["attachments"])):
            try:
                self.run.count("spotcheck/records", self.spotchecks.add(a))
            except OSError as exc:
                feed_failed(self.crawler, self.spotchecks.part, exc.strerror or str(exc))
        if self.recalls is not None and self.recalls.sidecar.worth_reading(a):
            try:
                self.run.count("recall/records", self.recalls.add(a))
            except OSError as exc:
                feed_failed(self.crawler, self.recalls.part, exc.strerror or str(exc))

    def item_dropped(self, item: Any, exception: BaseException | None = None) -> None:
        if isinstance(exception, (Unchanged, Repeated, NotChecked)):  # counted by the deduplication pipeline
            return
        adapter = ItemAdapter(item)
        self.run.dropped.add(adapter.get("article_id"))
        self.run.add(list(adapter.get("sections") or []), "dropped")

    def spider_closed(self, spider: Spider, reason: str) -> None:
        self.reason = reason
        if not self.feed:  # no feed to wait for
            self.feed_closed = True
        self._finish()

    def feed_exporter_closed(self) -> None:
        self.feed_closed = True
        self._finish()

    def _finish(self) -> None:
        if self.done or self.reason is None or not self.feed_closed:
            return
        self.done = True
        stats = self.crawler.stats
        assert stats is not None
        run = self.run
        run.closing()  # a shared crawl state: each call below waits out an outage (CQN_REDIS_OUTAGE_MAX)
        # no feed (scrapy parse): nothing was exported anywhere, so nothing is marked exported
        stored = bool(self.feed) and not any(k.startswith("feedexport/failed_count/") for k in stats.get_stats()) \
            and not stats.get_value(FAILED_STAT)
        committed = 0
        for aid in sorted(run.coordination.unaccounted(run)):
            url, sections = run.scratch.get(aid) or (str(aid), [])
            if self.reason == "finished":  # e.g. a redirect loop the duplicate filter swallowed
                run.fail(aid, url, sections, "no response (redirected in a loop or filtered)")
            else:  # stopping is not failing: still pending, fetched by the next run
                run.count("article/not_fetched")
                run.add(sections, "not_fetched")
        staged = run.scratch.exported_count()
        earliest, latest = run.scratch.published_range()
        if stored and self.feed and self.written is not None and self.written != staged:
            logger.error("the feed %s holds %d articles but %d were exported into it: none is marked exported",
                         self.feed, self.written, staged)
            stats.inc_value("cqnnews/feed/incomplete")
            stored = False
        spotchecks_failed = False
        if stored and self.spotchecks is not None:
            stored = not (spotchecks_failed := not self._store_spotchecks())
        elif self.spotchecks is not None:
            self.spotchecks.discard()
        if self.recalls is not None and self.recalls_path is None:
            self.recalls.discard()
        if stored:
            try:
                run.store.update_listings(run.incomplete, run.complete - run.incomplete)
                run.store.update_walks(run.walks_unfinished, run.walks_finished - set(run.walks_unfinished))
                run.store.record_failures((f.article_id, f.url, f.sections, f.reason) for f in run.failed)
                retry = [r for aid, r in sorted(run.attachment_retries.items())
                         if aid in run.unchanged or run.scratch.was_exported(aid)]
                if run.prepared_feed is not None:  # stored by AtomicFileFeedStorage: prepared before the rename
                    committed = run.store.commit_prepared(run.prepared_feed, run.unchanged, retry)
                else:  # another storage (stdout:, s3://...): accepted by it
                    where = redact(self.stored_uri or self.feed or "")
                    committed = run.store.commit_exported(run.scratch.exported(), where, run.unchanged, retry)
                stats.set_value("cqnnews/committed", committed)
                failpoints.reached("state_committed")
            except Exception as exc:
                logger.error("could not update the crawl state %s (%s); articles of this run stay pending",
                             run.store.path, exc)
                stored = False
        elif run.prepared_feed is not None and spotchecks_failed:
            # the feed is stored: left prepared, as after a kill at this point, for state.recover to finish
            logger.error("the next run writes the spot-check records from %s and completes its commit",
                         run.prepared_feed)
        elif run.prepared_feed is not None:
            try:
                run.store.discard_prepared(run.prepared_feed)
            except StateError as exc:  # Redis away for good: the next worker's recovery undoes it
                logger.error("%s", exc)
        try:
            pending = run.store.pending_count() if stored else -1
        except StateError as exc:  # Redis away for good
            logger.error("%s", exc)
            pending = -1
        monitored = self._monitors(stored) if stored else []
        issues = summary.problems(stats.get_stats(), self.reason, self.limits, committed=stored, missing=run.missing)
        issues += monitored
        if self.profile is not None:
            self.profile.healthy = not issues
            try:
                run.store.record_run(self.profile.record())
            except Exception as exc:  # the history only; the run itself is committed
                logger.error("could not record the run in the crawl state's history (%s)", exc)
        run.coordination.close()
        if stored and (lost := self._lost()):
            issues.append(f"{lost} articles left pending that no failure explains: not in any feed of this crawl")
        if self.feed_lock is not None:
            self.feed_lock.path.unlink(missing_ok=True)
            self.feed_lock.release()
        run.store.close()
        run.scratch.close()
        feed = redact(self.stored_uri or self.feed) if self.feed else None
        report = summary.build(run.spider, feed, stats.get_stats(), self.reason, run.tally, run.totals,
                               run.failed, issues, committed, pending, self._what_ran(earliest, latest),
                               routes=run.routes, missing=run.missing)
        report["listings"] = summary.listings(stats.get_stats(), run.listings)
        report["attachments"] = {"stored": stats.get_value("cqnnews/attachment/stored", 0),
                                 "failed": run.attachment_failures}
        report["spotchecks"] = {"feed": str(self.spotchecks_path) if self.spotchecks_path else None,
                                "records": self.spotchecks.count if self.spotchecks else 0,
                                "invalid": self.spotchecks.invalid if self.spotchecks else 0}
        report["recalls"] = {"feed": str(self.recalls_path) if self.recalls_path else None,
                             "records": self.recalls.count if self.recalls else 0,
                             "invalid": self.recalls.invalid if self.recalls else 0}
        report["monitors"] = {"profile": self.profile.record() if self.profile else None, "problems": monitored}
        stats.set_value("cqnnews/exit_status", report["exit_status"])
        path = summary.summary_location(feed, self.crawler.settings.get("CQN_FEED_DIR"), run.spider,
                                        stats.get_value("start_time"))
        self._write_summary(path, report)
        if path is not None:
            failpoints.reached("summary_written")
        page = self._write_report(path, report)
        issues = report["problems"]
        failures = alerts.send(self.crawler.settings, Alert(run.spider, report["healthy"], report["problems"],
                                                            str(path) if path else None,
                                                            str(page) if page else None, feed)) \
            if self.feed else []  # scrapy parse, smoke: no crawl to alert about
        if failures:  # said in the summary too: a run whose alert was lost is not healthy
            report["problems"] += failures
            report.update(healthy=False, exit_status=summary.UNHEALTHY)
            stats.set_value("cqnnews/exit_status", summary.UNHEALTHY)
            self._write_summary(path, report)
            issues = report["problems"]
        if (folder := self.crawler.settings.get("CQN_PROMETHEUS_DIR")) and self.feed:
            try:
                prometheus.write(Path(folder), report)
            except OSError as exc:
                logger.error("could not write the Prometheus textfile in %s (%s)", folder, exc.strerror or exc)
        self._tidy(run.spider)
        t = report["totals"]
        logger.info("run summary: %s; %d new, %d revised, %d duplicate, %d failed, %d dropped, %d not fetched; %s; "
                    "summary %s", "healthy" if report["healthy"] else "UNHEALTHY: " + "; ".join(issues), t["new"],
                    t["revised"], t["duplicate"], t["failed"], t["dropped"], t["not_fetched"], f"feed {feed}",
                    path if path is not None else "not written")


SECRET_SETTINGS = ("PASSWORD", "SECRET", "TOKEN", "AWS_ACCESS_KEY_ID", "_URL")  # URLs may carry a password


def given_settings(settings: Any) -> dict[str, Any]:
    """The settings given on the command line (-s, -o) and every cqnnews setting, secrets redacted."""
    given = {}
    for name in sorted(settings.attributes):
        if name.startswith("CQN_") or settings.getpriority(name) >= SETTINGS_PRIORITIES["cmdline"]:
            value = settings.get(name)
            if isinstance(value, BaseSettings):  # FEEDS: its URIs may carry credentials
                value = {redact(str(key)): str(options) for key, options in value.copy_to_dict().items()}
            elif isinstance(value, str) and "WEBHOOK" in name and value:
                value = webhook_host(value)  # a Slack webhook's path is its secret
            elif isinstance(value, str) and any(mark in name for mark in SECRET_SETTINGS):
                value = redact(value) if "://" in value else ("***" if value and "_URL" not in name else value)
            given[name] = value if isinstance(value, (str, int, float, bool, type(None), dict)) else str(value)
    return given


def local_feed_path(feed: str) -> Path | None:
    """The path of a feed on local disk; None for other storages."""
    if "://" in feed and not feed.startswith("file://") or feed.startswith("stdout:") or feed == "-":
        return None
    return Path(feed.removeprefix("file://"))
