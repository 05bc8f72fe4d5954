"""``scrapy parse --spider=<spider> <article URL>``: the article as a crawl would export it, touching nothing.

Scrapy's own parse command, with the run pointed at a throw-away crawl state and no feed: the
state directory and the feed directory are left exactly as they were.  Add ``--pipelines`` to
see the article after cleaning and validation; ``--depth 50`` to follow an article's other pages.
"""

from __future__ import annotations

import argparse
import atexit
import shutil
import tempfile

from scrapy.commands.parse import Command as ScrapyParse
from scrapy.settings import BaseSettings


def throw_away_state(settings: BaseSettings) -> None:
    """The run keeps its crawl state in a temporary directory, removed at exit, writes no feed and downloads no
    attachment."""
    scratch = tempfile.mkdtemp(prefix="cqnnews-")
    atexit.register(shutil.rmtree, scratch, ignore_errors=True)
    settings.set("CQN_STATE_DIR", scratch, priority="cmdline")
    settings.set("CQN_FEED_DIR", "", priority="cmdline")  # no default feed
    settings.set("CQN_FILES_STORE", "", priority="cmdline")  # no attachment downloaded


class Command(ScrapyParse):
    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        assert self.settings is not None
        throw_away_state(self.settings)
