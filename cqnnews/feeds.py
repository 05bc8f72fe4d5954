"""Where a run's feed goes by default: ``<feed dir>/<spider>/<UTC start time>.jsonl``."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from scrapy.settings import BaseSettings

from cqnnews.items import FIELDS


def default_feed_path(feed_dir: str | Path, spider: str, started: datetime | None = None) -> Path:
    """A new file name, never an existing one: runs in the same second get ``-2``, ``-3``..."""
    stamp = (started or datetime.now(timezone.utc)).astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    folder = Path(feed_dir) / spider
    path = folder / f"{stamp}.jsonl"
    n = 2
    while path.exists():
        path = folder / f"{stamp}-{n}.jsonl"
        n += 1
    return path


def apply_default_feed(settings: BaseSettings, spider: str) -> None:
    """Add the default feed unless the command line named one (-o/-O or -s FEEDS)."""
    if settings.getdict("FEEDS"):
        return
    path = default_feed_path(settings.get("CQN_FEED_DIR", "feeds"), spider)
    options: dict[str, Any] = {"format": "jsonlines", "encoding": "utf-8", "fields": FIELDS}
    settings.set("FEEDS", {str(path): options}, priority="spider")
