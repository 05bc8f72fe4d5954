"""The ``revisions`` table: a row per revision of each article, with what changed since the one before."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa

from cqnnews.outputs.dataset.generations import month_files
from cqnnews.outputs.dataset.sql import columns as _columns
from cqnnews.outputs.dataset.sql import copy as _copy
from cqnnews.outputs.dataset.sql import files as _files
from cqnnews.outputs.dataset.tables import ARTICLES_SCHEMA, COMPARED, REVISIONS_SCHEMA

# rows of each batch written: a revision row is about a hundred bytes, most of them of an article of one line
# (65,536 made the peak of memory of the revisions higher by about 100 MB, for no time saved)
BATCH_ROWS = 16_384
# DuckDB's limit while the revisions are found and written (sql.MEMORY before): the lines of the articles of several
# lines are a few in a hundred, and with the articles' tables written the memory of the update peaked here (at a
# million lines 875 MB with 320 MB, 750 to 760 MB with 160 MB)
MEMORY = "192MB"


NESTED = {f.name for f in ARTICLES_SCHEMA if pa.types.is_nested(f.type)}  # compared by their JSON text


def _hashes(alias: str) -> str:
    """The compared fields of a line of ``alias``, each as a hash, in one struct: a list or a struct hashed as its JSON
    text (DuckDB hashes a null list, an empty one and one holding a null alike).  A change is missed only when two
    64-bit hashes of different values are equal."""
    return "{" + ", ".join(f"'{c}': hash(to_json({alias}.\"{c}\"))" if c in NESTED else f"'{c}': hash({alias}.\"{c}\")"
                           for c in COMPARED) + "}"


def revisions(con: Any, revised: Path, old_articles: list[Path], current: Path | None, target: Path, generation: int,
              months: list[str]) -> int:
    """A row per revision of each article with new lines: the fields changed since the revision before, and the
    body's paragraphs added and removed; the rows of the touched months kept.  ``revised`` holds the new lines of
    the articles of several lines, set aside while the articles were written (cqnnews.outputs.dataset.build)."""
    con.execute(f"SET memory_limit = '{MEMORY}'")
    # the hashes of the line before as one struct: one window function, and the rows it sorts carry the body alone,
    # not every field (at a million lines the revisions' query took 70% of the CPU it took with the fields themselves)
    changed = ", ".join(f"CASE WHEN h.\"{c}\" IS DISTINCT FROM p.\"{c}\" THEN '{c}' END" for c in COMPARED)
    split = "string_split(coalesce({0}, ''), chr(10))"
    added = (f"list_filter({split.format('body')}, lambda x: x <> '' AND NOT list_contains("
             f"{split.format('p_body')}, x))")
    removed = (f"list_filter({split.format('p_body')}, lambda x: x <> '' AND NOT list_contains("
               f"{split.format('body')}, x))")
    # the lines of the articles with more than one: the new ones set aside, the old rows of touched months
    many = (f"SELECT r.origin, r.article_id, r.revision, r.fetched_at, r.body, {_hashes('r')} AS h, "
            f"hash(r.title, r.body) AS text, r.feed, 1 AS fresh FROM read_parquet({_files([revised])}) r")
    if old_articles:
        many += (f" UNION ALL SELECT o.origin, o.article_id, o.revision, o.fetched_at, o.body, {_hashes('o')}, "
                 f"hash(o.title, o.body), o.feed, 0 "
                 f"FROM read_parquet({_files(old_articles)}, hive_partitioning = true) o SEMI JOIN winners w "
                 f"ON w.lines > 1 AND w.origin = o.origin AND w.article_id = o.article_id")
    # lines of the same revision and fetch time in two feeds: the line of the feed last by name (as the articles take
    # it), whatever the order the lines were read in; in one feed, the line of the greater hash of its title and
    # body (as the articles take it, cqnnews.outputs.dataset.build: a hash, not the texts, in the ordering's keys)
    query = f"""
        WITH many AS ({many}),
        lagged AS (SELECT *, lag(revision) OVER w AS p_revision, lag(h) OVER w AS p, lag(body) OVER w AS p_body
                   FROM many WINDOW w AS (PARTITION BY origin, article_id
                                          ORDER BY revision, fetched_at, fresh, feed DESC, text DESC)),
        found AS (
            SELECT origin, article_id, revision, fetched_at, feed,
                   CASE WHEN p_revision IS NULL THEN []::VARCHAR[]
                        ELSE list_filter([{changed}], lambda x: x IS NOT NULL) END AS changed,
                   CASE WHEN p_revision IS NULL THEN []::VARCHAR[] ELSE {added} END AS paragraphs_added,
                   CASE WHEN p_revision IS NULL THEN []::VARCHAR[] ELSE {removed} END AS paragraphs_removed, 1 AS fresh
            FROM lagged WHERE fresh = 1 AND revision IS DISTINCT FROM p_revision"""
    old = [f for m in months for f in month_files(current, "revisions").get(m, [])]
    if old:
        query += (f" UNION ALL SELECT {_columns(REVISIONS_SCHEMA, 'o')}, 0 FROM read_parquet({_files(old)}, "
                  f"hive_partitioning = true) o")
    # each revision once (a new line of a revision the touched months hold already: the row held); without rows
    # held, a revision of ``found`` is already once.  The month: the article's, from the winners of the articles
    # not of a single new line (those are the second part, and the most: matched against them only, the table
    # the rows are matched against stays small)
    once = (" QUALIFY row_number() OVER (PARTITION BY f.origin, f.article_id, f.revision ORDER BY f.fresh, "
            "f.fetched_at, f.feed DESC) = 1") if old else ""
    query += (f") SELECT * FROM (SELECT {_columns(REVISIONS_SCHEMA, 'f')}, w.month FROM found f JOIN (SELECT origin, "
              f"article_id, month FROM winners WHERE lines > 1 OR fresh <> 1) w USING (origin, article_id){once}) "
              f"UNION ALL SELECT origin, article_id, revision, fetched_at, feed, []::VARCHAR[], []::VARCHAR[], "
              f"[]::VARCHAR[], month FROM winners WHERE lines = 1 AND fresh = 1")
    return _copy(con, query, target, "revisions", generation, batch_rows=BATCH_ROWS)


# --- a run's revised articles against the dataset, for the run's report (cqnnews.outputs.report) -----------------

SHOWN = ("title", "subtitle", "published_at", "source", "authors", "editor", "keywords", "body", "pages")


def body_diff(before: str | None, after: str | None) -> tuple[list[str], list[str]]:
    """The paragraphs of ``after`` not in ``before``, and those of ``before`` not in ``after``."""
    old = [p for p in (before or "").split("\n") if p]
    new = [p for p in (after or "").split("\n") if p]
    return [p for p in new if p not in set(old)], [p for p in old if p not in set(new)]


def revised_in(feed: Path, dataset_dir: Path, origin: str | None = None) -> list[dict[str, Any]] | None:
    """Each line of ``feed`` that revises an article the dataset holds at an earlier revision: its id, title,
    the revisions, the fields changed and the body's paragraphs added and removed.  Read before the run's
    feed is ingested (the report is written before ``CQN_DATASET_AUTO``'s update); None without a dataset.
    ``origin``: the origin key the feed's run crawled, when its summary is not written yet."""
    import json
    from datetime import datetime

    from cqnnews.outputs.dataset.generations import DATABASE, connect
    from cqnnews.outputs.dataset.ingest import origin_of

    if not (dataset_dir / DATABASE).exists():
        return None
    lines = {}
    with open(feed, encoding="utf-8") as handle:
        for text in handle:
            if text.strip():
                line = json.loads(text)
                if (line.get("revision") or 1) > 1:
                    lines[line["article_id"]] = line
    if not lines:
        return []
    con = connect(dataset_dir)
    try:
        rows = con.execute(f"SELECT article_id, revision, {', '.join(SHOWN)} FROM articles WHERE origin = ? "
                           f"AND list_contains(?, article_id)", [origin or origin_of(feed), list(lines)]).fetchall()
    finally:
        con.close()
    out = []
    for aid, revision, *values in sorted(rows):
        line, before = lines[aid], dict(zip(SHOWN, values))
        if revision >= line["revision"]:
            continue
        after = {**line, "published_at": datetime.fromisoformat(line["published_at"])
                 if line.get("published_at") else None}
        added, removed = body_diff(before["body"], line.get("body"))
        out.append({"article_id": aid, "title": line.get("title"), "from": revision, "to": line["revision"],
                    "changed": [f for f in SHOWN if before[f] != after.get(f)], "added": added, "removed": removed})
    return out
