"""A run's commit: a stored feed's articles marked exported in the crawl state, and only a stored feed's.

The steps, in order (each a failpoint a test kills the run at, :mod:`cqnnews.failpoints`): the
articles never answered counted; the feed checked to hold every article staged for it; the records
read from them stored beside it (``spotchecks_stored``); the listings, walks and failures recorded and
the prepared articles committed as exported, in one transaction (``state_committed``).  A feed not
stored leaves every article pending, its prepared commit undone.  A run killed in between is
completed or undone by the next (:func:`cqnnews.state.recover`).
"""

from __future__ import annotations

import logging
from typing import Any

from cqnnews import failpoints
from cqnnews.crawl.run import Run
from cqnnews.errors import StateError
from cqnnews.outputs.feeds import FAILED_STAT
from cqnnews.outputs.run_records import RunRecords
from cqnnews.signals import Walked, article_counted, article_failed
from cqnnews.urls import redact

logger = logging.getLogger(__name__)


def commit(run: Run, stats: Any, reason: str, feed: str | None, written: int | None, stored_uri: str | None,
           records: RunRecords, walked: Walked) -> tuple[bool, int, int]:
    """Whether the feed was stored and its articles committed, how many were, and how many are pending (-1: not
    known)."""
    # no feed (scrapy parse): nothing was exported anywhere, so nothing is marked exported
    stored = bool(feed) and not any(k.startswith("feedexport/failed_count/") for k in stats.get_stats()) \
        and not stats.get_value(FAILED_STAT)
    committed = 0
    for aid in sorted(run.coordination.unaccounted(run)):
        url, sections = run.scratch.get(aid) or (str(aid), [])
        if reason == "finished":  # e.g. a redirect loop the duplicate filter swallowed
            run.send(article_failed, article_id=aid, url=url, sections=sections,
                     reason="no response (redirected in a loop or filtered)")
        else:  # stopping is not failing: still pending, fetched by the next run
            run.count("article/not_fetched")
            run.send(article_counted, sections=sections, outcome="not_fetched")
    staged, tally = run.scratch.exported_count(), run.tally
    if stored and written is not None and written != staged:
        logger.error("the feed %s holds %d articles but %d were exported into it: none is marked exported",
                     feed, written, staged)
        stats.inc_value("cqnnews/feed/incomplete")
        stored = False
    records_failed = False
    if stored:
        stored = not (records_failed := not records.store(stored_uri or feed or "", stats.get_value("start_time")))
        if records_failed:
            stats.set_value(FAILED_STAT, 1)
    else:
        records.discard()
    if stored:
        try:
            run.store.update_listings(walked.incomplete, walked.complete - walked.incomplete)
            run.store.update_walks(walked.unfinished, walked.finished - set(walked.unfinished))
            run.store.record_failures((f.article_id, f.url, f.sections, f.reason) for f in tally.failed)
            retry = [r for aid, r in sorted(tally.attachment_retries.items())
                     if aid in tally.unchanged or run.scratch.was_exported(aid)]
            if tally.prepared_feed is not None:  # stored by AtomicFileFeedStorage: prepared before the rename
                committed = run.store.commit_prepared(tally.prepared_feed, tally.unchanged, retry)
            else:  # another storage (stdout:, s3://...): accepted by it
                where = redact(stored_uri or feed or "")
                committed = run.store.commit_exported(run.scratch.exported(), where, tally.unchanged, retry)
            stats.set_value("cqnnews/committed", committed)
            failpoints.reached("state_committed")
        except Exception as exc:
            logger.error("could not update the crawl state %s (%s); articles of this run stay pending",
                         run.store.path, exc)
            stored = False
    elif tally.prepared_feed is not None and records_failed:
        # the feed is stored: left prepared, as after a kill at this point, for state.recover to finish
        logger.error("the next run writes the spot-check records from %s and completes its commit",
                     tally.prepared_feed)
    elif tally.prepared_feed is not None:
        try:
            run.store.discard_prepared(tally.prepared_feed)
        except StateError as exc:  # Redis away for good: the next worker's recovery undoes it
            logger.error("%s", exc)
    try:
        pending = run.store.pending_count() if stored else -1
    except StateError as exc:  # Redis away for good
        logger.error("%s", exc)
        pending = -1
    return stored, committed, pending


def lost(run: Run) -> list[str]:
    """Articles the crawl left pending that no failure explains, as a problem of the run (the last worker out of a
    shared crawl checks, once it left); [] if none."""
    unexplained = getattr(run.coordination, "unexplained", None)
    try:
        count = int(unexplained(run)) if unexplained is not None else 0
    except StateError as exc:
        logger.error("%s", exc)
        return []
    return [f"{count} articles left pending that no failure explains: not in any feed of this crawl"] if count else []
