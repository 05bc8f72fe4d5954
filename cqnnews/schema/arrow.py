"""The feed's columns as Arrow types, and ``read_feeds()``: any number of feeds as one table, one schema.

Read one by one, JSON Lines files give types that change from file to file (a feed whose
``flags`` are all ``[]`` has no item type to infer).  Here every feed of the schema is read
with the same explicit types: lists of strings, lists of structs, and the two times as
timestamps with their time zone (``published_at`` in Asia/Shanghai, ``fetched_at`` in UTC)::

    from cqnnews.outputs.feeds import article_feeds
    from cqnnews.schema.arrow import read_feeds
    table = read_feeds(article_feeds(Path("feeds/yaowen")))   # every feed but the .spotchecks.jsonl beside
    frame = table.to_pandas()                        # pandas
    duckdb.sql("select channel, count(*) from table group by 1")   # DuckDB reads the Arrow table
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pj

STRINGS = pa.list_(pa.string())
TABLES = pa.list_(pa.struct([("caption", pa.string()), ("header", STRINGS), ("rows", pa.list_(STRINGS))]))
ARTICLE_SCHEMA = pa.schema([
    ("url", pa.string()),
    ("article_id", pa.int64()),
    ("revision", pa.int32()),
    ("channel", pa.string()),
    ("breadcrumb", STRINGS),
    ("sections", STRINGS),
    ("title", pa.string()),
    ("subtitle", pa.string()),
    ("published_at", pa.timestamp("s", tz="Asia/Shanghai")),
    ("source", pa.string()),
    ("authors", STRINGS),
    ("editor", pa.string()),
    ("keywords", STRINGS),
    ("body", pa.string()),
    ("images", pa.list_(pa.struct([("url", pa.string()), ("caption", pa.string())]))),
    ("attachments", pa.list_(pa.struct([("url", pa.string()), ("title", pa.string()), ("path", pa.string()),
                                        ("checksum", pa.string()), ("size", pa.int64()),
                                        ("content_type", pa.string()), ("tables", TABLES)]))),
    ("tables", TABLES),
    ("layout", pa.string()),
    ("pages", pa.int32()),
    ("fetched_at", pa.timestamp("s", tz="UTC")),
    ("flags", STRINGS),
])
_TIMES = {"published_at": "%Y-%m-%dT%H:%M:%S%z", "fetched_at": "%Y-%m-%dT%H:%M:%SZ"}
# as written in the file: the times are ISO 8601 strings, converted after reading
#: a feed's fields that are not the dataset's to take from it: a run's own reposts (the dataset names reposts over
#: all its articles, cqnnews.outputs.dataset.clusters); read, to refuse any other field, and left out
FEED_ONLY = (pa.field("duplicate_of", pa.int64()), pa.field("similarity", pa.float64()))
_RAW = pa.schema([*(pa.field(f.name, pa.string()) if f.name in _TIMES else f for f in ARTICLE_SCHEMA), *FEED_ONLY])


def read_feed(path: str | Path) -> pa.Table:
    """One JSON Lines feed, with the feed's column types (an empty feed is an empty table)."""
    if Path(path).stat().st_size == 0:
        return ARTICLE_SCHEMA.empty_table()
    raw = pj.read_json(path, parse_options=pj.ParseOptions(explicit_schema=_RAW, unexpected_field_behavior="error"))
    columns = []
    for field in ARTICLE_SCHEMA:
        column = raw.column(field.name)
        if field.name in _TIMES:
            parsed = pc.strptime(column, format=_TIMES[field.name], unit="s", error_is_null=False)
            column = parsed.cast(pa.timestamp("s", tz="UTC")).cast(field.type)
        columns.append(column)
    return pa.Table.from_arrays(columns, schema=ARTICLE_SCHEMA)


