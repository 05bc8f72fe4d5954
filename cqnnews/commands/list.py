"""``scrapy list``: every spider's name, one per line, as scrapyd reads it; ``-v`` adds what each walks."""

from __future__ import annotations

import argparse

from scrapy.commands.list import Command as ScrapyList
from scrapy.spiderloader import get_spider_loader


class Command(ScrapyList):
    def short_desc(self) -> str:
        return "List spiders, one name per line (-v: with what each walks)"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("-v", "--verbose", action="store_true", help="add each spider's one-line description")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        loader = get_spider_loader(self.settings)
        for name in sorted(loader.list()):
            if not opts.verbose:
                print(name)
                continue
            doc = (loader.load(name).__doc__ or "").strip().splitlines()
            print(f"{name:<12} {doc[0] if doc else ''}".rstrip())
