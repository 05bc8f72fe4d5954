"""The run summary written beside the feed, and whether the run was healthy."""

from __future__ import annotations

import os
import socket
from collections import Counter
from dataclasses import asdict, dataclass, is_dataclass
from pathlib import Path
from typing import Any

from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings

from cqnnews import __version__
from cqnnews.signals import RunOutcome, thawed
from cqnnews.urls import redact, webhook_host

HEALTHY, UNHEALTHY = 0, 1
UNANSWERED = "cqnnews/origin/unanswered"  # set by the spider when the home page did not answer at all
COUNTS = ("new", "duplicate", "revised", "unchanged", "dropped", "failed", "not_fetched")


from cqnnews.outputs.beside import SUMMARY, beside  # noqa: E402,F401  (where the run's files go: cqnnews.outputs.beside)


def summary_path(feed_path: str) -> Path:
    return beside(feed_path, SUMMARY)


def run_file_location(feed_uri: str | None, feed_dir: str, spider: str, started: Any, suffix: str) -> Path | None:
    """Where a file of the run goes: beside a feed on local disk; for a feed elsewhere (``stdout:``,
    ``s3://``...) in ``<feed dir>/<spider>/<UTC start>-<host>-<pid><suffix>`` (two runs started in the same
    second, say two workers of a shared crawl, never share it); None without either."""
    if feed_uri and ("://" not in feed_uri or feed_uri.startswith("file://")) and not feed_uri.startswith("stdout:"):
        return beside(feed_uri, suffix)
    if not feed_dir:
        return None
    stamp = (started.strftime("%Y%m%dT%H%M%SZ") if started is not None else "run")
    stamp += f"-{socket.gethostname().replace('.', '-')}-{os.getpid()}"
    return Path(feed_dir) / spider / f"{stamp}{suffix}"


def summary_location(feed_uri: str | None, feed_dir: str, spider: str, started: Any) -> Path | None:
    """Where the run's summary goes (:func:`run_file_location`)."""
    return run_file_location(feed_uri, feed_dir, spider, started, SUMMARY)


@dataclass
class Limits:
    max_errors: int
    max_failed: int


def problems(stats: dict[str, Any], reason: str, limits: Limits, committed: bool,
             missing: list[str] | None = None) -> list[str]:
    """Why the run is unhealthy; [] for a healthy run (finding nothing new is healthy)."""
    found = []
    if why := stats.get(UNANSWERED):  # first: nothing else of the run matters
        found.append(f"the home page did not answer: {why}")
    if reason != "finished":
        found.append(f"finish reason {reason!r}, not 'finished'")
    errors = stats.get("log_count/ERROR", 0)
    if errors > limits.max_errors:
        found.append(f"{errors} errors logged (CQN_MAX_ERRORS={limits.max_errors})")
    failed = stats.get("cqnnews/article/failed", 0)
    if failed > limits.max_failed:
        found.append(f"{failed} articles failed (CQN_MAX_FAILED_ARTICLES={limits.max_failed})")
    empty = stats.get("cqnnews/listing/empty_pages", 0)
    if empty:
        found.append(f"{empty} listing pages held no article links: has the layout changed?")
    if stats.get("cqnnews/navigation/missing", 0):
        found.append("listings no route found: " + ("、".join(missing) if missing else "see the log"))
    early = {k.removeprefix("cqnnews/listing/ended_early/"): v for k, v in stats.items()
             if k.startswith("cqnnews/listing/ended_early/") and k != "cqnnews/listing/ended_early/capped"}
    if early:
        found.append("listings ended before their last page (resumed next run): "
                     + ", ".join(f"{n} {why}" for why, n in sorted(early.items())))
    failed_pages = stats.get("cqnnews/listing/failed", 0) + stats.get("cqnnews/navigation/failed", 0)
    if failed_pages:
        found.append(f"{failed_pages} navigation or listing pages failed on every try")
    if any(k.startswith("feedexport/failed_count/") for k in stats):
        found.append("a feed could not be stored")
    if not committed:
        found.append("the crawl state was not updated")
    return found


