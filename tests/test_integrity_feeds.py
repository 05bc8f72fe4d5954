"""A feed that cannot be written, or a run killed while storing it: nothing lost, nothing repeated.

Each test runs ``scrapy crawl yaowen`` with the project's polite settings (at a tenth of the
delay) against the replica, and makes the fault itself: a read-only bind mount, a small
tmpfs as a full disk, a path through a file, SIGKILL at each step of a run's end
(``CQN_FAILPOINT``), two runs writing one feed, a reader that goes away.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from cqnnews.failpoints import POINTS
from cqnnews.outputs.feeds import article_feeds
from cqnnews.outputs.spotcheck_feed import spotcheck_path
from tests.conftest import NOW
from tests.crawl import POLITE_SETTINGS, crawl_command, crawl_env, read_feed, run_crawl, state_dir
from tests.replica.process import RunningReplica, running_replica
from tests.replica.site import Site
from tests.replica.truth import expected_feed

SEED, SCALE = 1, 2
YAOWEN = {"综合/要闻一", "综合/要闻二"}


@pytest.fixture(scope="module")
def replica() -> Iterator[RunningReplica]:
    with running_replica(seed=SEED, scale=SCALE, now=NOW) as running:
        yield running


@pytest.fixture(scope="module")
def expected() -> list[int]:
    return sorted(expected_feed(Site(SEED, SCALE, NOW), YAOWEN))


def crawl(replica: RunningReplica, workdir: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return run_crawl("yaowen", replica.url, workdir, *args, settings=POLITE_SETTINGS, timeout=300,
                     CQN_NOW=NOW.isoformat(), **env)


def exported_in_state(workdir: Path) -> int:
    paths = list((workdir / ".cqnnews").glob("*/yaowen.sqlite3"))
    if not paths:
        return 0
    [path] = paths
    return int(sqlite3.connect(path).execute("SELECT count(*) FROM articles").fetchone()[0])


def ids_in_final_feeds(folder: Path) -> list[int]:
    return sorted(r["article_id"] for feed in article_feeds(folder, recursive=True) for r in read_feed(feed))


def one_clear_line(result: subprocess.CompletedProcess[str], words: str, status: int = 1) -> None:
    assert result.returncode == status, result.stderr[-3000:]
    assert words in result.stderr, result.stderr[-3000:]
    assert "Traceback" not in result.stderr, result.stderr[-3000:]


@contextmanager
def mounted(target: Path, *options: str) -> Iterator[Path]:
    target.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", *options, str(target)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.fail(f"this test makes its fault with mount(8), as root: {done.stderr.strip()}")
    try:
        yield target
    finally:
        subprocess.run(["umount", "-l", str(target)], check=False)


def test_a_read_only_feed_directory_stops_the_run_and_marks_nothing_exported(replica: RunningReplica,
                                                                               expected: list[int],
                                                                               tmp_path: Path) -> None:
    source = tmp_path / "feeds-source"
    source.mkdir()
    with mounted(tmp_path / "feeds", "--bind", str(source)) as feeds:
        subprocess.run(["mount", "-o", "remount,bind,ro", str(feeds)], check=True)
        result = crawl(replica, tmp_path, CQN_FEED_DIR=str(feeds))
        one_clear_line(result, "cannot be written", status=2)  # refused at start, before any request
        assert exported_in_state(tmp_path) == 0
    again = crawl(replica, tmp_path, CQN_FEED_DIR=str(tmp_path / "writable"))
    assert again.returncode == 0, again.stderr[-3000:]
    assert ids_in_final_feeds(tmp_path / "writable") == expected
    assert exported_in_state(tmp_path) == len(expected)


def test_a_feed_path_through_a_file_stops_the_run(replica: RunningReplica, tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("not a directory")
    result = crawl(replica, tmp_path, "-O", str(tmp_path / "afile" / "out.jsonl"))
    one_clear_line(result, "cannot be written", status=2)  # refused at start, before any request
    assert exported_in_state(tmp_path) == 0


def test_a_full_disk_stops_the_run_and_the_next_run_exports_every_article_once(replica: RunningReplica,
                                                                             expected: list[int],
                                                                             tmp_path: Path) -> None:
    with mounted(tmp_path / "small", "-t", "tmpfs", "-o", "size=48k", "tmpfs") as small:
        result = crawl(replica, tmp_path, CQN_FEED_DIR=str(small))
        one_clear_line(result, "No space left on device")
        assert exported_in_state(tmp_path) == 0
        assert ids_in_final_feeds(small) == []
    again = crawl(replica, tmp_path, CQN_FEED_DIR=str(tmp_path / "big"))
    assert again.returncode == 0, again.stderr[-3000:]
    assert ids_in_final_feeds(tmp_path / "big") == expected


@pytest.mark.parametrize("point", POINTS)
def test_a_run_killed_at_any_step_of_its_end_loses_and_repeats_nothing(replica: RunningReplica, expected: list[int],
                                                                        tmp_path: Path, point: str) -> None:
    killed = crawl(replica, tmp_path, CQN_FAILPOINT=point)
    assert killed.returncode == -9, killed.stderr[-3000:]
    after = crawl(replica, tmp_path)
    assert after.returncode == 0, after.stderr[-3000:]
    assert ids_in_final_feeds(tmp_path / "feeds") == expected  # each exactly once, across both runs' feeds
    assert exported_in_state(tmp_path) == len(expected)
    # every stored feed has its spot-check records beside it (written again from it after a kill)
    assert all(spotcheck_path(f).exists() for f in article_feeds(tmp_path / "feeds" / "yaowen"))
    if point == "state_prepared":  # the next run undid the commit and removed the dead run's .part
        assert list((tmp_path / "feeds" / "yaowen").glob("*.part")) == []
        assert "undid the commit" in after.stderr
    if point == "feed_renamed":  # the next run completed the commit: the feed is stored
        assert "completed the commit" in after.stderr
    assert "Traceback" not in after.stderr


def test_two_runs_writing_one_feed_never_lose_articles(replica: RunningReplica, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    env = crawl_env(replica.url, CQN_NOW=NOW.isoformat())
    runs = [subprocess.Popen(crawl_command(spider, "-O", str(out), settings=POLITE_SETTINGS), cwd=tmp_path, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for spider in ("yaowen", "newscenter")]
    results = [(p.wait(timeout=300), p.communicate()[1]) for p in runs]
    lines = out.read_text(encoding="utf-8").splitlines()
    assert all(json.loads(line) for line in lines)  # no line cut or interleaved
    in_feed = sorted(json.loads(line)["article_id"] for line in lines)
    exported = {}
    for spider in ("yaowen", "newscenter"):
        db = sqlite3.connect(state_dir(tmp_path) / f"{spider}.sqlite3")
        exported[spider] = sorted(r[0] for r in db.execute("SELECT article_id FROM articles"))
    # one run stores the feed; the other refuses to write it, and marks nothing exported
    statuses = [status for status, _ in results]
    assert sorted(statuses) == [0, 1], [err[-2000:] for _, err in results]
    failed_log = results[statuses.index(1)][1]
    assert "another run writes the feed" in failed_log and "Traceback" not in failed_log
    winner = ("yaowen", "newscenter")[statuses.index(0)]
    loser = ("yaowen", "newscenter")[statuses.index(1)]
    assert in_feed == exported[winner] and exported[loser] == []


def test_a_reader_that_goes_away_leaves_every_article_pending(replica: RunningReplica, tmp_path: Path) -> None:
    command = crawl_command("yaowen", "-O", "stdout:", "-s", "FEED_FORMAT=jsonlines", settings=POLITE_SETTINGS)
    shell = " ".join(f"'{c}'" for c in command) + " | head -c 100 > /dev/null"
    done = subprocess.run(["bash", "-o", "pipefail", "-c", shell], cwd=tmp_path, timeout=300, capture_output=True,
                          text=True, env=crawl_env(replica.url, CQN_NOW=NOW.isoformat()))
    assert done.returncode != 0
    assert exported_in_state(tmp_path) == 0
