"""Named points in a run where a test can kill the process, or hold it while it breaks something, to prove a
crash or an outage there loses nothing.

``CQN_FAILPOINT=<name>`` in the environment makes the process kill itself (SIGKILL, as a
power cut or the OOM killer would) when it reaches that point; unset, each point costs one
dictionary lookup.  The points at a run's end, in order: ``feed_flushed`` (the ``.part`` file fsynced),
``state_prepared`` (the feed's articles recorded in the crawl state as prepared),
``feed_renamed`` (the feed under its final name), ``state_committed`` (the articles marked
exported), ``summary_written``.  ``scrapy dataset`` has its own: ``dataset_written`` (the new
generation's tables written), ``dataset_synced`` (all of it on disk), ``dataset_switched``
(``current`` moved to it).

A worker of a shared crawl has one at each Redis step (:data:`REDIS_POINTS`): at start
``redis_checked`` (the command reached Redis), ``run_opened`` (the crawl state opened, before
recovery), ``scheduler_opened``, ``crawl_joined`` (the heartbeat started); at the phase switch
``switch_taken`` and ``switch_queued`` (every article queued, the phase not yet set); at the
re-queue ``requeued_one`` (one article a dead worker held queued again); ``crawl_finishing``
(nothing left: the crawl is about to be marked done); the commit's points above.

``CQN_PAUSEPOINT=<name>`` with ``CQN_PAUSE_DIR=<folder>`` holds the process instead, the first
time it reaches the point: it writes ``<folder>/<name>.<pid>`` and waits until that file is
removed, so a test can stop Redis (or kill a peer) exactly there, then let it go on.  At
``article_exported`` (a shared-crawl worker's first article exported) the hold pauses the engine
instead (:func:`hold_engine`): the worker takes no more work but keeps beating, alive.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import Any

POINTS = ("feed_flushed", "state_prepared", "feed_renamed", "spotchecks_stored", "state_committed", "summary_written")
DATASET_POINTS = ("dataset_written", "dataset_synced", "dataset_switched")
REDIS_POINTS = ("redis_checked", "run_opened", "scheduler_opened", "crawl_joined", "switch_taken", "switch_queued",
                "requeued_one", "crawl_finishing", "article_exported")
HOLD_SECONDS = 300.0  # a test that forgets a held process does not leave it waiting for ever
_held: set[str] = set()


def reached(point: str) -> None:
    if os.environ.get("CQN_FAILPOINT") == point:
        os.kill(os.getpid(), signal.SIGKILL)
    if os.environ.get("CQN_PAUSEPOINT") == point and point not in _held and os.environ.get("CQN_PAUSE_DIR"):
        _held.add(point)
        hold(Path(os.environ["CQN_PAUSE_DIR"]) / f"{point}.{os.getpid()}")


def hold(marker: Path) -> None:
    """Say "here" with ``marker`` and wait until it is removed."""
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text("held\n")
    deadline = time.monotonic() + HOLD_SECONDS
    while marker.exists() and time.monotonic() < deadline:
        time.sleep(0.02)


def hold_engine(point: str, engine: Any) -> None:
    """``CQN_PAUSEPOINT=<point>``: the engine paused (no new request taken; the reactor, so the heartbeat, goes
    on) from the first time the point is reached until its marker is removed."""
    if os.environ.get("CQN_PAUSEPOINT") != point or point in _held or not os.environ.get("CQN_PAUSE_DIR"):
        return
    from twisted.internet import task

    _held.add(point)
    marker = Path(os.environ["CQN_PAUSE_DIR"]) / f"{point}.{os.getpid()}"
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text("held\n")
    engine.pause()

    def let_go() -> None:
        if not marker.exists():
            engine.unpause()
            watch.stop()

    watch = task.LoopingCall(let_go)
    watch.start(0.05)
