"""``make replica [SPIDER=yaowen]``: serve the offline replica and crawl it at full speed, for seeing it run.

The replica is on 127.0.0.1, so the crawl runs without the polite defaults (no download delay,
no AutoThrottle, 16 requests at a time): a few seconds where the real site's pace takes
minutes.  State, feeds and files go to ``replica-run/``, made afresh each time.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time

from cqnnews.outputs.feeds import article_feeds
from cqnnews.outputs.summary import summary_path
from tests.crawl import ROOT, crawl_command, crawl_env
from tests.replica.process import running_replica


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make replica", description=__doc__)
    parser.add_argument("spider", nargs="?", default="yaowen", help="the spider (scrapy list), default yaowen")
    parser.add_argument("--scale", type=int, default=8, help="articles per listing before 2026-09-30 (default 8)")
    args = parser.parse_args(argv)
    out = ROOT / "replica-run"
    shutil.rmtree(out, ignore_errors=True)
    with running_replica(seed=1, scale=args.scale) as replica:
        print(f"replica serving {replica.url}; crawling {args.spider} at full speed", flush=True)
        started = time.monotonic()
        result = subprocess.run(crawl_command(args.spider, settings={"LOG_LEVEL": "WARNING"}), cwd=ROOT,
                                env=crawl_env(replica.url, CQN_STATE_DIR=str(out / "state"),
                                              CQN_FILES_STORE=str(out / "files"), CQN_FEED_DIR=str(out / "feeds")))
        elapsed = time.monotonic() - started
    feeds = article_feeds(out / "feeds" / args.spider)
    if not feeds:
        print(f"no feed written (exit status {result.returncode})", file=sys.stderr)
        return result.returncode or 1
    summary = json.loads(summary_path(str(feeds[-1])).read_text(encoding="utf-8"))
    print(f"{summary['exported']} articles in {elapsed:.1f}s, exit status {result.returncode} "
          f"({'healthy' if summary['healthy'] else 'UNHEALTHY: ' + '; '.join(summary['problems'])})")
    print(f"feed:    {feeds[-1].relative_to(ROOT)}")
    print(f"summary: {summary_path(str(feeds[-1])).relative_to(ROOT)}; history page: "
          f"{(out / 'feeds' / args.spider / 'index.html').relative_to(ROOT)}")
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
