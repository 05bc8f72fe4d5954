"""What the crawl state keeps of an article and a run: records shared by the SQLite and the Redis stores."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any, NamedTuple

SCHEMA_VERSION = 1  # of the crawl state, SQLite or Redis: a newer state is refused, never read
CONTENT_FIELDS = ("title", "subtitle", "published_at", "source", "authors", "editor", "keywords", "body", "images",
                  "attachments")


def content_hash(record: dict[str, Any]) -> str:
    """A hash of what an article says, not of when or where it was fetched."""
    payload = json.dumps([record.get(k) for k in CONTENT_FIELDS], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


@dataclass(frozen=True)
class Known:
    article_id: int
    url: str
    content_hash: str
    revision: int
    sections: list[str]


@dataclass(frozen=True)
class Exported:
    """What the state keeps of an article written to a feed."""

    article_id: int
    url: str
    content_hash: str
    published_at: str | None
    sections: list[str]
    revision: int


@dataclass(frozen=True)
class Pending:
    article_id: int
    url: str
    sections: list[str]
    reason: str | None
    attempts: int


KEEP_RUNS = 400  # run profiles kept in the state: more than a year of daily runs


class Retry(NamedTuple):
    """An article exported with a file still to fetch: pending again once its feed is committed."""

    article_id: int
    url: str
    sections: list[str]
    reason: str
    attempts: int  # runs that tried, this one included
