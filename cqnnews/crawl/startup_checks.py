"""Every cqnnews setting checked before a run starts: a bad value is one line saying what is accepted.

``scrapy crawl`` calls :func:`check_settings` first and exits 2 on :class:`BadArgument`;
the run itself then reads the settings without checking them again.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from scrapy.settings import BaseSettings

from cqnnews import settings as defaults
from cqnnews.clock import parse_now
from cqnnews.extras import AUTO, missing_extra
from cqnnews.outputs.alerts import check_alert_settings
from cqnnews.outputs.beside import foreign_files, sidecars
from cqnnews.outputs.feeds import local_feed_problem
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


# setting: what it is (a number in (0, 1])
FRACTIONS = {"CQN_REPOST_SIMILARITY": "the similarity of two articles from which one is a repost of the other"}


def fraction(name: str, value: Any, what: str) -> float:
    """The number in (0, 1] ``value`` is, or BadArgument naming ``name``."""
    try:
        number = float(str(value).strip())
    except ValueError:
        raise BadArgument(f"{name} must be a number in (0, 1] ({what}), e.g. 0.6, got {value!r}") from None
    if not 0.0 < number <= 1.0:
        raise BadArgument(f"{name} must be a number in (0, 1] ({what}), e.g. 0.6, got {value!r}")
    return number


BOOLEANS = {"CQN_DATASET_AUTO": "update the dataset after each crawl",
            "CQN_MONITORS": "compare each run with its history",
            "CQN_ALERT_ALWAYS": "alert after every run, not only unhealthy ones"}
_TRUTH = {"true": True, "1": True, "yes": True, "on": True, "false": False, "0": False, "no": False, "off": False,
          "": False}


def _boolean(name: str, value: Any, what: str) -> None:
    if name == "CQN_MONITORS" and str(value).strip().lower() == AUTO:  # on when the monitor extra is installed
        return
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
    check_names(settings)
    SiteUrls(settings.get("CQN_BASE_URL"))  # ValueError, in one line, for anything but an http(s) origin
    if now := settings.get("CQN_NOW"):
        parse_now(now)
    _node_ids(settings.get("CQN_NODE_IDS"))
    checks: list[Callable[[], None]] = [
        *(lambda n=name, a=args: _whole(n, settings.get(n), *a) for name, args in WHOLE_NUMBERS.items()),
        *(lambda n=name, a=args: _number(n, settings.get(n), *a) for name, args in NUMBERS.items()),
        *(lambda n=name, w=what: _boolean(n, settings.get(n), w) for name, what in BOOLEANS.items()),
        *(lambda n=name, w=what: fraction(n, settings.get(n), w) for name, what in FRACTIONS.items()),  # type: ignore[misc]
    ]
    for check in checks:
        check()
    if (problem := check_alert_settings(settings)) is not None:
        raise BadArgument(problem)
    if (problem := missing_extra(settings)) is not None:
        raise BadArgument(problem)


def known_names() -> set[str]:
    """Every cqnnews setting: those with a default in cqnnews/settings.py."""
    return {name for name in vars(defaults) if name.startswith("CQN_")}


def check_names(settings: BaseSettings) -> None:
    """A ``CQN_`` setting cqnnews does not know (a typo, ``CQN_FEEDDIR``) would be silently ignored: refused,
    naming the closest known one."""
    known = known_names()
    for name in sorted(settings.attributes):
        if name.startswith("CQN_") and name not in known:
            closest = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
            hint = f"did you mean {closest[0]}?" if closest else "the settings are listed in cqnnews/settings.py"
            raise BadArgument(f"unknown setting {name}: {hint}")


def _writable(folder: Path, what: str, fix: str) -> None:
    blocking = next((p for p in (folder, *folder.parents) if p.exists() and not p.is_dir()), None)
    if blocking is not None:
        raise BadArgument(f"{what} {folder} cannot be written ({blocking} is a file, not a folder); {fix}")
    if (problem := local_feed_problem(folder / ".probe")) is not None:
        raise BadArgument(f"{what} {folder} cannot be written ({problem}); {fix}")


def local_feeds(settings: BaseSettings) -> list[Path]:
    """The feeds of ``FEEDS`` (-o/-O, -s FEEDS) on local disk; a template's path up to its first ``%(``."""
    found = []
    for uri in settings.getdict("FEEDS"):
        text = str(uri)
        if text.startswith("stdout:") or text == "-" or ("://" in text and not text.startswith("file://")):
            continue
        found.append(Path(text.removeprefix("file://")))
    return found


def check_outputs(settings: BaseSettings, spider: str) -> None:
    """Every folder the run will write, written to once before the first request (made if missing): the feed's,
    the files store, the dataset (with ``CQN_DATASET_AUTO``) and the Prometheus textfile folder; and no file
    beside a named feed that cqnnews did not write (it would be replaced).  The state folder is checked by
    ``scrapy crawl`` as it opens the crawl state."""
    feeds = local_feeds(settings)
    for feed in feeds:
        if "%(" in str(feed):
            folder = Path(str(feed).split("%(", 1)[0])
            folder = folder if str(feed).split("%(", 1)[0].endswith(("/", "\\")) else folder.parent
            _writable(folder, "the feed folder", "name a feed (-O) in a folder cqnnews can write")
            continue
        _writable(feed.parent, "the feed folder", "name a feed (-O) in a folder cqnnews can write")
        if foreign := foreign_files(sidecars(feed)):
            raise BadArgument(f"{foreign[0]} is there and was not written by cqnnews: the run would replace it; "
                              "name the feed otherwise (-O) or move that file")
    elsewhere = len(feeds) < len(settings.getdict("FEEDS"))  # stdout:, s3://: the summary goes to the feed dir
    if (elsewhere or not feeds) and (feed_dir := settings.get("CQN_FEED_DIR")):
        _writable(Path(feed_dir) / spider, "the feed folder", "set CQN_FEED_DIR to a folder cqnnews can write")
    if (store := settings.get("CQN_FILES_STORE")) and "://" not in store:
        _writable(Path(store), "the files store", "set CQN_FILES_STORE to a folder cqnnews can write "
                                                  "(empty: attachments not downloaded)")
    if (dataset := settings.get("CQN_DATASET_DIR")) and str(settings.get("CQN_DATASET_AUTO")).strip().lower() \
            in ("true", "1", "yes", "on"):
        _writable(Path(dataset), "the dataset folder", "set CQN_DATASET_DIR to a folder cqnnews can write")
    if folder := settings.get("CQN_PROMETHEUS_DIR"):
        _writable(Path(folder), "the Prometheus textfile folder",
                  "set CQN_PROMETHEUS_DIR to a folder cqnnews can write (empty: none written)")
