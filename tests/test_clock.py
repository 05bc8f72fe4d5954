"""cqnnews/clock.py: the run's clock is CQN_NOW where set, else the real time."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest
from scrapy.settings import Settings

from cqnnews.clock import SHANGHAI, now_or_real, parse_now, utc_now
from cqnnews.errors import BadArgument


def test_cqn_now_sets_the_runs_clock_else_it_is_the_real_time_in_shanghai() -> None:
    assert now_or_real(Settings({"CQN_NOW": "2026-11-24T06:30:00"})) == datetime(2026, 11, 24, 6, 30, tzinfo=SHANGHAI)
    real = now_or_real(Settings())
    assert real.utcoffset() == timedelta(hours=8)
    assert abs(real - datetime.now(timezone.utc)) < timedelta(minutes=1)


def test_a_bad_cqn_now_is_a_bad_argument_saying_what_is_accepted() -> None:
    with pytest.raises(BadArgument, match="CQN_NOW must be an ISO 8601 day or time"):
        parse_now("yesterday")


def test_utc_now_is_to_the_second_with_a_z() -> None:
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", utc_now())
