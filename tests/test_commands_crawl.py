"""``scrapy crawl -h`` tells the truth: the spider arguments, where the outputs go, the exit statuses."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from cqnnews.commands.crawl import BAD_INPUT, HEALTHY, LOCKED, UNHEALTHY
from cqnnews.crawl.arguments import HELP, TOOL_ARGUMENTS
from tests.crawl import crawl_env


def test_crawl_help_lists_the_spider_arguments_outputs_and_exit_statuses(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "-h"], cwd=tmp_path,
                          env=crawl_env("http://127.0.0.1:9"), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    text = done.stdout
    accepted = {name.split("=")[0] for name in HELP}
    assert accepted == {"sub", "since", "full", "recheck_days"}  # what parse_arguments accepts, TOOL_ARGUMENTS aside
    assert not accepted & TOOL_ARGUMENTS
    for name in HELP:
        assert f"-a {name}" in text
    for status in (HEALTHY, UNHEALTHY, BAD_INPUT, LOCKED):
        assert f"\n  {status}  " in text
    assert "<feed stem>.summary.json" in text and "index.html only in <CQN_FEED_DIR>/<spider>/" in text
    assert "-O FILE" in text  # Scrapy's own options still listed
