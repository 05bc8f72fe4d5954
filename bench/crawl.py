"""``make bench``: crawl overhead, requests per incremental run, memory; all measured in this command.

1. Overhead: ``scrapy crawl yaowen`` over the replica (at least 5,000 articles) against a bare
   spider fetching the same URLs and parsing nothing, with the same settings; runs alternate,
   and the ratio is of the medians of pages per second (Scrapy's own elapsed time).
2. Incremental: a run, then the replica's clock a day on and a second run: requests sent for
   listings and articles against the minimum (the new articles, plus per listing the pages
   that hold them and one more).
3. Memory: peak RSS (``wait4``) of ``newscenter`` over about 10,000 and about 100,000 articles.
4. Scale of the state: a daily run with nothing new, its crawl state seeded with 1,000,000
   exported articles (generated, not crawled) against 10,000; runs alternate, and the ratios
   are of the medians of wall time and peak RSS.  Both must make the same requests.
"""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import timedelta
from pathlib import Path
from typing import Any

from bench import write_results
from tests.conftest import NOW
from tests.crawl import LOCAL_SETTINGS, ROOT, crawl_command, crawl_env, state_dir
from tests.redis_server import free_port
from tests.replica.process import RunningReplica, running_replica
from tests.replica.site import PAGE_SIZE, Site

YAOWEN = ("综合/要闻一", "综合/要闻二")
NAVIGATION = 3  # robots.txt, home page, channel page: every run fetches them


def stat(log: str, name: str) -> float:
    m = re.search(rf"'{re.escape(name)}': ([0-9.]+)", log)
    return float(m[1]) if m else 0.0


CPU_SECONDS: list[float] = []  # user + system time of each command run, in order


def run(cmd: list[str], cwd: Path, env: dict[str, str]) -> tuple[str, int, float]:
    """stderr, exit status and peak RSS in MiB of the command (its CPU time goes to CPU_SECONDS)."""
    process = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    assert process.stderr is not None
    log = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    CPU_SECONDS.append(usage.ru_utime + usage.ru_stime)
    return log, process.returncode, usage.ru_maxrss / 1024


def overhead(rounds: int = 5, scale: int = 2400) -> dict[str, Any]:
    settings = {"LOG_LEVEL": "INFO", "CQN_PROGRESS_SECONDS": "0"}
    full, bare, cpu_full, cpu_bare = [], [], [], []
    with running_replica(seed=1, scale=scale, now=NOW) as replica, tempfile.TemporaryDirectory() as tmp:
        for leaf in ("20762", "20796"):  # the replica builds its listings on first use: not in any timing
            urllib.request.urlopen(f"{replica.url}/qt/node_{leaf}.htm").read()
        articles = 0
        for n in range(rounds):
            work = Path(tmp) / f"full{n}"
            work.mkdir()
            before = _requests(replica)
            log, status, _ = run(crawl_command("yaowen", "-O", "out.jsonl", settings=settings), work,
                                 crawl_env(replica.url, CQN_NOW=NOW.isoformat()))
            assert status == 0, log[-2000:]
            articles = sum(1 for _ in (work / "out.jsonl").open())
            full.append(stat(log, "response_received_count") / stat(log, "elapsed_time_seconds"))
            cpu_full.append(CPU_SECONDS[-1] * 1000 / stat(log, "response_received_count"))
            urls = [replica.url + p for p, times in _requests(replica).items()
                    if p != "/robots.txt" and len(times) > len(before.get(p, []))]
            (work / "urls.txt").write_text("\n".join(urls))
            cmd = [sys.executable, "-m", "scrapy", "runspider", str(ROOT / "bench" / "bare_spider.py"),
                   "-a", f"urls={work / 'urls.txt'}"]
            for key, value in {**LOCAL_SETTINGS, **settings}.items():
                cmd += ["-s", f"{key}={value}"]
            log, status, _ = run(cmd, work, crawl_env(replica.url))
            assert status == 0, log[-2000:]
            bare.append(stat(log, "response_received_count") / stat(log, "elapsed_time_seconds"))
            cpu_bare.append(CPU_SECONDS[-1] * 1000 / stat(log, "response_received_count"))
    return {"overhead_ratio": round(statistics.median(full) / statistics.median(bare), 3), "articles": articles,
            "pages_per_s_full": [round(x, 1) for x in full], "pages_per_s_bare": [round(x, 1) for x in bare],
            # the crawler process's CPU per page, start-up included: steadier than pages/s on a shared machine
            "cpu_ms_per_page_full": [round(x, 2) for x in cpu_full],
            "cpu_ms_per_page_bare": [round(x, 2) for x in cpu_bare]}


