"""``make bench-redis``: articles per second of one worker against two and four, on scrapy-redis.

The replica answers every request after a fixed latency, as a site far away would; each
worker keeps the same polite concurrency.  Every figure is a whole crawl, from the first
worker's start to the last worker's exit, with a fresh redis-server each.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import write_results
from cqnnews.outputs.feeds import article_feeds
from tests.conftest import NOW
from tests.crawl import crawl_command, crawl_env, read_feed
from tests.redis_server import running_redis
from tests.replica.process import running_replica

LATENCY = 0.05  # seconds per response
SCALE = 1000  # about 2,300 要闻 articles
PER_WORKER = {"DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "False", "CONCURRENT_REQUESTS": "4",
              "CONCURRENT_REQUESTS_PER_DOMAIN": "4", "CQN_PROGRESS_SECONDS": "0", "LOG_LEVEL": "WARNING"}


def crawl(workers: int) -> tuple[int, float]:
    with tempfile.TemporaryDirectory() as tmp, running_redis(Path(tmp)) as redis_url, \
            running_replica(seed=1, scale=SCALE, now=NOW, latency=LATENCY) as replica:
        env = crawl_env(replica.url, CQN_NOW=NOW.isoformat(), CQN_REDIS_URL=redis_url)
        started = time.monotonic()
        processes = [subprocess.Popen(crawl_command("yaowen", settings=PER_WORKER), cwd=tmp, env=env,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for _ in range(workers)]
        for process in processes:
            _, err = process.communicate(timeout=1800)
            assert process.returncode == 0, err.decode()[-2000:]
        elapsed = time.monotonic() - started
        ids = [r["article_id"] for f in article_feeds(Path(tmp) / "feeds" / "yaowen") for r in read_feed(f)]
        assert len(ids) == len(set(ids)), "an article in two workers' feeds"
        return len(ids), elapsed


def main() -> int:
    rates = {}
    for workers in (1, 2, 4):
        articles, elapsed = crawl(workers)
        rates[str(workers)] = round(articles / elapsed, 2)
        print(f"{workers} worker(s): {articles} articles in {elapsed:.1f}s = {rates[str(workers)]} articles/s",
              flush=True)
    result = {"workers": rates, "speedup_2": round(rates["2"] / rates["1"], 3),
              "speedup_4": round(rates["4"] / rates["1"], 3), "latency_s": LATENCY,
              "per_worker_concurrency": int(PER_WORKER["CONCURRENT_REQUESTS"])}
    print(f"speedup: 2 workers {result['speedup_2']}x (goal >= 1.7), 4 workers {result['speedup_4']}x")
    write_results("redis", result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
