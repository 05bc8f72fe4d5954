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
from pathlib import Path

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError
from scrapy.spiderloader import get_spider_loader

from cqnnews import failpoints
from cqnnews.checks import check_settings
from cqnnews.sections import BadArgument
from cqnnews.state import lock, origin_state_dir
from cqnnews.outage import RedisAway, wait_for
from cqnnews.state.redis_store import RedisStateStore, unreachable
from cqnnews.state.redis_store import client as redis_client
from cqnnews.state.store import StateError, StateStore
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
            check_settings(self.settings)
            check = getattr(spidercls, "check_arguments", None)
            if check is not None:
                check(dict(opts.spargs))
            base_url = self.settings.get("CQN_BASE_URL")
            if url := self.settings.get("CQN_REDIS_URL"):  # a worker of a shared crawl: state and queue in Redis
                scope = f"{SiteUrls(base_url).origin_key}:{spidercls.name}"
                db = redis_client(url)  # a URL that is not one: refused at once
                try:  # Redis away: wait for it as a running worker does, up to CQN_REDIS_OUTAGE_MAX
                    wait_for(lambda: RedisStateStore(db, scope), url, self.settings.getfloat("CQN_REDIS_OUTAGE_MAX"),
                             "starting").close()
                except RedisAway as exc:
                    refuse(unreachable(url, exc.last) + " (waited CQN_REDIS_OUTAGE_MAX)" if exc.last else str(exc))
                failpoints.reached("redis_checked")
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
        if self.settings.getbool("CQN_DATASET_AUTO") and crawler.stats.get_value("cqnnews/committed"):
            from cqnnews.commands.dataset import run_update

            feeds = Path(self.settings.get("CQN_FEED_DIR") or "feeds")
            state = self.settings.get("CQN_STATE_DIR")
            if run_update(feeds, Path(self.settings.get("CQN_DATASET_DIR") or "dataset"),
                          Path(state) if state else None) != HEALTHY:
                self.exitcode = UNHEALTHY
