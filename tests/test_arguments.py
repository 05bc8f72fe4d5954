from __future__ import annotations

from datetime import date

import pytest

from cqnnews.crawl.arguments import RunArguments, parse_arguments
from cqnnews.sections import BadArgument, section

YAOWEN = section("yaowen")


def test_defaults() -> None:
    assert parse_arguments(YAOWEN, {}) == RunArguments()


def test_every_argument() -> None:
    args = parse_arguments(YAOWEN, {"sub": "要闻二", "since": "2026-11-24", "full": "true", "recheck_days": "3"})
    assert args == RunArguments(frozenset({"要闻二"}), date(2026, 11, 24), True, 3)


@pytest.mark.parametrize(("spargs", "says"), [
    ({"since": "yesterday-ish"}, "since must be a day as YYYY-MM-DD (e.g. 2026-11-24), got 'yesterday-ish'"),
    ({"since": "2026-13-01"}, "since must be a day"),
    ({"full": "maybe"}, "full must be true or false, got 'maybe'"),
    ({"recheck_days": "x"}, "recheck_days must be a whole number of days, 0 or more, got 'x'"),
    ({"recheck_days": "-1"}, "recheck_days must be"),
    ({"colour": "red"}, "unknown argument colour for spider yaowen; accepted: -a sub="),
])
def test_bad_values_say_what_is_accepted(spargs: dict[str, str], says: str) -> None:
    with pytest.raises(BadArgument) as err:
        parse_arguments(YAOWEN, spargs)
    assert says in str(err.value) and "\n" not in str(err.value)


def test_the_arguments_scrapy_tools_and_scrapyd_add_are_accepted() -> None:
    assert parse_arguments(YAOWEN, {"_job": "6487ec79", "_version": "r23", "setting": "LOG_LEVEL=INFO"}) == \
        parse_arguments(YAOWEN, {})
