"""Named points in a run's end where a test can kill the process, to prove a crash there loses nothing.

``CQN_FAILPOINT=<name>`` in the environment makes the process kill itself (SIGKILL, as a
power cut or the OOM killer would) when it reaches that point; unset, each point costs one
dictionary lookup.  The points, in order: ``feed_flushed`` (the ``.part`` file fsynced),
``state_prepared`` (the feed's articles recorded in the crawl state as prepared),
``feed_renamed`` (the feed under its final name), ``state_committed`` (the articles marked
exported), ``summary_written``.  ``scrapy dataset`` has its own: ``dataset_written`` (the new
generation's tables written), ``dataset_synced`` (all of it on disk), ``dataset_switched``
(``current`` moved to it).
"""

from __future__ import annotations

import os
import signal

POINTS = ("feed_flushed", "state_prepared", "feed_renamed", "spotchecks_stored", "state_committed", "summary_written")
DATASET_POINTS = ("dataset_written", "dataset_synced", "dataset_switched")


def reached(point: str) -> None:
    if os.environ.get("CQN_FAILPOINT") == point:
        os.kill(os.getpid(), signal.SIGKILL)
