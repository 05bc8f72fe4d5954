"""The dataset's tables: their columns (Arrow types, and the same as DuckDB types), and the kinds of sidecar
records read beside each feed.

A sidecar kind is one :class:`Sidecar` in :data:`SIDECARS`: the suffix of its file beside the feed
(``<feed stem><suffix>``), its records' columns, its reader, and the column naming the article line the
records were written with.  Its table in the dataset holds the records written with each article's winning
line, partitioned like ``articles`` by the article's month; adding a kind is one entry here.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from cqnnews.outputs.spotcheck_feed import RECALLS, SPOTCHECKS
from cqnnews.schema.arrow import ARTICLE_SCHEMA, RECALL_SCHEMA, SPOTCHECK_SCHEMA, read_recalls, read_spotchecks

SEEN = pa.timestamp("s", tz="UTC")
STRINGS = pa.list_(pa.string())
# what the dataset adds to a line: about the article (all its lines) and where its winning line came from
ARTICLE_EXTRA = [("revisions", pa.int32()), ("first_seen", SEEN), ("last_seen", SEEN), ("feed", pa.string()),
                 ("origin", pa.string())]
ARTICLES_SCHEMA = pa.schema([*ARTICLE_SCHEMA, *(pa.field(n, t) for n, t in ARTICLE_EXTRA)])
REVISIONS_SCHEMA = pa.schema([
    ("origin", pa.string()), ("article_id", pa.int64()), ("revision", pa.int32()), ("fetched_at", SEEN),
    ("feed", pa.string()), ("changed", STRINGS), ("paragraphs_added", STRINGS), ("paragraphs_removed", STRINGS)])
# the fields whose change a revision row names (sections and breadcrumb differ by spider, not by revision)
COMPARED = ("title", "subtitle", "published_at", "source", "authors", "editor", "keywords", "body", "images",
            "attachments", "tables", "layout", "pages")


@dataclass(frozen=True)
class Sidecar:
    """Records written beside each feed, ``<feed stem><suffix>``, each naming its article by ``key``."""

    table: str
    suffix: str
    schema: pa.Schema
    read: Callable[[Path], pa.Table]
    key: str = "article_id"
    # columns naming one record among those of one line: a repeat starts the records of another line of the
    # same article (a feed appended by a later run)
    identity: tuple[str, ...] = ()

    @property
    def columns(self) -> pa.Schema:
        """The table's columns in the dataset: the record's, and the feed and origin of its line."""
        return self.schema.append(pa.field("feed", pa.string())).append(pa.field("origin", pa.string()))


SIDECARS = (
    Sidecar("spotchecks", SPOTCHECKS.suffix, SPOTCHECK_SCHEMA, read_spotchecks,
            identity=("source", "file_checksum", "table", "row")),
    Sidecar("recalls", RECALLS.suffix, RECALL_SCHEMA, read_recalls, identity=("recall",)),
)


def tables() -> dict[str, pa.Schema]:
    """Every table of the dataset and its columns (read at each update: a sidecar kind added to
    :data:`SIDECARS` is a table of the next one)."""
    return {"articles": ARTICLES_SCHEMA, "revisions": REVISIONS_SCHEMA, **{s.table: s.columns for s in SIDECARS}}


def duck_type(kind: pa.DataType) -> str:
    """The DuckDB type of an Arrow type (those of the feeds' schemas)."""
    if pa.types.is_string(kind):
        return "VARCHAR"
    if pa.types.is_int64(kind):
        return "BIGINT"
    if pa.types.is_int32(kind):
        return "INTEGER"
    if pa.types.is_boolean(kind):
        return "BOOLEAN"
    if pa.types.is_timestamp(kind):
        return "TIMESTAMPTZ" if kind.tz else "TIMESTAMP"
    if pa.types.is_map(kind):
        return f"MAP({duck_type(kind.key_type)}, {duck_type(kind.item_type)})"
    if pa.types.is_list(kind):
        return f"{duck_type(kind.value_type)}[]"
    if pa.types.is_struct(kind):
        return "STRUCT(" + ", ".join(f'"{f.name}" {duck_type(f.type)}' for f in kind) + ")"
    raise TypeError(f"no DuckDB type for {kind}")


def json_columns(schema: pa.Schema) -> str:
    """``read_json``'s ``columns`` argument for ``schema``: every field with its type, none guessed."""
    return "{" + ", ".join(f"'{f.name}': '{duck_type(f.type)}'" for f in schema) + "}"


def arrow_metadata(schema: pa.Schema) -> str:
    """``KV_METADATA`` of a Parquet file DuckDB writes: the Arrow schema, so that pyarrow and pandas read the
    feed's own types back (``published_at`` in Asia/Shanghai, not UTC)."""
    return base64.b64encode(schema.serialize().to_pybytes()).decode()


def _structure(kind: pa.DataType) -> object:
    if pa.types.is_list(kind):
        return [_structure(kind.value_type)]
    if pa.types.is_struct(kind):
        return {f.name: _structure(f.type) for f in kind}
    return duck_type(kind)


def json_structure(schema: pa.Schema, names: tuple[str, ...] | None = None) -> str:
    """``json_transform``'s structure for the fields ``names`` of ``schema`` (all by default): each with its
    type, so that one parse of a line gives them all, typed."""
    import json

    return json.dumps({f.name: _structure(f.type) for f in schema if names is None or f.name in names})
