"""A misbehaving server and killed runs: nothing lost, nothing written twice, every failure listed."""

from __future__ import annotations

import json
import signal
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from cqnnews.outputs.feeds import article_feeds
from cqnnews.state.store import StateStore
from cqnnews.urls import article_id
from tests.conftest import NOW, SCALE, SEED
from tests.crawl import crawl_command, crawl_env, read_feed, run_crawl, state_dir
from tests.replica.faults import OUTCOME, RETRY_AFTER_SECONDS, FaultPlan, parse_spec
from tests.replica.process import RunningReplica, running_replica
from tests.replica.site import Site
from tests.replica.truth import expected_feed

YAOWEN = {"综合/要闻一", "综合/要闻二"}
# Faults come fast in tests: short timeouts and backoff, the rest as configured for the real site.
FAST_FAULTS = {"DOWNLOAD_TIMEOUT": "3", "CQN_BACKOFF_BASE": "0.2", "CQN_BACKOFF_MAX": "2"}
SOAK = "503=0.02,500=0.01,429=0.01,slow=0.01,hang=0.005,drop=0.015,truncate=0.015,cut=0.01,badcharset=0.005"


def control(replica: RunningReplica, what: str) -> Any:
    with urllib.request.urlopen(f"{replica.url}/_replica/{what}", timeout=10) as response:
        return json.load(response)


def feeds(workdir: Path) -> list[Path]:
    return article_feeds(workdir / "feeds" / "yaowen")


def summary_of(feed: Path) -> dict[str, Any]:
    return json.loads(feed.with_name(feed.stem + ".summary.json").read_text(encoding="utf-8"))


def crawl(replica: RunningReplica, workdir: Path, *args: str, **settings: str) -> subprocess.CompletedProcess[str]:
    return run_crawl("yaowen", replica.url, workdir, *args, settings={**FAST_FAULTS, **settings},
                     CQN_NOW=NOW.isoformat())


