"""Shared crawls under real conditions: polite settings, a worker killed and restarted, Redis restarted
or gone. Every 要闻 article in exactly one final feed, whatever is killed or restarted when."""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from cqnnews.feeds import article_feeds
from tests.conftest import NOW
from tests.crawl import POLITE_SETTINGS, crawl_command, crawl_env, read_feed
from tests.redis_server import RestartableRedis, restartable_redis
from tests.replica.process import RunningReplica, running_replica
from tests.replica.truth import expected_feed

SEED, SCALE = 7, 30  # several listing pages per 要闻 listing: the walk takes a while at the polite pace
YAOWEN = {"综合/要闻一", "综合/要闻二"}


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RestartableRedis]:
    (tmp_path / "redis").mkdir()
    with restartable_redis(tmp_path / "redis") as server:
        yield server


def worker(replica: RunningReplica, workdir: Path, url: str, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(crawl_command("yaowen", settings=POLITE_SETTINGS), cwd=workdir,
                            env=crawl_env(replica.url, CQN_NOW=NOW.isoformat(), CQN_REDIS_URL=url, **env),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def final_ids(workdir: Path) -> list[int]:
    return sorted(r["article_id"] for feed in article_feeds(workdir / "feeds" / "yaowen") for r in read_feed(feed))


def finish(process: subprocess.Popen[str], timeout: float = 240) -> tuple[int, str]:
    _, err = process.communicate(timeout=timeout)
    return process.returncode, err


def errors(err: str) -> str:
    """A worker's ERROR lines, each with the ten lines after it (a traceback), and its summary line."""
    lines = err.splitlines()
    picked = [n for n, line in enumerate(lines) if "ERROR" in line or "run summary" in line]
    return "\n".join("\n".join(lines[n:n + 11]) for n in picked)[-6000:]


def test_a_worker_killed_while_walking_and_a_redis_restart_lose_and_repeat_nothing(
        redis_server: RestartableRedis, tmp_path: Path) -> None:
    with running_replica(seed=SEED, scale=SCALE, now=NOW) as replica:
        expected = sorted(expected_feed(replica.site, YAOWEN))
        first, second = worker(replica, tmp_path, redis_server.url), worker(replica, tmp_path, redis_server.url)
        time.sleep(4)  # both are walking listings at the polite pace, with pages in hand
        first.send_signal(signal.SIGKILL)
        first.wait()
        restarted = worker(replica, tmp_path, redis_server.url)
        time.sleep(2)
        redis_server.restart(down=2)  # both live workers see Redis go away and come back
        results = [finish(second), finish(restarted)]
        assert [status for status, _ in results] == [0, 0], [errors(err) for _, err in results]
        assert all("Traceback" not in err for _, err in results), [err[-3000:] for _, err in results]
        assert final_ids(tmp_path) == expected  # each exactly once across the final feeds
        # the next run: nothing new, nothing exported again
        again = tmp_path / "again"
        again.mkdir()
        rerun = [worker(replica, again, redis_server.url) for _ in range(2)]
        reruns = [finish(w) for w in rerun]
        assert [status for status, _ in reruns] == [0, 0], [errors(err) for _, err in reruns]
        assert final_ids(again) == []


def test_redis_gone_for_good_stops_workers_cleanly_with_nothing_marked_that_is_not_stored(
        redis_server: RestartableRedis, tmp_path: Path) -> None:
    with running_replica(seed=SEED, scale=SCALE, now=NOW) as replica:
        one = worker(replica, tmp_path, redis_server.url, CQN_REDIS_OUTAGE_MAX="3")
        time.sleep(4)
        redis_server.stop()
        status, err = finish(one, timeout=120)
        assert status == 1, err[-3000:]
        assert "cannot be reached" in err and "CQN_REDIS_OUTAGE_MAX" in err, err[-3000:]
        assert "Traceback" not in err, err[-3000:]
        redis_server.start()
        stored = final_ids(tmp_path)
        # what the stopped worker exported is in the state only if its feed was stored; a next run exports the rest
        again = tmp_path / "again"
        again.mkdir()
        status, err = finish(worker(replica, again, redis_server.url))
        assert status == 0, err[-3000:]
        assert sorted(stored + final_ids(again)) == sorted(expected_feed(replica.site, YAOWEN))
