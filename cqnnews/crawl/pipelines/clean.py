"""Cleaning: one form for the text fields, publication dates checked against the run's clock, flags counted.

Parsers already write text this way; this is where it is made sure of, whatever reader
produced the article, so every field has one form in the feed: strings on one line with
single spaces, no empty strings in lists, no repeats, a missing subtitle or editor null.
A publication time before 1995 or more than a day after the run's ``now`` (``CQN_NOW``,
else the real time) is not one: it is removed and the article flagged ``no_date``.
Control characters (NUL and the like, never in real text) are removed from every text field
and the article flagged ``control_characters``; a title over ``TITLE_FLAGGED_OVER`` characters is kept
whole and flagged ``title_too_long``.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from cqnnews.crawl.pipelines import RunPipeline
from cqnnews.items import Article
from cqnnews.reading.dates import plausible
from cqnnews.text import clean


class CleaningPipeline(RunPipeline):
    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Article):
            return item
        run = self.run
        if _strip_controls(item) and "control_characters" not in item.flags:
            item.flags.append("control_characters")
        item.title = clean(item.title)
        if len(item.title) > TITLE_FLAGGED_OVER:
            item.flags.append("title_too_long")
        item.source = clean(item.source)
        item.subtitle = clean(item.subtitle) or None if item.subtitle is not None else None
        item.editor = clean(item.editor) or None if item.editor is not None else None
        item.authors = _distinct(item.authors)
        item.keywords = _distinct(item.keywords)
        if item.published_at is not None and plausible(datetime.fromisoformat(item.published_at), run.now) is None:
            run.count("clean/implausible_date")
            item.published_at = None
            if "no_date" not in item.flags:
                item.flags.append("no_date")
        if item.layout == "generic":
            run.count("extract/generic")
        for flag in item.flags:
            run.count(f"article/flag/{flag}")
        return item


TITLE_FLAGGED_OVER = 500  # a longer title is flagged title_too_long (the site's longest are under 100)
# C0 and C1 controls but tab, line feed and carriage return (whitespace, which clean() handles)
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_TEXT_FIELDS = ("title", "subtitle", "source", "editor", "body")


def _strip_controls(item: Article) -> bool:
    """Remove control characters from the article's text; whether there were any."""
    found = False
    for name in _TEXT_FIELDS:
        value = getattr(item, name)
        if value and _CONTROLS.search(value):
            setattr(item, name, _CONTROLS.sub("", value))
            found = True
    for name in ("authors", "keywords", "breadcrumb"):
        values = getattr(item, name)
        if any(_CONTROLS.search(v) for v in values):
            setattr(item, name, [_CONTROLS.sub("", v) for v in values])
            found = True
    return found


def _distinct(values: list[str]) -> list[str]:
    return list(dict.fromkeys(c for c in (clean(v) for v in values) if c))
