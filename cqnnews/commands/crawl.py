"""``scrapy crawl``, checking the spider's arguments and the settings before anything starts.

A bad argument or setting stops the run with one line on stderr saying what is accepted,
and exit status 2, before Scrapy starts, any request is sent or any feed is opened.
"""

from __future__ import annotations

import argparse
import sys

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError
from scrapy.spiderloader import get_spider_loader

from cqnnews.sections import BadArgument
from cqnnews.urls import SiteUrls

BAD_INPUT = 2


def refuse(message: str) -> None:
    print(f"cqnnews: error: {message}", file=sys.stderr)
    sys.exit(BAD_INPUT)


class Command(ScrapyCrawl):
    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        if len(args) != 1:
            raise UsageError("give exactly one spider: scrapy crawl SPIDER (see scrapy list)", print_help=False)
        assert self.settings is not None
        loader = get_spider_loader(self.settings)
        try:
            spidercls = loader.load(args[0])
        except KeyError:
            refuse(f"unknown spider {args[0]!r}; valid: {', '.join(sorted(loader.list()))}")
        try:
            SiteUrls(self.settings.get("CQN_BASE_URL"))
            check = getattr(spidercls, "check_arguments", None)
            if check is not None:
                check(dict(opts.spargs))
        except (BadArgument, ValueError) as exc:
            refuse(str(exc))
