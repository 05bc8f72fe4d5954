"""The article item: the feed's public schema (cqnnews/schema/article.schema.json)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, TypedDict

from itemadapter import ItemAdapter


class ImageRef(TypedDict):
    url: str
    caption: str | None


class TableRecord(TypedDict):
    caption: str | None
    header: list[str]
    rows: list[list[str]]


class AttachmentRef(TypedDict):
    url: str
    title: str
    path: str | None  # in CQN_FILES_STORE, once downloaded: <2 hex>/<sha256><ext>
    checksum: str | None  # SHA-256 of the file
    size: int | None
    content_type: str | None
    tables: list[TableRecord] | None  # a spreadsheet's sheets, once downloaded and read


@dataclass(slots=True)
class Article:
    url: str
    article_id: int
    revision: int
    channel: str
    breadcrumb: list[str]
    sections: list[str]
    title: str
    subtitle: str | None
    published_at: str | None
    source: str
    authors: list[str]
    editor: str | None
    keywords: list[str]
    body: str
    images: list[ImageRef]
    attachments: list[AttachmentRef]
    tables: list[TableRecord]
    layout: str
    pages: int
    fetched_at: str
    flags: list[str] = field(default_factory=list)
    duplicate_of: int | None = None  # set on the feed's line once the run is read whole (cqnnews/outputs/feed_reposts.py)
    similarity: float | None = None


#: the feed's column order
FIELDS: list[str] = [f.name for f in fields(Article)]


def item_record(item: Any) -> dict[str, Any]:
    """The item's fields as a dict; an Article's read directly (ItemAdapter.asdict() deep-copies it)."""
    if isinstance(item, Article):
        return {name: getattr(item, name) for name in FIELDS}
    return ItemAdapter(item).asdict()
