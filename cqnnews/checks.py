"""Every cqnnews setting checked before a run starts: a bad value is one line saying what is accepted.

``scrapy crawl`` calls :func:`check_settings` first and exits 2 on :class:`BadArgument`;
the run itself then reads the settings without checking them again.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from scrapy.settings import BaseSettings

from cqnnews.dates import parse_now
from cqnnews.sections import BadArgument
from cqnnews.urls import SiteUrls

# setting: (smallest value, what it is)
WHOLE_NUMBERS = {
    "CQN_MAX_ERRORS": (0, "errors logged before a run is unhealthy"),
    "CQN_MAX_FAILED_ARTICLES": (0, "failed articles before a run is unhealthy"),
    "CQN_STOP_AFTER_KNOWN_PAGES": (1, "listing pages of known articles before a walk stops"),
    "CQN_LISTING_WINDOW": (1, "listing pages asked for ahead"),
    "CQN_ARTICLE_BATCH": (1, "article requests handed to the scheduler at a time"),
    "CQN_MAX_LISTING_PAGES": (1, "listing pages one run walks in one listing"),
    "CQN_MAX_ARTICLE_PAGES": (1, "pages read of one article"),
    "CQN_SMOKE_ARTICLES": (0, "articles read per listing by scrapy smoke (0: a crawl)"),
    "CQN_ATTACHMENT_ATTEMPTS": (1, "runs that try to download an attachment before it is given up"),
    "CQN_MONITOR_RUNS": (1, "earlier runs the monitors compare a run with"),
    "CQN_MONITOR_MIN_RUNS": (1, "earlier runs needed before a monitor compares"),
    "CQN_MONITOR_MIN_ARTICLES": (1, "articles a run must read for its field shares to count"),
    "CQN_MONITOR_SILENT_DAYS": (1, "days without new articles before a section is called silent"),
}
NUMBERS = {
    "CQN_PROGRESS_SECONDS": (0.0, "seconds between progress lines (0: none)"),
    "CQN_BACKOFF_BASE": (0.0, "seconds of the first retry's wait"),
    "CQN_BACKOFF_MAX": (0.0, "seconds of the longest retry wait"),
    "CQN_REDIS_OUTAGE_MAX": (0.0, "seconds workers wait for Redis before they stop"),
    "CQN_KEEP_FEEDS_DAYS": (0.0, "days feeds are kept in the feed directory (0: for ever)"),
    "CQN_MONITOR_COVERAGE_DROP": (0.0, "fall of a field's share the monitors allow, e.g. 0.2"),
    "CQN_MONITOR_READER_RISE": (0.0, "rise of the generic reader's or fallbacks' share the monitors allow, e.g. 0.2"),
    "CQN_MONITOR_REJECTED_RISE": (0.0, "rise of the share of articles with a refused reading the monitors allow, e.g. 0.1"),
}


def _whole(name: str, value: Any, least: int, what: str) -> None:
    try:
        number = int(str(value).strip())
    except ValueError:
        raise BadArgument(f"{name} must be a whole number ≥ {least} ({what}), got {value!r}") from None
    if number < least:
        raise BadArgument(f"{name} must be a whole number ≥ {least} ({what}), got {value!r}")


def _number(name: str, value: Any, least: float, what: str) -> None:
    try:
        number = float(str(value).strip())
    except ValueError:
        raise BadArgument(f"{name} must be a number ≥ {least:g} ({what}), got {value!r}") from None
    if not number >= least or number == float("inf"):
        raise BadArgument(f"{name} must be a number ≥ {least:g} ({what}), got {value!r}")


BOOLEANS = {"CQN_DATASET_AUTO": "update the dataset after each crawl",
            "CQN_MONITORS": "compare each run with its history",
            "CQN_ALERT_ALWAYS": "alert after every run, not only unhealthy ones"}
_TRUTH = {"true": True, "1": True, "yes": True, "on": True, "false": False, "0": False, "no": False, "off": False,
          "": False}


def _boolean(name: str, value: Any, what: str) -> None:
    if not isinstance(value, bool) and str(value).strip().lower() not in _TRUTH:
        raise BadArgument(f"{name} must be true or false ({what}), got {value!r}")


def _node_ids(value: Any) -> None:
    accepted = 'CQN_NODE_IDS must map listing names to node ids, e.g. {"要闻": 20762} or {"要闻": [20762, 20796]}'
    try:
        ids = BaseSettings({"X": value}).getdict("X")
    except (ValueError, TypeError):
        raise BadArgument(f"{accepted}; got {value!r}") from None
    for name, nodes in ids.items():
        for node in nodes if isinstance(nodes, list) and nodes else [nodes]:
            if not isinstance(name, str) or isinstance(node, bool) or not str(node).strip().isdigit():
                raise BadArgument(f"{accepted}; got {name!r}: {nodes!r}")


def check_settings(settings: BaseSettings) -> None:
    """Raise BadArgument, in one line naming what is accepted, for the first bad cqnnews setting."""
    SiteUrls(settings.get("CQN_BASE_URL"))  # ValueError, in one line, for anything but an http(s) origin
    if now := settings.get("CQN_NOW"):
        parse_now(now)
    _node_ids(settings.get("CQN_NODE_IDS"))
    checks: list[Callable[[], None]] = [
        *(lambda n=name, a=args: _whole(n, settings.get(n), *a) for name, args in WHOLE_NUMBERS.items()),
        *(lambda n=name, a=args: _number(n, settings.get(n), *a) for name, args in NUMBERS.items()),
        *(lambda n=name, w=what: _boolean(n, settings.get(n), w) for name, what in BOOLEANS.items()),
    ]
    for check in checks:
        check()
    from cqnnews.alerts import check_alert_settings

    if (problem := check_alert_settings(settings)) is not None:
        raise BadArgument(problem)


def now_or_real(settings: BaseSettings) -> datetime:
    """The run's clock: ``CQN_NOW`` where set, else the real time."""
    from cqnnews.dates import SHANGHAI

    now = settings.get("CQN_NOW")
    return parse_now(now) if now else datetime.now(SHANGHAI)
