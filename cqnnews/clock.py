"""The run's clock: ``CQN_NOW`` where set, else the real time, in Asia/Shanghai.

A leaf: the run sets :data:`CLOCK` when it opens, and every date check of the run
(:mod:`cqnnews.reading.dates`) reads it.
"""

from __future__ import annotations

from contextvars import ContextVar
from datetime import datetime, timedelta, timezone
from typing import Any

from cqnnews.errors import BadArgument

SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")

#: the crawl's clock (``CQN_NOW``), set when a run opens; the real time where unset
CLOCK: ContextVar[datetime | None] = ContextVar("cqnnews_clock", default=None)


def parse_now(text: str) -> datetime:
    """``CQN_NOW``: a day (its start), a time without a zone (taken as Asia/Shanghai) or an aware time."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise BadArgument("CQN_NOW must be an ISO 8601 day or time, e.g. 2026-11-24, 2026-11-24T06:30:00 "
                          f"(Asia/Shanghai) or 2026-11-24T06:30:00+08:00, got {text!r}") from None
    return value if value.tzinfo is not None else value.replace(tzinfo=SHANGHAI)


def utc_now() -> str:
    """The real time in UTC, to the second: ``2026-12-03T05:06:46Z`` (when a thing was fetched, a lock taken...)."""
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def now_or_real(settings: Any) -> datetime:
    """The run's clock: ``CQN_NOW`` where set (in Scrapy's ``settings``), else the real time."""
    now = settings.get("CQN_NOW")
    return parse_now(now) if now else datetime.now(SHANGHAI)