def start_crawl(replica: RunningReplica, workdir: Path, *args: str, **settings: str) -> subprocess.Popen[bytes]:
    slow = {"DOWNLOAD_DELAY": "0.05", "CONCURRENT_REQUESTS": "1", "CONCURRENT_REQUESTS_PER_DOMAIN": "1"}
    return subprocess.Popen(crawl_command("yaowen", *args, settings={**FAST_FAULTS, **slow, **settings}),
                            cwd=workdir, env=crawl_env(replica.url, CQN_NOW=NOW.isoformat()),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def wait_for_lines(workdir: Path, lines: int, timeout: float = 60) -> int:
    deadline, written = time.monotonic() + timeout, 0
    while time.monotonic() < deadline and written < lines:
        parts = list((workdir / "feeds").rglob("*.part"))
        written = parts[0].read_bytes().count(b"\n") if parts else 0
        time.sleep(0.05)
    return written


@pytest.fixture(scope="module")
def fixed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    workdir = tmp_path_factory.mktemp("fixed")
    with running_replica(seed=SEED, scale=SCALE, now=NOW, fixed_faults=True) as replica:
        designated = control(replica, "faults")
        result = crawl(replica, workdir)
        requests = control(replica, "requests")
    [feed] = feeds(workdir)
    return {"result": result, "designated": designated, "requests": requests, "records": read_feed(feed),
            "summary": summary_of(feed), "site": replica.site, "workdir": workdir}


def _id(path: str) -> int:
    aid = article_id(path)
    assert aid is not None, path
    return aid


def test_transient_faults_are_retried_and_exported(fixed: dict[str, Any]) -> None:
    assert fixed["result"].returncode == 0, fixed["result"].stderr[-3000:]
    expected = expected_feed(fixed["site"], YAOWEN)
    failed = {_id(p) for kind, p in fixed["designated"].items() if OUTCOME[kind] == "failed"}
    by_id = {r["article_id"]: r for r in fixed["records"]}
    assert set(by_id) == set(expected) - failed
    flagged = _id(fixed["designated"]["no_date"])
    untitled = _id(fixed["designated"]["no_title"])
    misdeclared = _id(fixed["designated"]["badcharset"])  # served declared as gbk: read right, and flagged
    for aid, record in by_id.items():
        want = dict(expected[aid])
        if aid == flagged:  # no time on the page: the day in its URL, flagged so
            want.update(published_at=want["published_at"][:10] + "T00:00:00+08:00",
                        flags=["date_from_url", *want["flags"]])
        if aid == misdeclared:
            want.update(flags=["charset_misdeclared"])
        if aid == untitled:  # no headline anywhere: its first line is its title, and stays in its body
            want.update(title=want["body"].split("\n")[0], flags=[*want["flags"], "title_from_body"])
        assert {k: record[k] for k in want} == want, aid


def test_permanent_failures_are_listed_in_the_summary_with_reasons(fixed: dict[str, Any]) -> None:
    reasons = {f["article_id"]: f["reason"] for f in fixed["summary"]["failed"]}
    d = {kind: _id(path) for kind, path in fixed["designated"].items()}
    assert set(reasons) == {d["missing"], d["redirect_loop"], d["robots"]}
    assert reasons[d["missing"]] == "HTTP 404"
    assert "robots.txt" in reasons[d["robots"]]
    assert "redirect" in reasons[d["redirect_loop"]]
    assert fixed["summary"]["healthy"], fixed["summary"]["problems"]


def test_the_state_keeps_failed_articles_pending_for_the_next_run(fixed: dict[str, Any]) -> None:
    store = StateStore.open(state_dir(fixed["workdir"]), "yaowen")
    try:
        pending = {p.article_id: p for p in store.pending()}
        failed = {_id(path) for kind, path in fixed["designated"].items() if OUTCOME[kind] == "failed"}
        assert set(pending) == failed
        assert all(p.attempts == 1 and p.reason for p in pending.values())
        assert store.count() == len(fixed["records"])
    finally:
        store.close()


def test_what_the_server_saw(fixed: dict[str, Any]) -> None:
    seen = fixed["requests"]
    d = fixed["designated"]
    assert len(seen[d["missing"]]) == 1, "a 404 is not retried"
    assert d["robots"] not in seen, "robots.txt is obeyed"
    assert len(seen[d["burst503"]]) == 4, "three 503s, then the page"
    assert len(seen[d["hang_once"]]) == 2 and len(seen[d["drop_once"]]) == 2 and len(seen[d["cut_once"]]) == 2
    first, second = seen[d["retry_after"]][:2]
    assert second - first >= RETRY_AFTER_SECONDS - 0.1, "Retry-After honoured"


def test_a_truncated_page_is_never_parsed(fixed: dict[str, Any]) -> None:
    log = fixed["result"].stderr
    assert "'cqnnews/truncated_pages': 1" in log
    assert "'cqnnews/retry/retry_after': 1" in log


def test_sigterm_stops_in_time_with_the_feed_closed_and_state_consistent(tmp_path: Path) -> None:
    with running_replica(seed=SEED, scale=SCALE, now=NOW) as replica:
        process = start_crawl(replica, tmp_path)
        assert wait_for_lines(tmp_path, 10) >= 10
        stopped = time.monotonic()
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
        assert time.monotonic() - stopped < 30
        assert process.returncode == 1  # finish reason "shutdown": unhealthy, and said so
        [feed] = feeds(tmp_path)
        assert not list((tmp_path / "feeds").rglob("*.part"))
        ids = {r["article_id"] for r in read_feed(feed)}
        store = StateStore.open(state_dir(tmp_path), "yaowen")
        assert {aid for aid in ids if store.exported(aid)} == ids and store.count() == len(ids)
        store.close()
        result = crawl(replica, tmp_path)
        assert result.returncode == 0, result.stderr[-2000:]
    lines = [r["article_id"] for f in feeds(tmp_path) for r in read_feed(f)]
    assert sorted(lines) == sorted(expected_feed(Site(SEED, SCALE, NOW), YAOWEN))


def test_jobdir_pause_and_resume(tmp_path: Path) -> None:
    with running_replica(seed=SEED, scale=SCALE, now=NOW) as replica:
        process = start_crawl(replica, tmp_path, "-s", "JOBDIR=job")
        assert wait_for_lines(tmp_path, 10) >= 10
        process.send_signal(signal.SIGINT)  # Ctrl-C: pause
        process.wait(timeout=30)
        assert (tmp_path / "job").is_dir()
        result = crawl(replica, tmp_path, "-s", "JOBDIR=job")  # resume
        assert result.returncode == 0, result.stderr[-2000:]
    lines = [r["article_id"] for f in feeds(tmp_path) for r in read_feed(f)]
    assert sorted(lines) == sorted(expected_feed(Site(SEED, SCALE, NOW), YAOWEN))


def test_soak_faults_and_a_kill_then_runs_until_done(tmp_path: Path) -> None:
    expected = expected_feed(Site(SEED, SCALE, NOW), YAOWEN)
    with running_replica(seed=SEED, scale=SCALE, now=NOW, faults=SOAK) as replica:
        process = start_crawl(replica, tmp_path)
        assert wait_for_lines(tmp_path, 15) >= 15
        process.send_signal(signal.SIGKILL)
        process.wait()
        exported: set[int] = set()
        for _ in range(8):
            before = control(replica, "requests")
            result = crawl(replica, tmp_path)
            after = control(replica, "requests")
            assert result.returncode in (0, 1), result.stderr[-2000:]
            feed = feeds(tmp_path)[-1]
            ids = {r["article_id"] for r in read_feed(feed)}
            failed = {f["article_id"] for f in summary_of(feed)["failed"]}
            asked = {_id(p) for p, times in after.items()
                     if article_id(p) is not None and len(times) > len(before.get(p, []))}
            assert asked - ids - exported <= failed, "every article that failed in a run is in its summary"
            exported |= ids
            if exported >= set(expected):
                break
        served = control(replica, "requests")
        retried = [p for p, times in served.items() if len(times) > 1 and article_id(p)]
    assert len(retried) >= 5, "the soak really injected faults"
    # a page the soak served with a wrong charset (badcharset) is read right and says so
    plan = FaultPlan(Site(SEED, SCALE, NOW), rates=parse_spec(SOAK))
    misdeclared = {_id(p) for p, times in served.items() if article_id(p) is not None
                   and any(plan.random_kind(p, n) == "badcharset" for n in range(1, len(times) + 1))}
    lines = [r for f in feeds(tmp_path) for r in read_feed(f)]  # every line of every final file parses
    assert sorted(r["article_id"] for r in lines) == sorted(expected)
    for r in lines:
        want = dict(expected[r["article_id"]])
        if r["article_id"] in misdeclared and r["flags"] == ["charset_misdeclared"]:
            want["flags"] = ["charset_misdeclared"]
        assert {k: r[k] for k in want} == want
