"""One policy for Redis going away, from a worker's first instruction to its last.

While Redis cannot be reached a worker pauses: it says so once, tries again, and resumes
when Redis answers; away more than ``CQN_REDIS_OUTAGE_MAX`` seconds, it stops with one line
(no traceback), its feed stored and everything it held still pending.  Two ways to wait:

* :class:`Outage`, while crawling: a call that fails is noted (:meth:`Outage.failed`) and
  the reactor goes on (the scheduler, the heartbeat and the idle check try again on their
  own pace); past the limit the spider is closed (reason ``redis_unavailable``).
* :meth:`Outage.wait` (and :func:`wait_for` before a crawler exists), at start and at the
  close, where nothing else is to be done: the call is tried again every half second, and
  past the limit :class:`RedisAway` is raised, one line for the user.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import redis
from scrapy.utils.defer import deferred_from_coro

from cqnnews.errors import StateError
from cqnnews.urls import redact

HEARTBEAT_SECONDS = 2.0
ALIVE_SECONDS = 10  # a worker silent this long is gone
RETRY_SECONDS = 0.5
logger = logging.getLogger(__name__)
T = TypeVar("T")


class RedisAway(StateError):
    """Redis was away longer than ``CQN_REDIS_OUTAGE_MAX``: the worker stops (the message is its one line)."""

    def __init__(self, message: str, last: BaseException | None = None) -> None:
        super().__init__(message)
        self.last = last  # the last error Redis gave


class RedisRefused(StateError):
    """Redis answered, and refused: a wrong password or user (no wait mends it; the message is the one line)."""


# errors of a Redis that answers: said at once, never waited out as an outage
REFUSALS = (redis.AuthenticationError, redis.exceptions.AuthenticationWrongNumberOfArgsError)


def away_line(url: str, seconds: float) -> str:
    return (f"Redis at {redact(url)} has been away {seconds:.0f}s (CQN_REDIS_OUTAGE_MAX): stopping; every article not "
            "in a stored feed stays pending for the next run")


def wait_for(call: Callable[[], T], url: str, limit: float, what: str, outage: "Outage | None" = None) -> T:
    """``call()``, tried again every RETRY_SECONDS while Redis cannot be reached; RedisAway past ``limit``."""
    since: float | None = None
    while True:
        try:
            result = call()
        except REFUSALS as exc:
            from cqnnews.state.redis_store import unreachable

            raise RedisRefused(unreachable(url, exc)) from None
        except redis.RedisError as exc:
            now = time.monotonic()
            if outage is not None:
                outage.note_failure(exc)
            if since is None:
                since = outage.since if outage is not None and outage.since is not None else now
                if outage is None:
                    logger.warning("Redis at %s cannot be reached (%s) while %s: pausing; stopping if it is away more "
                                   "than %.0fs (CQN_REDIS_OUTAGE_MAX)", redact(url), type(exc).__name__, what, limit)
            if now - since > limit:
                raise RedisAway(away_line(url, now - since), exc) from None
            time.sleep(RETRY_SECONDS)
            continue
        if outage is not None:
            outage.answered()
        elif since is not None:
            logger.warning("Redis at %s answers again after %.0fs: resuming", redact(url), time.monotonic() - since)
        return result


class Outage:
    """Redis unreachable: when it began, said once, and when to stop waiting for it."""

    def __init__(self, crawler: Any, url: str) -> None:
        self.crawler = crawler
        self.url = url
        self.limit = crawler.settings.getfloat("CQN_REDIS_OUTAGE_MAX")
        self.since: float | None = None
        self.back_at = 0.0  # when Redis last answered again after an outage
        self.stopping = False

    def note_failure(self, exc: BaseException) -> None:
        """Said once per outage, counted; nothing stopped."""
        if self.since is None:
            self.since = time.monotonic()
            logger.warning("Redis at %s cannot be reached (%s): pausing; stopping if it is away more than %.0fs "
                           "(CQN_REDIS_OUTAGE_MAX)", redact(self.url), type(exc).__name__, self.limit)
            if self.crawler.stats is not None:
                self.crawler.stats.inc_value("cqnnews/redis/outages")

    def failed(self, exc: BaseException) -> None:
        self.note_failure(exc)
        assert self.since is not None
        if time.monotonic() - self.since > self.limit:
            self.give_up()

    def give_up(self) -> None:
        """Past the limit: said once, and the spider closed (reason ``redis_unavailable``) if it is open."""
        if self.stopping:
            return
        self.stopping = True
        if self.crawler.stats is not None:
            self.crawler.stats.set_value("cqnnews/redis/gave_up", 1)
        try:
            engine = self.crawler.engine
        except RuntimeError:  # Scrapy 2.19: not set before the crawl starts
            engine = None
        if engine is not None and engine.spider is not None:
            logger.error("%s", away_line(self.url, time.monotonic() - (self.since or time.monotonic())))
            closing = deferred_from_coro(engine.close_spider_async(reason="redis_unavailable"))
            closing.addErrback(lambda failure: logger.error("closing the spider failed: %s", failure.getErrorMessage()))

    def answered(self) -> None:
        if self.since is not None:
            logger.warning("Redis at %s answers again after %.0fs: resuming", redact(self.url),
                           time.monotonic() - self.since)
            self.since = None
            self.back_at = time.monotonic()

    def wait(self, call: Callable[[], T], what: str) -> T:
        """``call()`` at start or at the close: tried again until Redis answers; RedisAway past the limit (at once,
        once the worker gave up: each step of its close does not wait the whole limit again)."""
        if self.stopping:
            try:
                return call()
            except redis.RedisError:
                raise RedisAway(away_line(self.url, time.monotonic() - (self.since or time.monotonic()))) from None
        try:
            return wait_for(call, self.url, self.limit, what, outage=self)
        except RedisAway:
            self.give_up()  # crawling: said and the spider closed; starting: the exception is the one line
            raise

    @property
    def away(self) -> bool:
        return self.since is not None

    def settled(self) -> bool:
        """Whether every worker has had time to beat again since Redis came back (or it never left)."""
        return self.since is None and time.monotonic() - self.back_at > ALIVE_SECONDS + HEARTBEAT_SECONDS


#: calls made while a page is read: a page read again after one failed would look like a repeat of itself
READS = frozenset({"known", "exported"})


class PatientStore:
    """A crawl state in Redis whose calls wait out an outage (:meth:`Outage.wait`): the reads a page's callback
    makes (:data:`READS`) while crawling, and every call at the close, where a call that failed at once would
    leave a stored feed uncommitted."""

    def __init__(self, store: Any, outage: Outage, only: frozenset[str] | None = None) -> None:
        self._store = store
        self._outage = outage
        self._only = only  # the calls that wait (None: every one)

    def wait_on_every_call(self) -> None:
        """From now on (the run's close) every call waits out an outage, not only the reads."""
        self._only = None

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._store, name)
        if not callable(value) or (self._only is not None and name not in self._only):
            return value

        def patiently(*args: Any, **kwargs: Any) -> Any:
            # an iterator given (the run's exported articles) is read once: kept whole for the next try
            args = tuple(list(a) if isinstance(a, Iterator) else a for a in args)
            kwargs = {k: list(v) if isinstance(v, Iterator) else v for k, v in kwargs.items()}
            return self._outage.wait(lambda: value(*args, **kwargs), f"updating the crawl state ({name})")
        return patiently
