"""``scrapy crawl`` for cron: checks before anything starts, an exit status that tells the truth.

Exit statuses: 0 healthy run (finding nothing new is healthy); 1 unhealthy run (see the
summary's ``problems``); 2 bad input (argument, setting, state directory or state file),
reported in one line on stderr before Scrapy starts; 3 another run of the spider holds the
lock in the state directory.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from scrapy.commands import ScrapyHelpFormatter
from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError
from scrapy.spiderloader import get_spider_loader

from cqnnews import failpoints
from cqnnews.crawl.arguments import HELP as ARGUMENTS
from cqnnews.crawl.startup_checks import check_outputs, check_settings
from cqnnews.errors import StateError
from cqnnews.outputs.summary import UNANSWERED
from cqnnews.sections import BadArgument
from cqnnews.state import lock, origin_state_dir
from cqnnews.state.store import StateStore
from cqnnews.urls import SiteUrls

HEALTHY, UNHEALTHY, BAD_INPUT, LOCKED = 0, 1, 2, 3


def refuse(message: str, status: int = BAD_INPUT) -> None:
    print(f"cqnnews: error: {message}", file=sys.stderr)
    sys.exit(status)


def said_why(exc: BaseException | None) -> None:
    """The crawl could not start: a known cause (Redis away past CQN_REDIS_OUTAGE_MAX, a state that cannot be
    opened) in one line; anything else with its whole traceback (a bug to report), once, not as asyncio's "Task
    exception was never retrieved"."""
    if exc is None:
        return
    if isinstance(exc, StateError):
        print(f"cqnnews: error: {exc}", file=sys.stderr)
    else:
        logging.getLogger(__name__).error("the crawl could not start", exc_info=(type(exc), exc, exc.__traceback__))


class _KeepLines(ScrapyHelpFormatter):
    """Scrapy's help layout, the description printed as written (argparse would run its lines together)."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        return "".join(indent + line for line in text.splitlines(keepends=True))


def crawl_help() -> str:
    """What ``scrapy crawl -h`` says beyond the options: spider arguments, outputs, exit statuses."""
    arguments = "\n".join(f"  -a {name:<20} {what}" for name, what in ARGUMENTS.items())
    return f"""Crawl one spider (scrapy list) into a deduplicated JSON Lines feed, politely.

Spider arguments (-a NAME=VALUE, each optional):
{arguments}

Where things go:
  feed      <CQN_FEED_DIR>/<spider>/<UTC start>.jsonl (feeds/ by default), or the file -o/-O names
            (.jsonl, .json, .csv, .xml)
  summary   beside the feed: <feed stem>.summary.json, with <feed stem>.report.html and
            <feed stem>.spotchecks.jsonl; the history page index.html only in <CQN_FEED_DIR>/<spider>/.
            A file of those names that cqnnews did not write is never replaced (the run is refused).
            For a feed elsewhere (stdout:, s3://) they go in <CQN_FEED_DIR>/<spider>/.
  state     <CQN_STATE_DIR>/<origin>/<spider>.sqlite3 (.cqnnews/), or Redis with CQN_REDIS_URL
  the last log line says what the run did and where its summary is.

Exit statuses:
  0  healthy run (finding nothing new is healthy)
  1  unhealthy run: the summary's "problems" say why (errors, failed articles, a feed not stored...)
  2  bad input, said in one line before any request: an argument, a setting (a CQN_ name with a typo),
     a folder the run would write that cannot be written, a missing extra, the crawl state
  3  another run of the spider holds its lock

Settings: -s NAME=VALUE or the environment (CQN_BASE_URL, CQN_FEED_DIR...); every one with its
default in cqnnews/settings.py."""


class Command(ScrapyCrawl):
    def short_desc(self) -> str:
        return "Crawl a spider into a feed; exit 0 healthy, 1 unhealthy, 2 bad input, 3 locked"

    def long_desc(self) -> str:
        return crawl_help()

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.formatter_class = _KeepLines

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
            check_settings(self.settings)
            check = getattr(spidercls, "check_arguments", None)
            if check is not None:
                check(dict(opts.spargs))
            base_url = self.settings.get("CQN_BASE_URL")
            if url := self.settings.get("CQN_REDIS_URL"):  # a worker of a shared crawl: state and queue in Redis
                from cqnnews.crawl.outage import RedisAway, wait_for  # the redis extra (checked just before)
                from cqnnews.state.redis_store import RedisStateStore, unreachable
                from cqnnews.state.redis_store import client as redis_client

                scope = f"{SiteUrls(base_url).origin_key}:{spidercls.name}"
                db = redis_client(url)  # a URL that is not one: refused at once
                try:  # Redis away: wait for it as a running worker does, up to CQN_REDIS_OUTAGE_MAX
                    wait_for(lambda: RedisStateStore(db, scope), url, self.settings.getfloat("CQN_REDIS_OUTAGE_MAX"),
                             "starting").close()
                except RedisAway as exc:
                    refuse(unreachable(url, exc.last) + " (waited CQN_REDIS_OUTAGE_MAX)" if exc.last else str(exc))
                failpoints.reached("redis_checked")
                self._check_outputs(spidercls.name)
                return
            state_dir = origin_state_dir(self.settings.get("CQN_STATE_DIR"), base_url)
            StateStore.open(state_dir, spidercls.name).close()
        except lock.LockHeld as exc:
            refuse(str(exc), LOCKED)
        except (BadArgument, ValueError) as exc:
            refuse(str(exc))
        try:
            lock.acquire(state_dir, spidercls.name)  # held until this process exits
        except lock.LockHeld as exc:
            refuse(str(exc), LOCKED)
        except OSError as exc:  # e.g. a directory where the lock file goes
            refuse(f"cannot take the run lock in {state_dir} ({exc.strerror or exc}); "
                   "set CQN_STATE_DIR to a directory cqnnews can write")
        self._check_outputs(spidercls.name)

    def _check_outputs(self, spider: str) -> None:
        """Every folder the run writes, last: a run refused for its arguments, state or lock makes none of them."""
        assert self.settings is not None
        try:
            check_outputs(self.settings, spider)
        except BadArgument as exc:
            refuse(str(exc))

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.crawler_process is not None
        crawler = self._create_crawler(args[0])
        # Scrapy filters by LOG_LEVEL in its handler, so every debug call still builds a record (two
        # a page, and dozens from charset detection): filter at the root instead.
        logging.root.setLevel(self.settings.get("LOG_LEVEL"))
        running = self.crawler_process.crawl(crawler, **opts.spargs)
        if isinstance(running, asyncio.Future):
            running.add_done_callback(lambda task: task.cancelled() or said_why(task.exception()))
        else:  # a Deferred (a Twisted reactor without asyncio)
            running.addErrback(lambda failure: said_why(failure.value))
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed or crawler.stats is None:
            self.exitcode = UNHEALTHY
            return
        self.exitcode = int(crawler.stats.get_value("cqnnews/exit_status", UNHEALTHY))
        if why := crawler.stats.get_value(UNANSWERED):  # the last line a person reads, in plain words
            print(f"cqnnews: error: the home page did not answer: {why} "
                  f"({self.settings.get('CQN_BASE_URL')}: is CQN_BASE_URL right, is the site up?)", file=sys.stderr)
