"""The dataset's reposts: which articles are near-duplicates of which (cqnnews.reposts), over every article of the
dataset, kept current incrementally.

Each generation holds the index under ``reposts/``, one Parquet file per update that changed it
(``reposts/segment=<generation>/part.parquet``): a row per article it named, with its MinHash signature
(``signature``), ``published_us`` (microseconds since the epoch; the order of the articles) and its
``duplicate_of`` and ``similarity``; an article's latest row is its own.  An update reads the index, adds the
articles new in the months the build rewrote (earliest first), and writes the rows that changed (the new
articles, and the members of a cluster whose first article is new) as one more segment; the earlier segments
are hard-linked, like the months of the other tables.  A killed update leaves the previous generation whole.
When the scheme (the signature's parameters) or the threshold changed, or before the first index, every
article of the generation is indexed again.

The ``reposts`` view has the latest row of each article, without its signature; the ``articles`` view carries
its ``duplicate_of`` and ``similarity`` (:func:`view_sql`).
"""

from __future__ import annotations

import os
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cqnnews import reposts

TABLE = "reposts"
SEGMENT = "segment="
COMPACT_AFTER = 16  # segments: more, and the index is written again as one
COLUMNS = ("origin", "article_id", "published_us", "duplicate_of", "similarity", "signature")


@dataclass
class Indexed:
    """What one update did to the index."""

    articles: int = 0  # in the index after the update
    new: int = 0
    changed: int = 0  # rows written (the new articles, and articles named again)
    reposts: int = 0  # articles with a duplicate_of, after the update
    rebuilt: bool = False
    seconds: float = 0.0

    def manifest(self, threshold: float) -> dict[str, Any]:
        return {"scheme": reposts.SCHEME, "threshold": threshold, "articles": self.articles, "reposts": self.reposts}


def _segments(generation: Path | None) -> list[Path]:
    if generation is None or not (generation / TABLE).is_dir():
        return []
    return sorted((generation / TABLE).glob(f"{SEGMENT}*/*.parquet"))


def _quoted(path: Path | str) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _files(paths: list[Path]) -> str:
    return "[" + ", ".join(_quoted(p) for p in paths) + "]"


def latest_rows(paths: str) -> str:
    """The latest row of each article among the segments ``paths`` (a read_parquet argument)."""
    return (f"SELECT * EXCLUDE (segment) FROM read_parquet({paths}, hive_partitioning = true, "
            f"hive_types = {{'segment': INTEGER}}) QUALIFY row_number() OVER "
            f"(PARTITION BY origin, article_id ORDER BY segment DESC) = 1")


def view_sql(table: str, root: str) -> str | None:
    """The views this module owns: ``reposts``, and ``articles`` with each article's ``duplicate_of`` and
    ``similarity``; None for any other table."""
    index = (f"SELECT origin, article_id, duplicate_of, similarity FROM ({latest_rows(_quoted(f'{root}/{TABLE}/*/*.parquet'))})")
    if table == TABLE:
        return index
    if table == "articles":
        return (f"SELECT a.*, r.duplicate_of, r.similarity FROM read_parquet('{root}/articles/*/*.parquet', "
                f"hive_partitioning = true, union_by_name = true) a "
                f"LEFT JOIN ({index}) r ON r.origin = a.origin AND r.article_id = a.article_id")
    return None


def update(con: Any, current: Path | None, target: Path, generation: int, months: list[str] | None,
           previous: dict[str, Any] | None, threshold: float) -> Indexed:
    """Index the articles of ``target`` new in ``months`` (None: every month) against the index of ``current``,
    described by ``previous`` (the manifest's ``reposts``; None if there is none), and write ``target``'s."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    started = time.monotonic()
    out = Indexed()
    old = _segments(current)
    same = bool(previous) and previous.get("scheme") == reposts.SCHEME and previous.get("threshold") == threshold  # type: ignore[union-attr]
    if not same or not old:
        old, months, out.rebuilt = [], None, True
    indexes: dict[str, reposts.RepostIndex] = defaultdict(lambda: reposts.RepostIndex(threshold))
    if old:
        rows = con.execute(f"SELECT {', '.join(COLUMNS)} FROM ({latest_rows(_files(old))}) "
                           f"ORDER BY duplicate_of IS NOT NULL, origin, article_id").fetchall()
        for origin, article_id, published_us, duplicate_of, similarity, signature in rows:
            indexes[origin].restore(article_id, article_id, published_us, reposts.from_bytes(signature),
                                    duplicate_of, similarity, duplicate_of)
    folders = sorted((target / "articles").glob("month=*")) if months is None else \
        [target / "articles" / f"month={m}" for m in months]
    files = [f for folder in folders for f in sorted(folder.glob("*.parquet"))]
    new: list[tuple[str, int, int | None, str | None, str | None]] = []
    if files:
        for origin, article_id, published_us, title, body in con.execute(
                f"SELECT origin, article_id, epoch_us(published_at), title, body FROM read_parquet({_files(files)}, "
                f"union_by_name = true)").fetchall():
            if article_id not in indexes[origin]:
                new.append((origin, article_id, published_us, title, body))
    changed: dict[tuple[str, int], reposts.Entry] = {}
    for origin, article_id, published_us, title, body in sorted(new, key=lambda a: reposts.order(a[2], a[1])):
        for entry in indexes[origin].add(article_id, article_id, published_us, reposts.signature(title, body)):
            changed[(origin, int(entry.key))] = entry  # type: ignore[call-overload]
    out.new = len(new)
    compact = out.rebuilt or len(old) >= COMPACT_AFTER
    written = [(origin, e) for origin, index in indexes.items() for e in index.entries()] if compact else \
        [(origin, e) for (origin, _), e in changed.items()]
    schema = pa.schema([("origin", pa.string()), ("article_id", pa.int64()), ("published_us", pa.int64()),
                        ("duplicate_of", pa.int64()), ("similarity", pa.float64()), ("signature", pa.binary())])
    table = pa.table([[o for o, _ in written], [e.article_id for _, e in written],
                      [e.published_at for _, e in written], [e.duplicate_of for _, e in written],
                      [e.similarity for _, e in written], [reposts.to_bytes(e.minhash) for _, e in written]],
                     schema=schema)
    if not compact:
        for path in old:  # the earlier segments, as they are
            link = target / TABLE / path.parent.name / path.name
            link.parent.mkdir(parents=True, exist_ok=True)
            os.link(path, link)
    if written or not (target / TABLE).is_dir():  # a generation always has one segment: the view's files
        path = target / TABLE / f"{SEGMENT}{generation:06d}" / "part.parquet"
        path.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(table, path, compression="zstd")
    out.changed = len(written)
    out.articles = sum(len(index) for index in indexes.values())
    out.reposts = sum(1 for index in indexes.values() for e in index.entries() if e.duplicate_of is not None)
    out.seconds = time.monotonic() - started
    return out
