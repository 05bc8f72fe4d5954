"""The project's own signals: what a run counts as it goes, and the one at its end with the outcome it carries.

:class:`~cqnnews.extensions.ledger.RunLedger` sends :data:`run_finished` once the run is committed (or
not), with a frozen :class:`RunOutcome`.  Each after-run job (the monitors, the report, the alerts,
the summary, the Prometheus file, tidying, the dataset) is an extension listening to it, called in
turn in their ``EXTENSIONS`` order; a listener that finds a problem (a failed monitor, a report or
an alert that could not go out) returns the outcome with it added (:meth:`RunOutcome.adding`), and
the ones after it see it.  The run's exit status is the final outcome's health.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from pydispatch.dispatcher import getAllReceivers, liveReceivers
from pydispatch.robustapply import robustApply

logger = logging.getLogger(__name__)

#: sent by the ledger with ``outcome`` (a :class:`RunOutcome`) and ``state`` (the crawl state, still open)
run_finished = object()
#: sent by a section spider as it closes, once, with ``walked`` (a :class:`Walked`): what its listing walks found
walks_ended = object()


def frozen(value: Any) -> Any:
    """``value`` with every dict read-only and every list a tuple, all the way down."""
    if isinstance(value, Mapping):
        return MappingProxyType({k: frozen(v) for k, v in value.items()})
    if isinstance(value, (list, tuple, set, frozenset)):
        return tuple(frozen(v) for v in (sorted(value) if isinstance(value, (set, frozenset)) else value))
    return value


def thawed(value: Any) -> Any:
    """A :func:`frozen` value as plain dicts and lists again (for JSON)."""
    if isinstance(value, Mapping):
        return {k: thawed(v) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return [thawed(v) for v in value]
    return value


@dataclass(frozen=True)
class Walked:
    """What a run's listing walks found (:class:`~cqnnews.crawl.pages.walker.ListingWalker`), as the spider closed."""

    routes: Mapping[str, str] = field(default_factory=lambda: frozen({}))  # listing -> the route that found it
    missing: tuple[str, ...] = ()  # listings no route found
    first_pages: Mapping[str, int] = field(default_factory=lambda: frozen({}))  # articles each first page links
    listings: tuple[Mapping[str, Any], ...] = ()  # each listing walked: name, node, route, reading...
    complete: frozenset[str] = frozenset()  # listings walked to their end (or to -a since)
    incomplete: frozenset[str] = frozenset()  # listings with a page that failed: walked in full next run
    unfinished: Mapping[str, int] = field(default_factory=lambda: frozen({}))  # node: the page to resume at
    finished: frozenset[str] = frozenset()  # nodes walked to their end (or a known stop)


@dataclass(frozen=True)
class RunOutcome:
    """What a run did, as its end saw it: nothing here changes once sent, but by :meth:`adding`."""

    spider: str
    reason: str  # the finish reason: finished, shutdown, ...
    feed: str | None  # where the feed went (its URI, credentials redacted); None without a feed (scrapy parse)
    feed_path: Path | None = None  # the stored feed on local disk; None elsewhere (stdout:, s3://) or not stored
    feed_format: str | None = None
    stored: bool = False  # the feed stored and its articles committed in the crawl state
    committed: int = 0  # articles marked exported
    pending: int = -1  # articles pending after the run; -1: not known
    summary_path: Path | None = None  # where the run's summary goes (beside the feed, else in the feed folder)
    stats: Mapping[str, Any] = field(default_factory=lambda: frozen({}))  # the crawl's stats, at its end
    tally: Mapping[str, Mapping[str, int]] = field(default_factory=lambda: frozen({}))  # outcomes per section
    totals: Mapping[str, int] = field(default_factory=lambda: frozen({}))  # each article once
    failed: tuple[Mapping[str, Any], ...] = ()  # article_id, url, sections, reason
    routes: Mapping[str, str] = field(default_factory=lambda: frozen({}))  # listing -> the route that found it
    missing: tuple[str, ...] = ()  # listings no route found
    listings: tuple[Mapping[str, Any], ...] = ()  # each listing walked: name, node, route, reading...
    attachment_failures: tuple[Mapping[str, Any], ...] = ()
    records: Mapping[str, Mapping[str, Any]] = field(default_factory=lambda: frozen({}))  # spotchecks, recalls
    run: Mapping[str, Any] = field(default_factory=lambda: frozen({}))  # origin, version, arguments, settings...
    profile: Mapping[str, Any] | None = None  # what the run (the crawl, shared) read, for the monitors
    history: tuple[Mapping[str, Any], ...] = ()  # the earlier runs' profiles, oldest first (the monitors')
    problems: tuple[str, ...] = ()  # why the run is unhealthy, so far
    monitor_problems: tuple[str, ...] = ()  # those of the problems the monitors found
    report_page: Path | None = None  # where the report went, once written

    @property
    def healthy(self) -> bool:
        return not self.problems

    def adding(self, problems: tuple[str, ...] | list[str] = (), **found: Any) -> "RunOutcome":
        """This outcome with ``problems`` added and what a listener ``found`` (its own fields) set."""
        return replace(self, problems=(*self.problems, *problems), **{k: frozen(v) for k, v in found.items()})


def send_in_turn(sender: Any, outcome: RunOutcome, **named: Any) -> RunOutcome:
    """:data:`run_finished` to each listener in turn, in the order they connected (their EXTENSIONS order):
    the outcome a listener returns is the one the next gets.  A listener that breaks is logged, and said in the
    outcome's problems: the others still run."""
    for receiver in liveReceivers(getAllReceivers(sender, run_finished)):
        try:
            outcome = robustApply(receiver, signal=run_finished, sender=sender, outcome=outcome, **named) or outcome
        except Exception as exc:
            logger.error("%r failed at the run's end", receiver, exc_info=exc)
            outcome = outcome.adding([f"an after-run job failed ({type(exc).__name__}: {exc})"])
    return outcome


# What a run counts, sent by the component that saw it happen (``run.send(signal, **named)``,
# :meth:`cqnnews.crawl.run.Run.send`); the run's tally (:class:`cqnnews.crawl.tally.RunTally`) is the one listener that keeps
# the count, with Scrapy's ``item_dropped`` for an article a pipeline refused.

#: an article given up this run: ``article_id``, ``url``, ``sections``, ``reason``
article_failed = object()
#: an article's ``outcome`` in its ``sections``: new, revised, duplicate (known on a listing page), not_fetched
article_counted = object()
#: an article exported before, read again with the same content: ``article_id``, ``sections``
article_unchanged = object()
#: an article read from its pages: ``article`` (an :class:`~cqnnews.items.Article`), ``fallbacks``, ``rejected``
article_read = object()
#: how many articles the run requests: ``count``
articles_requested = object()
#: the articles are handed to the scheduler: from now on an article without an outcome is unaccounted for
articles_scheduled = object()
#: where the crawl is now, for the progress lines: ``where`` (a listing's page, ``articles``)
crawl_moved = object()
#: articles pending for an attachment: ``attempts`` (article id -> the earlier runs that tried it)
attachment_tried = object()
#: an attachment not downloaded: ``article_id``, ``url``, ``reason``, ``attempt`` (this run's, counting from 1),
#: ``retry`` (a :class:`~cqnnews.state.records.Retry` to fetch it next run; None: given up)
attachment_failed = object()
#: the feed's articles recorded in the crawl state as prepared for ``feed``, before the feed is renamed into place
feed_prepared = object()
