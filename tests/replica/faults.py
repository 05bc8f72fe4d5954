"""Faults the replica injects, like a real server on a bad day, deterministic from the seed.

``--faults 503=0.1,429=0.05,...`` gives each kind a probability per request: whether the
n-th request for a path fails is a pure function of (seed, path, n), so a fault is
transient (a retry may succeed) and a run is repeatable.  ``--fixed-faults`` designates
one article of 要闻二 per fixed kind, for tests that need a fault in a known place; what a
correct crawler must do with each is in :data:`OUTCOME`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cached_property

from tests.replica.site import ArticleRef, Site

#: kinds for --faults: transient, any path but robots.txt
RANDOM_KINDS = ("503", "500", "429", "slow", "hang", "drop", "truncate", "cut", "badcharset")
#: kinds of --fixed-faults, each on one article of 要闻二
FIXED_KINDS = ("burst503", "retry_after", "hang_once", "drop_once", "truncate_once", "cut_once", "malformed",
               "badcharset", "no_title", "no_date", "missing", "redirect_loop", "robots")
#: what a correct crawler does with each fixed kind: exported as usual, exported flagged, or failed (and listed)
OUTCOME = {
    "burst503": "exported", "retry_after": "exported", "hang_once": "exported", "drop_once": "exported",
    "truncate_once": "exported", "cut_once": "exported", "malformed": "exported", "badcharset": "exported",
    "no_date": "flagged", "no_title": "flagged", "missing": "failed", "redirect_loop": "failed", "robots": "failed",
}
RETRY_AFTER_SECONDS = 2
HANG_SECONDS = 8.0  # longer than the crawler's DOWNLOAD_TIMEOUT in tests
SLOW_SECONDS = 0.5
REFERENCE_LISTING = "综合/要闻二"


def parse_spec(text: str) -> dict[str, float]:
    """``503=0.1,429=0.05`` -> {'503': 0.1, '429': 0.05}; ValueError naming what is accepted."""
    rates: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        kind, _, value = part.partition("=")
        if kind not in RANDOM_KINDS:
            raise ValueError(f"unknown fault {kind!r}; accepted: {', '.join(RANDOM_KINDS)}")
        try:
            rate = float(value)
        except ValueError:
            raise ValueError(f"fault {kind} needs a probability, e.g. {kind}=0.05; got {value!r}") from None
        if not 0 <= rate <= 1:
            raise ValueError(f"fault {kind}: probability must be between 0 and 1, got {rate}")
        rates[kind] = rate
    if sum(rates.values()) > 1:
        raise ValueError("fault probabilities add up to more than 1")
    return rates


TITLE_MAX = 100  # the longest first line a crawler takes for a title (cqnnews.reading.parsers.readings.HEADLINE_MAX)


def _first_line_is_a_title(site: Site, ref: ArticleRef) -> bool:
    story = site.story(ref)
    first = story.blocks[0] if story.blocks else None
    return (first is not None and first.kind == "p" and len(first.text) <= TITLE_MAX and not story.repeat_title
            and story.byline in ("trailing", "own_line", "none") and len(story.blocks) > 1)


@dataclass
class FaultPlan:
    site: Site
    rates: dict[str, float] = field(default_factory=dict)
    fixed: bool = False
    refused: tuple[str, ...] = ()  # path prefixes answered 403 every time (a file server refusing hotlinks)

    def is_refused(self, path: str) -> bool:
        return path.startswith(self.refused) if self.refused else False

    @cached_property
    def designated(self) -> dict[str, ArticleRef]:
        """The article of each fixed kind: single-page current-layout UTF-8 articles of 要闻二, newest first."""
        if not self.fixed:
            return {}
        site = self.site
        plain = [r for r in site.own_articles(site.leaf(REFERENCE_LISTING))
                 if not r.is_reference and not site.is_cross_listed(r) and not site.is_revised(r)
                 and (v := site.variant(r)).layout == "current" and v.encoding == "utf-8" and not v.mojibake
                 and v.pages == 1]
        # no_title: a page with no headline anywhere, read with its first line as title (short, no byline in it)
        untitled = next((r for r in plain if _first_line_is_a_title(site, r)), None)
        rest = [r for r in plain if r is not untitled]
        if untitled is None or len(rest) < len(FIXED_KINDS) - 1:
            raise ValueError(f"--fixed-faults needs {len(FIXED_KINDS)} plain articles in 要闻二; raise --scale")
        kinds = [k for k in FIXED_KINDS if k != "no_title"]
        return {"no_title": untitled, **dict(zip(kinds, rest))}

    @cached_property
    def _by_path(self) -> dict[str, str]:
        return {ref.path: kind for kind, ref in self.designated.items()}

    def fixed_kind(self, path: str) -> str | None:
        return self._by_path.get(path)

    def robots_disallowed(self) -> list[str]:
        ref = self.designated.get("robots")
        return [ref.path] if ref else []

    def random_kind(self, path: str, attempt: int) -> str | None:
        """The fault of the ``attempt``-th request (1-based) for ``path``, or None."""
        if not self.rates or path == "/robots.txt":
            return None
        digest = hashlib.blake2b(f"{self.site.seed}:{path}:{attempt}".encode(), digest_size=8).digest()
        roll = int.from_bytes(digest, "big") / 2**64
        for kind, rate in self.rates.items():
            if roll < rate:
                return kind
            roll -= rate
        return None

    def expected_outcome(self, ref: ArticleRef) -> str:
        kind = self._by_path.get(ref.path)
        return OUTCOME[kind] if kind else "exported"
