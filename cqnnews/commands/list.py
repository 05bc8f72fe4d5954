"""``scrapy list``: every spider with its one-line description."""

from __future__ import annotations

import argparse

from scrapy.commands.list import Command as ScrapyList
from scrapy.spiderloader import get_spider_loader


class Command(ScrapyList):
    def short_desc(self) -> str:
        return "List spiders, one per line, with what each walks"

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        loader = get_spider_loader(self.settings)
        for name in sorted(loader.list()):
            doc = (loader.load(name).__doc__ or "").strip().splitlines()
            print(f"{name:<12} {doc[0] if doc else ''}".rstrip())
