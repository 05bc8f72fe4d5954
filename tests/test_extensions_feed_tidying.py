"""Tidying the feed folder after a run (cqnnews/extensions/feed_tidying.py), from an outcome made by hand."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from scrapy.settings import Settings

from cqnnews.extensions.feed_tidying import FeedTidying
from cqnnews.outputs.feeds import part_name
from tests.outcomes import outcome


def test_old_feeds_and_dead_runs_parts_go_the_run_and_the_living_stay(tmp_path: Path) -> None:
    made = outcome(tmp_path)  # writes yaowen/20261130T061000Z.jsonl, now
    folder = tmp_path / "yaowen"
    old = folder / "20261001T061000Z.jsonl"
    old.write_text("{}\n")
    os.utime(old, (time.time() - 40 * 86400,) * 2)
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    pid = int(gone.stdout)  # a process of this host that has exited
    dead_part = folder / part_name("20261002T061000Z.jsonl", "yaowen").replace(f".{os.getpid()}.", f".{pid}.")
    dead_part.write_text("{}\n")
    live_part = folder / part_name("20261003T061000Z.jsonl", "yaowen")
    live_part.write_text("{}\n")
    FeedTidying(Settings({"CQN_FEED_DIR": str(tmp_path), "CQN_KEEP_FEEDS_DAYS": "30"})).run_finished(made)
    assert sorted(p.name for p in folder.iterdir()) == sorted([made.feed_path.name, live_part.name])  # type: ignore


def test_feeds_are_kept_for_ever_by_default(tmp_path: Path) -> None:
    made = outcome(tmp_path)
    old = tmp_path / "yaowen" / "20261001T061000Z.jsonl"
    old.write_text("{}\n")
    os.utime(old, (time.time() - 400 * 86400,) * 2)
    FeedTidying(Settings({"CQN_FEED_DIR": str(tmp_path), "CQN_KEEP_FEEDS_DAYS": "0"})).run_finished(made)
    assert old.exists()
