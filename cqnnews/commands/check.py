"""``scrapy check``: every callback's contracts, with a throw-away crawl state and no feed.

Point ``CQN_BASE_URL`` at the replica (or the real site) first: the contracts' sample pages are
fetched from it (see :mod:`cqnnews.contracts`).
"""

from __future__ import annotations

import argparse

from scrapy.commands.check import Command as ScrapyCheck

from cqnnews.commands.parse import throw_away_state


class Command(ScrapyCheck):
    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        assert self.settings is not None
        throw_away_state(self.settings)
        self.settings.set("CQN_SAMPLE_ONLY", True, priority="cmdline")
