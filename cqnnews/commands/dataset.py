"""``scrapy dataset``: every feed of ``CQN_FEED_DIR`` (all spiders) into the dataset in ``CQN_DATASET_DIR``.

Ingests only the feeds it has not ingested before; safe to kill at any moment (the previous
dataset stays readable, the next run completes it); one line on stdout saying what it did, or one
line on stderr and exit status 1 if it could not.  See :mod:`cqnnews.outputs.dataset`.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from scrapy.commands import ScrapyCommand

from cqnnews.crawl.startup_checks import FRACTIONS, fraction
from cqnnews.extensions.dataset_update import update_dataset as run_update
from cqnnews.extras import install_hint, installed
from cqnnews.sections import BadArgument


class WithoutPandas:
    """An import finder that says pandas is not installed.  pyarrow imports pandas, when it is, at its first array
    (0.4 s: an eighth of an update of 10,000 lines) for conversions to pandas ``scrapy dataset`` never makes; the
    command's process goes without (pyarrow takes the ImportError for pandas missing).  Only in that process:
    pyarrow remembers the answer, and a process that goes on to use pandas must find it."""

    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        if name.partition(".")[0] == "pandas":
            raise ModuleNotFoundError(f"{name} is not used by scrapy dataset", name=name)


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False  # no crawl: no Scrapy start-up lines, its own one line says what it did

    def syntax(self) -> str:
        return "[options]"

    def short_desc(self) -> str:
        return "Update the dataset (Parquet + DuckDB) from every feed not ingested yet"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--feeds", help="the feed folder (CQN_FEED_DIR, feeds/)")
        parser.add_argument("--dataset", help="the dataset folder (CQN_DATASET_DIR, dataset/)")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        if not installed("dataset"):
            print("cqnnews: error: scrapy dataset needs the dataset extra (pyarrow, duckdb): "
                  f"{install_hint('dataset')}", file=sys.stderr)
            self.exitcode = 2
            return
        logging.basicConfig(level=logging.INFO, format="cqnnews: %(message)s", stream=sys.stderr)
        feeds = Path(opts.feeds or self.settings.get("CQN_FEED_DIR") or "feeds")
        dataset = Path(opts.dataset or self.settings.get("CQN_DATASET_DIR") or "dataset")
        state = self.settings.get("CQN_STATE_DIR")
        try:
            threshold = fraction("CQN_REPOST_SIMILARITY", self.settings.get("CQN_REPOST_SIMILARITY"), FRACTIONS[
                "CQN_REPOST_SIMILARITY"])
        except BadArgument as exc:
            print(f"cqnnews: error: {exc}", file=sys.stderr)
            self.exitcode = 2
            return
        if "pandas" not in sys.modules:
            sys.meta_path.insert(0, WithoutPandas())
        self.exitcode = run_update(feeds, dataset, Path(state) if state else None, threshold)
