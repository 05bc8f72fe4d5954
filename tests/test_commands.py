"""The project's own ``scrapy list`` and ``scrapy crawl`` commands."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from cqnnews.sections import SECTIONS
from tests.crawl import crawl_env


def test_scrapy_list_shows_every_spider_with_its_description(tmp_path: Path) -> None:
    out = subprocess.run([sys.executable, "-m", "scrapy", "list"], cwd=tmp_path, env=crawl_env("http://127.0.0.1:9"),
                         capture_output=True, text=True, check=True).stdout.splitlines()
    assert len(out) == len(SECTIONS)
    for s in SECTIONS:
        assert any(line.split()[0] == s.spider and s.description in line for line in out)


def test_unknown_spider_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "nosuch"], cwd=tmp_path,
                            env=crawl_env("http://127.0.0.1:9"), capture_output=True, text=True)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "cqnnews: error: unknown spider 'nosuch'; valid: " + ", ".join(sorted(s.spider for s in SECTIONS))]
