"""The outage policy at start and close (cqnnews/crawl/outage.py): wait, resume, or stop past the limit in one line."""

from __future__ import annotations

from typing import Any

import pytest
import redis
from scrapy.utils.test import get_crawler

from cqnnews.crawl.outage import Outage, PatientStore, RedisAway, RedisRefused, wait_for
from cqnnews.crawl.spiders.registry import SPIDERS
from tests.conftest import project_settings

URL = "redis://:secret@127.0.0.1:1/0"


class Flaky:
    """A call that fails ``failures`` times as an unreachable Redis does, then answers."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.calls = 0

    def __call__(self, *args: Any) -> Any:
        self.calls += 1
        if self.calls <= self.failures:
            raise redis.ConnectionError("Connection refused")
        return ("answered", args)


def test_a_call_made_while_redis_is_away_is_tried_again_and_resumes(caplog: pytest.LogCaptureFixture) -> None:
    call = Flaky(2)
    assert wait_for(call, URL, limit=60, what="starting") == ("answered", ())
    assert call.calls == 3
    said = [r.getMessage() for r in caplog.records]
    assert any("cannot be reached" in m and "while starting" in m and "pausing" in m for m in said)
    assert any("answers again" in m for m in said)
    assert all("secret" not in m for m in said)


def test_past_the_limit_the_worker_stops_with_one_line() -> None:
    call = Flaky(1000)
    with pytest.raises(RedisAway) as stopped:
        wait_for(call, URL, limit=0.0, what="starting")
    message = str(stopped.value)
    assert "\n" not in message and "CQN_REDIS_OUTAGE_MAX" in message and "stays pending" in message
    assert "secret" not in message
    assert isinstance(stopped.value.last, redis.ConnectionError)


def test_a_wrong_password_is_said_at_once_not_waited_out() -> None:
    calls = []

    def refused() -> None:
        calls.append(1)
        raise redis.AuthenticationError("invalid username-password pair or user is disabled.")

    with pytest.raises(RedisRefused) as stopped:
        wait_for(refused, URL, limit=60, what="starting")
    assert calls == [1]
    message = str(stopped.value)
    assert "\n" not in message and "cannot reach Redis" in message and "invalid username-password" in message
    assert "secret" not in message


def test_once_a_worker_gave_up_each_step_of_its_close_stops_at_once() -> None:
    crawler = get_crawler(SPIDERS["yaowen"], project_settings(CQN_REDIS_OUTAGE_MAX=0))
    outage = Outage(crawler, URL)
    with pytest.raises(RedisAway):
        outage.wait(Flaky(1000), "committing")
    assert outage.stopping
    call = Flaky(1000)
    with pytest.raises(RedisAway):
        outage.wait(call, "leaving")
    assert call.calls == 1  # not the whole limit again


def test_the_store_at_the_close_keeps_an_iterator_whole_for_the_next_try() -> None:
    crawler = get_crawler(SPIDERS["yaowen"], project_settings(CQN_REDIS_OUTAGE_MAX=60))
    seen: list[list[int]] = []

    class Store:
        path = "redis key prefix cqn:x:"

        def commit_exported(self, records: Any, feed: str) -> int:
            got = list(records)
            seen.append(got)
            if len(seen) == 1:
                raise redis.ConnectionError("Connection reset")
            return len(got)

    store = PatientStore(Store(), Outage(crawler, URL))
    assert store.path == "redis key prefix cqn:x:"
    assert store.commit_exported(iter([1, 2, 3]), "feed.jsonl") == 3
    assert seen == [[1, 2, 3], [1, 2, 3]]
