"""Spider arguments (``-a NAME=VALUE``), checked before the run starts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from cqnnews.sections import BadArgument, Section

ACCEPTED = "-a sub=NAME[,NAME...], -a since=YYYY-MM-DD, -a full=true|false, -a recheck_days=N"
# Each argument as `scrapy crawl -h` explains it
HELP = {
    "sub=NAME[,NAME...]": "only these listings of the spider (names as the site's breadcrumb has them, e.g. 要闻一)",
    "since=YYYY-MM-DD": "do not export articles published before this day (Beijing time)",
    "full=true|false": "walk every listing page, not only down to the articles earlier runs exported",
    "recheck_days=N": "fetch again the articles published in the last N days; changed ones get a new revision",
}
# What Scrapy's tools and scrapyd add to every run: accepted and ignored.
TOOL_ARGUMENTS = frozenset({"_job", "_version", "setting"})
MAX_RECHECK_DAYS = 36500  # a century: the site is younger
_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}


@dataclass(frozen=True)
class RunArguments:
    chosen: frozenset[str] = frozenset()  # listing names from -a sub (empty: all)
    since: date | None = None  # do not export articles published before this day
    full: bool = False  # walk every listing page, not only up to the known ones
    recheck_days: int = 0  # fetch again articles published in the last N days, emit changed ones


def parse_arguments(section: Section, spargs: dict[str, str]) -> RunArguments:
    """The run's arguments; BadArgument naming the value and what is accepted."""
    unknown = sorted(set(spargs) - {"sub", "since", "full", "recheck_days"} - TOOL_ARGUMENTS)
    if unknown:
        raise BadArgument(f"unknown argument {', '.join(unknown)} for spider {section.spider}; accepted: {ACCEPTED}")
    since = None
    if "since" in spargs:
        try:
            since = date.fromisoformat(spargs["since"].strip())
        except ValueError:
            raise BadArgument(f"since must be a day as YYYY-MM-DD (e.g. 2026-11-24), got {spargs['since']!r}") from None
    full = False
    if "full" in spargs:
        value = spargs["full"].strip().lower()
        if value not in _TRUE | _FALSE:
            raise BadArgument(f"full must be true or false, got {spargs['full']!r}")
        full = value in _TRUE
    recheck = 0
    if "recheck_days" in spargs:
        try:
            recheck = int(spargs["recheck_days"])
        except ValueError:
            recheck = -1
        if not 0 <= recheck <= MAX_RECHECK_DAYS:
            raise BadArgument(f"recheck_days must be a whole number of days, 0 or more, got {spargs['recheck_days']!r}"
                              f" (at most {MAX_RECHECK_DAYS})")
    return RunArguments(section.choose(spargs.get("sub")), since, full, recheck)
