"""When each replica article is published, and which id the site's counter gave it.

The real site numbers articles from one counter that grows with time (SITE.md lists
anchor points).  The replica splits time into fixed slots; every slot holds at most one
article of the whole site, so ids taken from a piecewise-linear fit through the anchors
are strictly increasing with publication time.  Each leaf listing owns the slots whose
number is congruent to its index, which keeps articles of different listings apart
without any global bookkeeping: an article's time and id are computed, not stored.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")

#: first instant of the replica's archive
T0 = datetime(2013, 1, 1, tzinfo=SHANGHAI)
#: end of the backlog that ``--scale`` sizes; after it every listing publishes daily
EPOCH = datetime(2026, 9, 30, tzinfo=SHANGHAI)
SLOT_SECONDS = 600
#: generated articles fall in the first minutes of their slot (see REFERENCE_TIME)
JITTER_SECONDS = 180
#: leaf slots between two articles of one listing after EPOCH (see DAILY_STEP_FOR)
ARTICLES_PER_DAY = 2

REFERENCE_ID = 6121542
REFERENCE_TIME = datetime(2018, 8, 3, 17, 13, 55, tzinfo=SHANGHAI)

# (time, article id) seen on the real site, see SITE.md
ID_ANCHORS: list[tuple[datetime, int]] = [
    (datetime(2012, 12, 31, tzinfo=SHANGHAI), 1_700_000),
    (datetime(2016, 7, 1, tzinfo=SHANGHAI), 2_980_000),
    (datetime(2018, 1, 1, tzinfo=SHANGHAI), 5_300_000),
    (REFERENCE_TIME, REFERENCE_ID),
    (datetime(2020, 12, 31, tzinfo=SHANGHAI), 8_660_000),
    (datetime(2024, 2, 1, tzinfo=SHANGHAI), 9_030_000),
    (datetime(2026, 9, 15, tzinfo=SHANGHAI), 9_170_000),
]
_ANCHOR_SECONDS = [(t - T0).total_seconds() for t, _ in ID_ANCHORS]
_ANCHOR_IDS = [i for _, i in ID_ANCHORS]


def _id_curve(seconds: float) -> float:
    """Piecewise-linear id through the anchors, extrapolated at both ends."""
    i = bisect.bisect_right(_ANCHOR_SECONDS, seconds)
    i = min(max(i, 1), len(_ANCHOR_SECONDS) - 1)
    x0, x1 = _ANCHOR_SECONDS[i - 1], _ANCHOR_SECONDS[i]
    y0, y1 = _ANCHOR_IDS[i - 1], _ANCHOR_IDS[i]
    return y0 + (y1 - y0) * (seconds - x0) / (x1 - x0)


def _min_ids_per_slot() -> float:
    slopes = [
        (y1 - y0) / (x1 - x0)
        for x0, x1, y0, y1 in zip(
            _ANCHOR_SECONDS, _ANCHOR_SECONDS[1:], _ANCHOR_IDS, _ANCHOR_IDS[1:]
        )
    ]
    return min(slopes) * SLOT_SECONDS


# Strictly increasing ids need at least one id per slot everywhere on the curve.
assert _min_ids_per_slot() >= 1.0, _min_ids_per_slot()

_REFERENCE_SECONDS = (REFERENCE_TIME - T0).total_seconds()


def slot_start(slot: int) -> datetime:
    return T0 + timedelta(seconds=slot * SLOT_SECONDS)


def slot_of(t: datetime) -> int:
    """The first slot that starts at or after ``t``."""
    return math.ceil((t - T0).total_seconds() / SLOT_SECONDS)


def article_id(slot: int) -> int:
    """The site-wide id of the article published in ``slot``.

    Slots after the reference article's are shifted by one so that no generated
    article takes its id.
    """
    seconds = slot * SLOT_SECONDS
    value = math.floor(_id_curve(seconds))
    return value + 1 if seconds > _REFERENCE_SECONDS else value


@dataclass(frozen=True)
class LeafSchedule:
    """The publication slots of one leaf listing.

    ``index`` and ``stride`` pick the slots the leaf owns; ``backlog`` articles are
    spread evenly over ``[start, min(end, EPOCH))``; after EPOCH, while before ``end``,
    one article every ``daily_step`` owned slots.
    """

    index: int
    stride: int
    start: datetime
    end: datetime | None
    backlog: int

    def _first_owned(self, t: datetime) -> int:
        s = slot_of(t)
        return s + (self.index - s) % self.stride

    @property
    def _backlog_slots(self) -> tuple[int, int]:
        first = self._first_owned(self.start)
        stop_time = EPOCH if self.end is None else min(self.end, EPOCH)
        capacity = max(0, (slot_of(stop_time) - first + self.stride - 1) // self.stride)
        return first, capacity

    @property
    def daily_step(self) -> int:
        owned_per_day = 86400 / SLOT_SECONDS / self.stride
        return max(1, int(owned_per_day / ARTICLES_PER_DAY))

    def check(self) -> None:
        _, capacity = self._backlog_slots
        if self.backlog > capacity:
            raise ValueError(
                f"scale too large: listing {self.index} holds at most {capacity} articles "
                f"before {EPOCH.date()}, asked for {self.backlog}"
            )

    def slots_until(self, now: datetime) -> list[int]:
        """Slots of the leaf's articles published at or before ``now``, oldest first."""
        first, capacity = self._backlog_slots
        slots = [
            first + self.stride * ((k * capacity) // self.backlog)
            for k in range(self.backlog)
        ] if self.backlog else []
        if self.end is None or self.end > EPOCH:
            step = self.stride * self.daily_step
            s = self._first_owned(EPOCH)
            stop = now if self.end is None else min(now, self.end)
            while slot_start(s) < stop:
                slots.append(s)
                s += step
        return [s for s in slots if published_at(s) <= now]


def published_at(slot: int) -> datetime:
    """Publication time of the article in ``slot``: a few minutes into it, to the second."""
    jitter = (slot * 7919) % JITTER_SECONDS
    return slot_start(slot) + timedelta(seconds=jitter)


@dataclass(frozen=True)
class ShadowSchedule:
    """The slots of a listing added after the others without moving a single one of their articles: the owned
    slot just after each of a host listing's articles, which the host never takes (it leaves at least one owned
    slot between two of its articles: checked)."""

    host: LeafSchedule

    @property
    def backlog(self) -> int:
        return self.host.backlog

    def check(self) -> None:
        self.host.check()
        _, capacity = self.host._backlog_slots
        if self.host.daily_step < 2 or capacity < 2 * self.host.backlog:
            raise ValueError(f"listing {self.host.index} leaves no free slot between its articles to shadow")

    def slots_until(self, now: datetime) -> list[int]:
        later = now + timedelta(seconds=self.host.stride * SLOT_SECONDS)
        return [s + self.host.stride for s in self.host.slots_until(later)
                if published_at(s + self.host.stride) <= now]
