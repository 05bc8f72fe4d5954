"""``make demo``: serve the replica on a free port, crawl it with ``yaowen``, check and show the feed.

The demo keeps its crawl state and feeds in ``demo/``, made afresh each time: it never touches
the crawl state of a real crawl, and works however often it is run.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from cqnnews.outputs.feeds import article_feeds
from cqnnews.schema import article_schema, problems
from tests.crawl import ROOT, crawl_command, crawl_env, read_feed
from tests.replica.process import running_replica
from tests.replica.truth import expected_fields

YAOWEN = ("综合/要闻一", "综合/要闻二")
REFERENCE_ID = 6121542


def main() -> int:
    demo = ROOT / "demo"
    shutil.rmtree(demo, ignore_errors=True)
    with running_replica(seed=1, scale=8) as replica:
        print(f"replica serving {replica.url} (clock {replica.site.now:%Y-%m-%d %H:%M %Z})", flush=True)
        feed_dir = demo / "feeds" / "yaowen"
        before = set(article_feeds(feed_dir))
        cmd = crawl_command("yaowen", settings={"LOG_LEVEL": "WARNING"})
        print("$ CQN_BASE_URL=" + replica.url + " scrapy crawl yaowen  (politeness off for the local replica)",
              flush=True)
        result = subprocess.run(cmd, cwd=ROOT, env=crawl_env(replica.url, CQN_STATE_DIR=str(demo / "state"),
                                                             CQN_FILES_STORE=str(demo / "files"),
                                                             CQN_FEED_DIR=str(demo / "feeds")))
        if result.returncode != 0:
            print(f"crawl failed with exit status {result.returncode}", file=sys.stderr)
            return result.returncode
        [feed] = sorted(set(article_feeds(feed_dir)) - before)
        records = read_feed(feed)
        site = replica.site
        expected = {r.article_id for key in YAOWEN for r in site.listing(site.leaf(key))}
        ids = [r["article_id"] for r in records]
        invalid = sum(1 for r in records if problems(r))
        reference = next((r for r in records if r["article_id"] == REFERENCE_ID), None)
        ref_ok = reference is not None and all(
            reference[k] == v for k, v in expected_fields(site, site.reference_ref).items() if k in reference)
    print(f"feed: {Path(feed).relative_to(ROOT)}")
    print(f"summary: {len(records)} articles, {invalid} invalid against schema {article_schema()['version']}, "
          f"{len(ids) - len(set(ids))} repeated, {len(expected - set(ids))} of the replica's {len(expected)} "
          f"要闻 articles missing, reference article {'matches' if ref_ok else 'DOES NOT match'} the ground truth")
    ok = invalid == 0 and len(ids) == len(set(ids)) and set(ids) == expected and ref_ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
