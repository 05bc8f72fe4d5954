from __future__ import annotations

from datetime import datetime

import pytest

from cqnnews.reading.dates import SHANGHAI, isoformat, parse_datetime

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=SHANGHAI)


@pytest.mark.parametrize(("text", "expected"), [
    ("2018-08-03 17:13:55 中国质量新闻网", "2018-08-03T17:13:55+08:00"),
    ("2018-08-03 17:13:55.0", "2018-08-03T17:13:55+08:00"),
    ("2018-08-03 17:13:55:0", "2018-08-03T17:13:55+08:00"),
    ("发布时间：2018年08月03日 17:13", "2018-08-03T17:13:00+08:00"),
    ("时间: 2018/8/3", "2018-08-03T00:00:00+08:00"),
    ("2018-08-03", "2018-08-03T00:00:00+08:00"),
    ("2018-08-03T17:13:55+08:00", "2018-08-03T17:13:55+08:00"),
    ("2018-08-03T09:13:55Z", "2018-08-03T17:13:55+08:00"),
    ("2018-08-03T17:13:55", "2018-08-03T17:13:55+08:00"),
])
def test_site_formats(text: str, expected: str) -> None:
    value = parse_datetime(text, NOW)
    assert value is not None and isoformat(value) == expected


def test_long_tail_goes_to_dateparser() -> None:
    value = parse_datetime("3 August 2018 17:13", NOW)
    assert value is not None and isoformat(value) == "2018-08-03T17:13:00+08:00"


@pytest.mark.parametrize("text", ["1990-01-01 10:00:00", "2026-11-28 10:00:00", "2018-02-30 10:00:00", "no date here"])
def test_implausible_or_missing_dates_are_none(text: str) -> None:
    assert parse_datetime(text, NOW) is None


def test_plausibility_follows_the_crawls_clock_not_the_real_one() -> None:
    from datetime import datetime

    from cqnnews.reading.dates import CLOCK, SHANGHAI, parse_datetime

    token = CLOCK.set(datetime(2100, 1, 1, tzinfo=SHANGHAI))
    try:
        assert parse_datetime("2099-06-01 10:00:00") is not None  # the future of the real clock, the past of this one
    finally:
        CLOCK.reset(token)
    token = CLOCK.set(datetime(2005, 1, 1, tzinfo=SHANGHAI))
    try:
        assert parse_datetime("2018-08-03 17:13:55") is None  # after the crawl's "now": not a publication date
    finally:
        CLOCK.reset(token)
