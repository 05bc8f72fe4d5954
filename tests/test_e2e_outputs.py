"""What a crawl writes, and where: never over a file it did not write, for every feed format Scrapy writes.

Also the start-up refusals that must come before the first request (the replica's access log
stays empty), a home page that does not answer, and Scrapy's deprecations as errors.
"""

from __future__ import annotations

import json
import subprocess
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import NOW, SCALE, SEED
from tests.crawl import run_crawl
from tests.replica.process import RunningReplica, running_replica


@pytest.fixture(scope="module")
def fresh() -> Iterator[RunningReplica]:
    """A replica of this module's own: its access log shows every request the module's crawls sent."""
    with running_replica(seed=SEED, scale=SCALE, now=NOW) as running:
        yield running


def requests_served(replica: RunningReplica) -> int:
    with urllib.request.urlopen(f"{replica.url}/_replica/requests", timeout=10) as answer:
        return sum(len(times) for times in json.load(answer).values())


def crawl(replica: RunningReplica, workdir: Path, *args: str, **settings: str) -> subprocess.CompletedProcess[str]:
    return run_crawl("yaowen", replica.url, workdir, *args, settings=settings, timeout=300, CQN_NOW=NOW.isoformat())


def healthy(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 0, result.stderr[-3000:]
    assert " ERROR: " not in result.stderr and "Warning" not in result.stderr, result.stderr[-3000:]


def refused(result: subprocess.CompletedProcess[str], says: str) -> None:
    assert result.returncode == 2, result.stderr[-2000:]
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and says in lines[0], result.stderr[-2000:]


def test_a_users_index_html_in_the_folder_of_a_named_feed_is_left_byte_for_byte(fresh: RunningReplica,
                                                                                  tmp_path: Path) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "index.html").write_bytes(b"<!DOCTYPE html><title>my own page</title>\n")
    healthy(crawl(fresh, tmp_path, "-O", str(out / "out.jsonl")))
    assert (out / "index.html").read_bytes() == b"<!DOCTYPE html><title>my own page</title>\n"
    assert sorted(p.name for p in out.iterdir()) == ["index.html", "out.jsonl", "out.recalls.jsonl", "out.report.html",
                                                     "out.signatures", "out.spotchecks.jsonl", "out.summary.json"]
    # the same -O again: the files beside it are this project's own, replaced
    healthy(crawl(fresh, tmp_path, "-O", str(out / "out.jsonl"), "-a", "full=true"))
    # the default feed's folder is the project's own: its history page is there
    healthy(crawl(fresh, tmp_path, "-a", "full=true"))
    assert (tmp_path / "feeds" / "yaowen" / "index.html").is_file()


@pytest.mark.parametrize("suffix", ["csv", "xml", "json"])
def test_every_feed_format_gets_its_summary_and_report(fresh: RunningReplica, tmp_path: Path, suffix: str) -> None:
    feed = tmp_path / "out" / f"out.{suffix}"
    healthy(crawl(fresh, tmp_path, "-o", str(feed)))
    summary = json.loads((feed.parent / "out.summary.json").read_text(encoding="utf-8"))
    assert summary["healthy"] and summary["exported"] > 0 and summary["feed"] == str(feed)
    report = (feed.parent / "out.report.html").read_text(encoding="utf-8")
    assert "<svg" in report.split("Articles per section")[1].split("Field coverage")[0]  # the feed was read
    assert not (feed.parent / "index.html").exists()


def test_a_summary_of_someone_elses_beside_the_named_feed_is_refused_at_start(fresh: RunningReplica,
                                                                                tmp_path: Path) -> None:
    (tmp_path / "out.summary.json").write_text('{"mine": true}\n')
    before = requests_served(fresh)
    refused(crawl(fresh, tmp_path, "-O", str(tmp_path / "out.jsonl")), "out.summary.json is there and was not "
                                                                         "written by cqnnews")
    assert (tmp_path / "out.summary.json").read_text() == '{"mine": true}\n'
    assert requests_served(fresh) == before


def test_bad_set_ups_are_refused_before_the_first_request(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("not a folder")
    with running_replica(seed=SEED, scale=2, now=NOW) as replica:  # its access log: this test's requests only
        refused(crawl(replica, tmp_path, "-O", str(tmp_path / "afile" / "out.jsonl")), "the feed folder")
        refused(run_crawl("yaowen", replica.url, tmp_path, timeout=120, CQN_FEED_DIR=str(tmp_path / "afile")),
                "is a file, not a folder")
        refused(crawl(replica, tmp_path, CQN_FILES_STORE="/sys/cqnnews-files"), "the files store")
        refused(crawl(replica, tmp_path, CQN_FEEDDIR="/data/cqn"), "did you mean CQN_FEED_DIR?")
        refused(crawl(replica, tmp_path, CQN_PROMETHEUS_DIR=str(tmp_path / "afile" / "prom")),
                "the Prometheus textfile folder")
        assert requests_served(replica) == 0


def test_a_read_only_files_store_is_refused_before_the_first_request(fresh: RunningReplica, tmp_path: Path) -> None:
    store = tmp_path / "store"
    store.mkdir()
    done = subprocess.run(["mount", "--bind", str(store), str(store)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.fail(f"this test makes its fault with mount(8), as root: {done.stderr.strip()}")
    try:
        subprocess.run(["mount", "-o", "remount,bind,ro", str(store)], check=True)
        before = requests_served(fresh)
        refused(crawl(fresh, tmp_path, CQN_FILES_STORE=str(store)), "Read-only file system")
        assert requests_served(fresh) == before
    finally:
        subprocess.run(["umount", "-l", str(store)], check=False)


def test_a_home_page_that_refuses_connections_is_one_plain_line(tmp_path: Path) -> None:
    result = run_crawl("yaowen", "http://127.0.0.1:9", tmp_path, settings={"CQN_BACKOFF_BASE": "0.05"}, timeout=120)
    assert result.returncode == 1, result.stderr[-2000:]
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("cqnnews: error: the home page did not answer: connection refused"), last
    [summary] = (tmp_path / "feeds" / "yaowen").glob("*.summary.json")
    assert json.loads(summary.read_text())["problems"][0] == "the home page did not answer: connection refused"


def test_a_site_that_slows_the_crawl_down_uses_no_deprecated_scrapy_api(tmp_path: Path) -> None:
    with running_replica(seed=SEED, scale=2, now=NOW, faults="503=0.2") as replica:
        result = crawl(replica, tmp_path, CQN_BACKOFF_BASE="0.02", CQN_BACKOFF_MAX="0.1", CQN_MAX_ERRORS="0")
    assert "slowing 127.0.0.1" in result.stderr, result.stderr[-3000:]  # the retry middleware changed the slot
    assert "DeprecationWarning" not in result.stderr, result.stderr[-3000:]
    assert result.returncode == 0, result.stderr[-3000:]
