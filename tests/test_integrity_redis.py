"""Shared crawls under real conditions: polite settings, a worker killed and restarted, Redis restarted or gone,
workers started at the same instant in one folder, Redis stopped at each named step. Every 要闻 article in exactly
one final feed, whatever is killed or restarted when.

Each fault happens when a worker has reached a named point (a key in Redis, a line in its log, a pause point of
cqnnews/failpoints.py), never after a fixed sleep: on a loaded machine the test still tests what it says."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import NOW
from tests.crawl import POLITE_SETTINGS
from tests.redis_server import RestartableRedis, restartable_redis
from tests.replica.process import RunningReplica, running_replica
from tests.replica.truth import expected_feed
from tests.shared_crawl import (
    Worker,
    exited,
    final_ids,
    held,
    holds_requests,
    joined,
    missing,
    no_tracebacks,
    part_lines,
    pause_env,
    release,
    report,
    start,
    wait_until,
)

SEED, SCALE = 7, 30  # several listing pages per 要闻 listing: the walk takes a while at the polite pace
YAOWEN = {"综合/要闻一", "综合/要闻二"}


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RestartableRedis]:
    (tmp_path / "redis").mkdir()
    with restartable_redis(tmp_path / "redis") as server:
        yield server


def worker(replica: RunningReplica, workdir: Path, url: str, name: str, **env: str) -> Worker:
    return start(workdir, replica.url, url, POLITE_SETTINGS, name, CQN_NOW=NOW.isoformat(), **env)


def outage_seen_by(redis_server: RestartableRedis, workers: list[Worker], everyone: list[Worker]) -> None:
    """Redis stopped until each of ``workers`` still running has paused for it, then started again."""
    redis_server.stop()
    wait_until(lambda: all(w.said("cannot be reached") or exited(w) for w in workers),
               "each live worker to pause for Redis", everyone)
    redis_server.start()


def next_run_exports_nothing(replica: RunningReplica, workdir: Path, url: str) -> None:
    again = workdir / "again"
    again.mkdir()
    rerun = [worker(replica, again, url, f"again-{n}") for n in range(2)]
    assert [w.finish() for w in rerun] == [0, 0], report(rerun)
    assert no_tracebacks(rerun), report(rerun)
    assert final_ids(again) == []


def test_a_worker_killed_while_walking_and_a_redis_restart_lose_and_repeat_nothing(
        redis_server: RestartableRedis, tmp_path: Path) -> None:
    url = redis_server.url
    with running_replica(seed=SEED, scale=SCALE, now=NOW) as replica:
        expected = sorted(expected_feed(replica.site, YAOWEN))
        first, second = worker(replica, tmp_path, url, "first"), worker(replica, tmp_path, url, "second")
        everyone = [first, second]
        wait_until(lambda: holds_requests(url, first) and joined(url, second),
                   "both workers walking listings, the first with pages in hand", everyone)
        first.process.kill()
        first.process.wait()
        restarted = worker(replica, tmp_path, url, "restarted")
        everyone.append(restarted)
        wait_until(lambda: joined(url, restarted), "the restarted worker to join the crawl", everyone)
        outage_seen_by(redis_server, [second, restarted], everyone)
        live = [second, restarted]
        assert [w.finish() for w in live] == [0, 0], report(live)
        assert no_tracebacks(live), report(live)
        assert final_ids(tmp_path) == expected, missing(tmp_path, expected, everyone)  # each once, in all the feeds
        next_run_exports_nothing(replica, tmp_path, url)


# (point, what the step is): Redis stopped when the first worker reaches it, started once that worker paused for it
STEPS = [("run_opened", "start"), ("switch_taken", "phase switch"), ("requeued_one", "re-queue"),
         ("state_prepared", "commit")]


@pytest.mark.parametrize(("point", "step"), STEPS, ids=[step for _, step in STEPS])
def test_three_workers_started_at_once_in_one_folder_with_redis_stopped_at_a_step(
        redis_server: RestartableRedis, tmp_path: Path, point: str, step: str) -> None:
    url = redis_server.url
    pause = tmp_path / "pause"
    with running_replica(seed=SEED, scale=SCALE, now=NOW) as replica:
        expected = sorted(expected_feed(replica.site, YAOWEN))
        workers = [worker(replica, tmp_path, url, f"w{n}", **pause_env(pause, point)) for n in range(3)]
        live = list(workers)
        if point == "requeued_one":  # a worker killed with articles exported, not stored: queued again at the end
            wait_until(lambda: any(part_lines(tmp_path, w) >= 3 for w in workers), "a worker exporting", workers)
            victim = next(w for w in workers if part_lines(tmp_path, w) >= 3)
            victim.process.kill()
            victim.process.wait()
            live.remove(victim)
        wait_until(lambda: bool(held(pause, point)), f"a worker at {point} ({step})", workers)
        marker = held(pause, point)[0]
        holder = next(w for w in live if marker.name.endswith(f".{w.pid}"))
        redis_server.stop()
        release([marker])
        wait_until(lambda: holder.said("cannot be reached") or exited(holder), f"the worker at {point} to pause",
                   workers)
        redis_server.start()

        def everyone_done() -> bool:
            release(held(pause, point))  # the others pass the point when they reach it
            return all(exited(w) for w in live)

        wait_until(everyone_done, "every worker to finish", workers, timeout=400)
        assert [w.finish() for w in live] == [0] * len(live), report(workers)
        assert no_tracebacks(live), report(live)
        assert final_ids(tmp_path) == expected, missing(tmp_path, expected, workers)
        next_run_exports_nothing(replica, tmp_path, url)


def test_a_worker_started_while_redis_is_away_waits_for_it_then_crawls(redis_server: RestartableRedis,
                                                                      tmp_path: Path) -> None:
    url = redis_server.url
    with running_replica(seed=SEED, scale=SCALE, now=NOW) as replica:
        redis_server.stop()
        one = worker(replica, tmp_path, url, "one")
        wait_until(lambda: one.said("cannot be reached") or exited(one), "the worker to pause for Redis", [one])
        redis_server.start()
        assert one.finish() == 0, report([one])
        assert one.said("while starting") and one.said("answers again"), report([one])
        assert no_tracebacks([one]), report([one])
        assert final_ids(tmp_path) == sorted(expected_feed(replica.site, YAOWEN))


def test_redis_gone_for_good_stops_workers_cleanly_with_nothing_marked_that_is_not_stored(
        redis_server: RestartableRedis, tmp_path: Path) -> None:
    url = redis_server.url
    with running_replica(seed=SEED, scale=SCALE, now=NOW) as replica:
        one = worker(replica, tmp_path, url, "one", CQN_REDIS_OUTAGE_MAX="3")
        wait_until(lambda: holds_requests(url, one), "the worker walking listings", [one])
        redis_server.stop()
        status = one.finish(timeout=120)
        assert status == 1, report([one])
        assert one.said("cannot be reached") and one.said("CQN_REDIS_OUTAGE_MAX"), report([one])
        assert no_tracebacks([one]), report([one])
        redis_server.start()
        stored = final_ids(tmp_path)
        # what the stopped worker exported is in the state only if its feed was stored; a next run exports the rest
        again = tmp_path / "again"
        again.mkdir()
        rerun = worker(replica, again, url, "again")
        assert rerun.finish() == 0, report([rerun])
        assert sorted(stored + final_ids(again)) == sorted(expected_feed(replica.site, YAOWEN))
