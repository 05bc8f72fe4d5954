"""Publication dates: a fast path for the site's own formats, dateparser for the rest.

Every date is a wall-clock time in Asia/Shanghai.  A date before 1995 or more than a day
in the future is not a publication date: it is returned as None, for the caller to flag.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from cqnnews.clock import CLOCK, SHANGHAI, parse_now  # noqa: F401  (parse_now: re-exported)

EARLIEST = datetime(1995, 1, 1, tzinfo=SHANGHAI)

# 2018-08-03 17:13:55 / 2018-08-03 17:13:55.0 / 2018-08-03 17:13:55:0 / 2018年08月03日 17:13 / 2018/8/3
_SITE_FORMAT = re.compile(
    r"(?P<y>(?:19|20)\d\d)\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"
    r"(?:\s*(?P<H>\d{1,2})\s*[:：时]\s*(?P<M>\d{1,2})(?:\s*[:：分]\s*(?P<S>\d{1,2}))?)?"
)
# a date-time and a day as pages print them in running text
FULL_TIME = re.compile(r"(?:19|20)\d\d\s*([-/.])\s*\d{1,2}\s*\1\s*\d{1,2}\s+\d{1,2}\s*[:：]\s*\d{1,2}(?:\s*[:：]\s*\d{1,2})?"
                       r"|(?:19|20)\d\d\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*\d{1,2}\s*[:：]\s*\d{1,2}(?:\s*[:：]\s*\d{1,2})?")
DAY = re.compile(r"(?:19|20)\d\d\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}")
_ISO = re.compile(r"^\s*\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
_PREFIX = re.compile(r"^\s*(?:发布时间|发布日期|时间|日期)\s*[:：]?\s*")


def plausible(value: datetime, now: datetime | None) -> datetime | None:
    """``value`` if it can be a publication date seen at ``now`` (else the crawl's clock, else the real
    time), else None."""
    now = now or CLOCK.get() or datetime.now(SHANGHAI)
    if value < EARLIEST or value > now + timedelta(days=1):
        return None
    return value


def parse_datetime(text: str, now: datetime | None = None) -> datetime | None:
    """The first date-time in ``text`` as an aware datetime in Asia/Shanghai, or None."""
    text = _PREFIX.sub("", text)
    if _ISO.match(text):  # 2019-05-06T09:30:00+08:00, with its own offset
        try:
            value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
        except ValueError:
            pass
        else:
            value = value.astimezone(SHANGHAI) if value.tzinfo else value.replace(tzinfo=SHANGHAI)
            return plausible(value, now)
    m = _SITE_FORMAT.search(text)
    if m is not None:
        try:
            value = datetime(int(m["y"]), int(m["m"]), int(m["d"]), int(m["H"] or 0), int(m["M"] or 0),
                             int(m["S"] or 0), tzinfo=SHANGHAI)
        except ValueError:
            return None
        return plausible(value, now)
    return _parse_long_tail(text, now)


def _parse_long_tail(text: str, now: datetime | None) -> datetime | None:
    import dateparser  # slow to import; only the long tail needs it

    value = dateparser.parse(
        text.strip(),
        languages=["zh", "en"],
        settings={"TIMEZONE": "Asia/Shanghai", "RETURN_AS_TIMEZONE_AWARE": True,
                  "PREFER_DATES_FROM": "past", "REQUIRE_PARTS": ["day", "month", "year"]},
    )
    if value is None:
        return None
    return plausible(value.astimezone(SHANGHAI), now)


def isoformat(value: datetime) -> str:
    """``2018-08-03T17:13:55+08:00``."""
    return value.astimezone(SHANGHAI).replace(microsecond=0).isoformat()