def _requests(replica: RunningReplica) -> dict[str, list[float]]:
    with urllib.request.urlopen(f"{replica.url}/_replica/requests", timeout=30) as response:
        return json.load(response)


def incremental(scale: int = 200) -> dict[str, Any]:
    tomorrow = NOW + timedelta(days=1)
    port = free_port()  # the same origin on both days: the same crawl state
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for now in (NOW, tomorrow):
            with running_replica(seed=1, scale=scale, now=now, port=port) as replica:
                log, status, _ = run(crawl_command("yaowen", settings={"LOG_LEVEL": "INFO"}), work,
                                     crawl_env(replica.url, CQN_NOW=now.isoformat()))
                assert status == 0, log[-2000:]
        feed = sorted((work / "feeds" / "yaowen").glob("*.summary.json"))[-1]
        report = json.loads(feed.read_text())
    today, next_day = Site(seed=1, scale=scale, now=NOW), Site(seed=1, scale=scale, now=tomorrow)
    old = {r.article_id for key in YAOWEN for r in today.listing(today.leaf(key))}
    minimum, new = 0, set()
    for key in YAOWEN:
        listing = next_day.listing(next_day.leaf(key))
        fresh = [i for i, r in enumerate(listing) if r.article_id not in old]
        new |= {listing[i].article_id for i in fresh}
        minimum += (fresh[-1] // PAGE_SIZE + 1 if fresh else 0) + 1
    minimum += len(new)
    sent = report["requests"]["total"] - NAVIGATION
    return {"incremental_excess_requests": sent - minimum, "new_articles": len(new), "requests_sent": sent,
            "minimum": minimum, "listings": len(YAOWEN), "exported": report["exported"]}


def memory(scales: tuple[int, int] = (600, 6000)) -> dict[str, Any]:
    peaks, counts = [], []
    for scale in scales:
        with running_replica(seed=1, scale=scale, now=NOW) as replica, tempfile.TemporaryDirectory() as tmp:
            log, status, rss = run(crawl_command("newscenter", "-O", "out.jsonl",
                                                 settings={"LOG_LEVEL": "INFO", "CQN_PROGRESS_SECONDS": "0"}),
                                   Path(tmp), crawl_env(replica.url, CQN_NOW=NOW.isoformat()))
            assert status == 0, log[-2000:]
            counts.append(sum(1 for _ in (Path(tmp) / "out.jsonl").open()))
            peaks.append(rss)
    return {"memory_growth": round(peaks[1] / peaks[0], 3), "peak_rss_mb_10k": round(peaks[0], 1),
            "peak_rss_mb_100k": round(peaks[1], 1), "articles": counts}


def seed_state(state_dir: Path, total: int) -> None:
    """Add generated exported articles to the crawl state in ``state_dir`` until it holds ``total``."""
    from cqnnews.state.records import Exported
    from cqnnews.state.store import StateStore

    store = StateStore.open(state_dir, "yaowen")
    have = store.count()
    first = 100_000_000  # far from the replica's ids
    start = NOW - timedelta(days=3000)

    def records() -> Any:
        for n in range(total - have):
            aid = first + n
            day = start + timedelta(minutes=n * 3000 * 1440 // max(1, total))
            yield Exported(aid, f"https://www.cqn.com.cn/qt/content/{day:%Y-%m}/{day:%d}/content_{aid}.htm",
                           f"{aid:064x}", day.isoformat(), ["要闻一"], 1)

    store.commit_exported(records(), "generated")
    assert store.count() == total
    store.close()


def state_scale(small: int = 10_000, large: int = 1_000_000, rounds: int = 3, scale: int = 200) -> dict[str, Any]:
    import shutil

    settings = {"LOG_LEVEL": "INFO", "CQN_PROGRESS_SECONDS": "0"}
    with running_replica(seed=1, scale=scale, now=NOW) as replica, tempfile.TemporaryDirectory() as tmp:
        env = crawl_env(replica.url, CQN_NOW=NOW.isoformat())
        first = Path(tmp) / "first"
        first.mkdir()
        log, status, _ = run(crawl_command("yaowen", settings=settings), first, env)
        assert status == 0, log[-2000:]
        states = {}
        for total in (small, large):
            work = Path(tmp) / str(total)
            shutil.copytree(first / ".cqnnews", work / ".cqnnews")
            seed_state(state_dir(work), total)
            states[total] = work
        seconds: dict[int, list[float]] = {small: [], large: []}
        rss: dict[int, list[float]] = {small: [], large: []}
        requests: dict[int, set[float]] = {small: set(), large: set()}
        for _ in range(rounds):
            for total, work in states.items():
                began = time.monotonic()
                log, status, peak = run(crawl_command("yaowen", settings=settings), work, env)
                seconds[total].append(time.monotonic() - began)
                assert status == 0, log[-2000:]
                assert "0 new" in log, log[-2000:]
                rss[total].append(peak)
                requests[total].add(stat(log, "downloader/request_count"))
    assert requests[small] == requests[large], requests
    return {"state_scale_time_ratio": round(statistics.median(seconds[large]) / statistics.median(seconds[small]), 3),
            "state_scale_rss_ratio": round(statistics.median(rss[large]) / statistics.median(rss[small]), 3),
            "states": [small, large], "seconds": {str(k): [round(x, 2) for x in v] for k, v in seconds.items()},
            "peak_rss_mb": {str(k): [round(x, 1) for x in v] for k, v in rss.items()},
            "requests": sorted(requests[small])}


def main() -> int:
    started = time.monotonic()
    results: dict[str, Any] = {}
    print("overhead: yaowen vs a bare spider on the same URLs ...", flush=True)
    results["overhead"] = overhead()
    print("incremental: a run, the clock a day on, a run ...", flush=True)
    results["incremental"] = incremental()
    print("memory: newscenter over ~10k and ~100k articles ...", flush=True)
    results["memory"] = memory()
    print("state scale: a daily run with nothing new, 1,000,000 exported articles in the state vs 10,000 ...",
          flush=True)
    results["state_scale"] = state_scale()
    o, i, m, g = results["overhead"], results["incremental"], results["memory"], results["state_scale"]
    summary = {"overhead_ratio": o["overhead_ratio"], "incremental_excess_requests": i["incremental_excess_requests"],
               "memory_growth": m["memory_growth"], "peak_rss_mb_100k": m["peak_rss_mb_100k"],
               "state_scale_time_ratio": g["state_scale_time_ratio"],
               "state_scale_rss_ratio": g["state_scale_rss_ratio"]}
    rows = [
        ("overhead_ratio", summary["overhead_ratio"], ">= 0.85",
         f"{o['articles']} articles; pages/s full {o['pages_per_s_full']} bare {o['pages_per_s_bare']}; "
         f"CPU ms/page full {o['cpu_ms_per_page_full']} bare {o['cpu_ms_per_page_bare']}"),
        ("incremental_excess_requests", summary["incremental_excess_requests"], f"<= {i['listings']}",
         f"{i['new_articles']} new articles: {i['requests_sent']} requests, minimum {i['minimum']}"),
        ("memory_growth", summary["memory_growth"], "<= 1.2",
         f"peak RSS {m['peak_rss_mb_10k']} MiB at {m['articles'][0]} articles"),
        ("peak_rss_mb_100k", summary["peak_rss_mb_100k"], "< 400", f"at {m['articles'][1]} articles"),
        ("state_scale_time_ratio", summary["state_scale_time_ratio"], "<= 1.2",
         f"seconds {g['seconds']}; {g['requests']} requests in each"),
        ("state_scale_rss_ratio", summary["state_scale_rss_ratio"], "<= 1.2", f"peak RSS MiB {g['peak_rss_mb']}"),
    ]
    print(f"\n{'figure':<30} {'value':>8}  {'goal':<8}  detail")
    for name, value, goal, detail in rows:
        print(f"{name:<30} {value:>8}  {goal:<8}  {detail}")
    print()
    write_results("crawl", {**summary, "details": results})
    print(f"in {time.monotonic() - started:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