def read_feeds(paths: Iterable[str | Path]) -> pa.Table:
    """Every feed in ``paths`` as one table with :data:`ARTICLE_SCHEMA`, rows in file order."""
    tables = [read_feed(path) for path in paths]
    return pa.concat_tables(tables) if tables else ARTICLE_SCHEMA.empty_table()


PARTIES = pa.list_(pa.struct([("role", pa.string()), ("name", pa.string())]))
TEXTS = pa.map_(pa.string(), pa.string())
SPOTCHECK_SCHEMA = pa.schema([
    ("article_id", pa.int64()),
    ("url", pa.string()),
    ("published_at", pa.timestamp("s", tz="Asia/Shanghai")),
    ("issuer", pa.string()),
    ("scope", pa.string()),
    ("source", pa.string()),
    ("file_checksum", pa.string()),
    ("table", pa.int32()),
    ("row", pa.int32()),
    *((name, pa.string()) for name in ("product", "model", "trademark", "batch", "manufacturer",
                                       "manufacturer_address", "sampled_unit", "sampled_unit_address")),
    ("parties", PARTIES),
    ("origin_country", pa.string()),
    ("failed_items", pa.list_(pa.struct([("item", pa.string()), ("result", pa.string()), ("standard", pa.string())]))),
    ("agencies", PARTIES),
    ("note", pa.string()),
    ("maker_denies", pa.bool_()),
    ("extra", TEXTS),  # header -> cell: columns the vocabulary does not know
    ("raw", TEXTS),
])


def _records(path: str | Path, maps: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """The records of a JSON Lines file beside a feed, ``published_at`` as a datetime and each field of ``maps``
    (an object) as its items (Arrow's JSON reader has no map type, so the lines are read with ``json``: a run's
    records are a few hundred, not a feed's thousands)."""
    import json
    from datetime import datetime

    rows = []
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                record = json.loads(line)
                if record.get("published_at"):
                    record["published_at"] = datetime.fromisoformat(record["published_at"])
                for name in maps:
                    record[name] = list((record.get(name) or {}).items())
                rows.append(record)
    return rows


def read_spotchecks(path: str | Path) -> pa.Table:
    """One spot-check feed (``<feed stem>.spotchecks.jsonl``) with :data:`SPOTCHECK_SCHEMA`: ``extra`` and
    ``raw``, objects keyed by a table's own headers, are maps."""
    return pa.Table.from_pylist(_records(path, ("extra", "raw")), schema=SPOTCHECK_SCHEMA)


DAY_RANGE = pa.struct([("from", pa.string()), ("to", pa.string()), ("text", pa.string())])
RECALL_SCHEMA = pa.schema([
    ("article_id", pa.int64()),
    ("url", pa.string()),
    ("published_at", pa.timestamp("s", tz="Asia/Shanghai")),
    ("recall", pa.int32()),
    ("recallers", pa.list_(pa.string())),
    ("brands", pa.list_(pa.string())),
    ("product", pa.string()),
    ("models", pa.list_(pa.string())),
    ("production", pa.list_(DAY_RANGE)),  # ISO dates to the precision written: strings (2016-04, 2016-04-11)
    ("quantity", pa.int64()),
    ("unit", pa.string()),
    ("quantities", pa.list_(pa.struct([("count", pa.int64()), ("unit", pa.string()), ("models", pa.list_(pa.string()))]))),
    ("recall_start", pa.string()),
    ("recall_end", pa.string()),
    ("defect", pa.string()),
    ("remedy", pa.string()),
    ("regulations", pa.list_(pa.string())),
    ("imported", pa.bool_()),
    ("origin_country", pa.string()),
    ("recall_ids", pa.list_(pa.string())),
    ("flags", pa.list_(pa.string())),
    ("raw", pa.list_(pa.string())),
])


def read_recalls(path: str | Path) -> pa.Table:
    """One recall feed (``<feed stem>.recalls.jsonl``) with :data:`RECALL_SCHEMA`."""
    return pa.Table.from_pylist(_records(path), schema=RECALL_SCHEMA)