def build(spider: str, feed: str | None, stats: dict[str, Any], reason: str, tally: dict[str, Counter[str]],
          totals: Counter[str], failed: list[Any], issues: list[str], committed: int, pending: int,
          run: dict[str, Any] | None = None, routes: dict[str, str] | None = None,
          missing: list[str] | None = None) -> dict[str, Any]:
    """The summary; ``tally`` counts per section (an article in two counts in both), ``totals`` once;
    ``run`` what the run was (origin, version, arguments, settings, publication times)."""
    exported = totals["new"] + totals["revised"]
    dated = stats.get("cqnnews/article/parsed", 0) - stats.get("cqnnews/article/flag/no_date", 0)
    parsed = stats.get("cqnnews/article/parsed", 0)
    return {
        "spider": spider,
        "feed": feed,
        "started_at": iso(stats.get("start_time")),
        "finished_at": iso(stats.get("finish_time")),
        "duration_seconds": _seconds(stats.get("start_time"), stats.get("finish_time")),
        "finish_reason": reason,
        "run": run or {},
        "healthy": not issues,
        "exit_status": UNHEALTHY if issues else HEALTHY,
        "problems": issues,
        "exported": exported,
        "sections": {name: {k: counts[k] for k in COUNTS} for name, counts in sorted(tally.items())},
        "totals": {k: totals[k] for k in COUNTS},
        "date_parse_rate": round(dated / parsed, 4) if parsed else None,
        "errors": stats.get("log_count/ERROR", 0),
        "requests": {
            "total": stats.get("downloader/request_count", 0),
            "listing_pages": stats.get("cqnnews/listing/pages", 0),
        },
        "navigation": navigation(stats, routes or {}, missing or []),
        "readings": readings(stats),
        "failed": [asdict(f) if is_dataclass(f) else dict(f) for f in failed],
        "state": {"committed": committed, "pending": pending},
    }


def _counts(stats: dict[str, Any], prefix: str) -> dict[str, int]:
    return {key.removeprefix(prefix): value for key, value in sorted(stats.items()) if key.startswith(prefix)}


def navigation(stats: dict[str, Any], routes: dict[str, str], missing: list[str]) -> dict[str, Any]:
    """How the listings were found: the route of each (menu, more, channel, node_id, rss, below), the routes
    that failed (a channel page that answered 404), and the listings no route found."""
    return {"routes": dict(sorted(routes.items())), "found_by": _counts(stats, "cqnnews/listing/route/"),
            "routes_failed": _counts(stats, "cqnnews/navigation/route_failed/"), "missing": missing}


def readings(stats: dict[str, Any]) -> dict[str, Any]:
    """How the articles were read: by layout, and how many fields by each fallback reading
    (``title/<title>``: the title from the page's ``<title>``, its headline selectors having found nothing)."""
    parsed = stats.get("cqnnews/article/parsed", 0)
    return {"articles": parsed, "generic_reader": stats.get("cqnnews/extract/generic", 0),
            "fallbacks": _counts(stats, "cqnnews/extract/fallback/"),
            "rejected": _counts(stats, "cqnnews/extract/rejected/")}


def listings(stats: dict[str, Any], walked: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The listings walked, by name and node: the route that found each, the reading of its items (the
    selectors on record, or ``generic``), the sign its pagination was read from, and how it ended if early;
    the pages read by each reading and sign; the listings ended early, by reason."""
    return {"walked": sorted(walked.values(), key=lambda e: (e["name"], e["node"])),
            "readings": _counts(stats, "cqnnews/listing/reading/"),
            "pagination": _counts(stats, "cqnnews/listing/pagination/"),
            "ambiguous_pages": stats.get("cqnnews/listing/ambiguous_pages", 0),
            "ended_early": _counts(stats, "cqnnews/listing/ended_early/")}


def _seconds(start: Any, finish: Any) -> float | None:
    return round((finish - start).total_seconds(), 1) if start is not None and finish is not None else None


def iso(value: Any) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def of(outcome: RunOutcome) -> dict[str, Any]:
    """The summary of a run's outcome, as the summary file holds it."""
    stats = thawed(outcome.stats)
    summary = build(outcome.spider, outcome.feed, stats, outcome.reason,
                    {name: Counter(counts) for name, counts in outcome.tally.items()}, Counter(outcome.totals),
                    thawed(outcome.failed), list(outcome.problems), outcome.committed, outcome.pending,
                    thawed(outcome.run), routes=thawed(outcome.routes), missing=list(outcome.missing))
    summary["listings"] = listings(stats, dict(enumerate(thawed(outcome.listings))))
    summary["attachments"] = {"stored": stats.get("cqnnews/attachment/stored", 0),
                              "failed": thawed(outcome.attachment_failures)}
    summary.update(thawed(outcome.records))  # spotchecks, recalls: where, how many, how many left out
    summary["monitors"] = {"profile": thawed(outcome.profile), "problems": list(outcome.monitor_problems)}
    return summary


def what_ran(settings: Any, arguments: Any, earliest: str | None, latest: str | None) -> dict[str, Any]:
    """The summary's ``run``: the origin, the version, the spider's arguments, the settings given, the
    publication times exported."""
    return {
        "origin": redact(settings.get("CQN_BASE_URL")),
        "cqnnews_version": __version__,
        "arguments": {k: (sorted(v) if isinstance(v, frozenset) else str(v) if hasattr(v, "isoformat") else v)
                      for k, v in asdict(arguments).items()} if is_dataclass(arguments) else {},
        "settings": given_settings(settings),
        "published_at": {"earliest": earliest, "latest": latest},
    }


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
