"""scrapy dataset (cqnnews.outputs.dataset) over what feeds really hold: a feed appended day after day with revisions,
the same articles in two spiders' feeds, a feed of another origin, a CSV feed beside them; the revisions table;
and the dataset folder copied elsewhere."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import duckdb
import pytest

from cqnnews.outputs.dataset import DATABASE, connect, update
from tests.test_dataset import line, spot, write_feed


def append(folder: Path, name: str, lines: list[dict[str, Any]], spots: list[dict[str, Any]] = ()) -> None:
    """What ``scrapy crawl -o <name>.jsonl`` does with a feed that exists: adds its lines at the end."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f"{name}.jsonl", "a", encoding="utf-8") as out:
        out.writelines(json.dumps(x, ensure_ascii=False) + "\n" for x in lines)
    if spots:
        with open(folder / f"{name}.spotchecks.jsonl", "a", encoding="utf-8") as out:
            out.writelines(json.dumps(x, ensure_ascii=False) + "\n" for x in spots)


def day(n: int) -> str:
    return f"2026-11-0{n}T00:00:00Z"


def query(dataset: Path, sql: str) -> list[tuple[Any, ...]]:
    con = connect(dataset)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def three_days(feeds: Path, dataset: Path | None) -> None:
    """minsheng's feed appended over three days (revisions on days 2 and 3, a line repeated), yaowen's and
    newscenter's feeds of the same articles under their own sections, and a CSV feed (``-O items.csv``);
    ``dataset`` updated after each day when given."""
    published = "2026-11-02T10:00:00+08:00"
    days = [
        [line(1, fetched=day(1)), line(2, fetched=day(1)), line(3, fetched=day(1))],
        [line(1, 2, day(2), title="更正"), line(2, fetched=day(2)), line(2, fetched=day(2))],
        [line(1, 3, day(3), title="再更正"), line(3, 2, day(3), title="三更正"), line(4, fetched=day(3))],
    ]
    records = [[spot(3, published, "甲")], [], [spot(3, published, "乙"), spot(3, published, "丙", 1)]]
    for n, (lines, spots) in enumerate(zip(days, records), start=1):
        append(feeds / "minsheng", "all", lines, spots)
        if n == 2:
            write_feed(feeds / "yaowen", "20261102T000000Z",
                       [{**line(1, 2, "2026-11-02T06:00:00Z", title="更正"), "sections": ["要闻"]},
                        {**line(2, fetched="2026-10-30T00:00:00Z"), "sections": ["要闻"]}])
            write_feed(feeds / "newscenter", "20261102T000000Z",
                       [{**line(2, fetched=day(2)), "sections": ["新闻中心", "要闻"]}])
            (feeds / "newscenter" / "items.csv").write_text("url,article_id,title\nx,1,标题\n", encoding="utf-8")
        if dataset is not None:
            update(feeds, dataset)


@pytest.mark.parametrize("daily", [True, False], ids=["updated-daily", "updated-once"])
def test_one_row_per_article_at_its_latest_revision_whatever_the_feeds_hold(tmp_path: Path, daily: bool) -> None:
    feeds, dataset = tmp_path / "feeds", tmp_path / "dataset"
    three_days(feeds, dataset if daily else None)
    done = update(feeds, dataset)
    assert done.left_out == ["newscenter/items.csv"] and "1 feeds in other formats left out" in done.line()
    assert query(dataset, "SELECT article_id, count(*) FROM articles GROUP BY 1 HAVING count(*) > 1") == []
    rows = {r[0]: r[1:] for r in query(dataset, "SELECT article_id, revision, title, sections, first_seen, "
                                                "last_seen, feed FROM articles")}
    assert {aid: r[:2] for aid, r in rows.items()} == {1: (3, "再更正"), 2: (1, "标题"), 3: (2, "三更正"), 4: (1, "标题")}
    assert rows[2][2] == ["新闻中心", "要闻"]  # the union of the three spiders' (minsheng's: none)
    assert rows[1][2] == ["要闻"] and rows[4][2] == []
    first, last = rows[2][3:5]
    assert (first.isoformat(), last.isoformat()) == ("2026-10-30T00:00:00+00:00", "2026-11-02T00:00:00+00:00")
    assert rows[3][5] == "minsheng/all.jsonl"
    # the records written with the winning line (day 3's), not day 1's of the same feed
    assert query(dataset, "SELECT article_id, product FROM spotchecks ORDER BY row") == [(3, "乙"), (3, "丙")]


def test_an_appended_feed_is_read_from_where_it_was_left(tmp_path: Path) -> None:
    feeds, dataset = tmp_path / "feeds", tmp_path / "dataset"
    append(feeds / "minsheng", "all", [line(1, fetched=day(1)), line(2, fetched=day(1))])
    assert update(feeds, dataset).lines == 2
    fourth = json.dumps(line(4, fetched=day(2)), ensure_ascii=False) + "\n"
    with open(feeds / "minsheng" / "all.jsonl", "a", encoding="utf-8") as out:  # a line being written
        out.write(json.dumps(line(3, fetched=day(2)), ensure_ascii=False) + "\n" + fourth[:40])
    done = update(feeds, dataset)
    assert (done.feeds, done.lines) == (["minsheng/all.jsonl"], 1)  # only the new complete line
    with open(feeds / "minsheng" / "all.jsonl", "a", encoding="utf-8") as out:
        out.write(fourth[40:])
    assert update(feeds, dataset).lines == 1
    assert update(feeds, dataset).feeds == []
    # written again from its start (-O): read whole again
    write_feed(feeds / "minsheng", "all", [line(1, 2, day(3), title="重写")])
    assert update(feeds, dataset).lines == 1
    assert query(dataset, "SELECT article_id, revision FROM articles ORDER BY 1") == [(1, 2), (2, 1), (3, 1), (4, 1)]


def test_feeds_of_another_origin_are_kept_apart(tmp_path: Path) -> None:
    feeds, dataset = tmp_path / "feeds", tmp_path / "dataset"
    write_feed(feeds / "minsheng", "20261101T000000Z", [line(1, fetched=day(1))])
    write_feed(feeds / "minsheng", "20261102T000000Z", [line(1, 2, day(2), title="副本")])
    (feeds / "minsheng" / "20261102T000000Z.summary.json").write_text(
        json.dumps({"run": {"origin": "http://127.0.0.1:8123"}}), encoding="utf-8")
    update(feeds, dataset)
    assert query(dataset, "SELECT origin, article_id, revision FROM articles ORDER BY 1") == [
        ("127.0.0.1_8123", 1, 2), ("www.cqn.com.cn", 1, 1)]


def test_each_revision_with_what_changed(tmp_path: Path) -> None:
    feeds, dataset = tmp_path / "feeds", tmp_path / "dataset"
    write_feed(feeds / "minsheng", "20261101T000000Z", [{**line(1, fetched=day(1)), "body": "甲段\n乙段\n丙段"}])
    update(feeds, dataset)
    write_feed(feeds / "minsheng", "20261102T000000Z",
               [{**line(1, 2, day(2), title="更正"), "body": "甲段\n乙段改\n丙段\n丁段"},
                {**line(1, 2, day(3), title="更正"), "body": "甲段\n乙段改\n丙段\n丁段"}])  # rechecked, unchanged
    update(feeds, dataset)
    rows = query(dataset, "SELECT revision, fetched_at, changed, paragraphs_added, paragraphs_removed "
                          "FROM revisions ORDER BY revision")
    assert [(r[0], r[1].isoformat()[:10], r[2], r[3], r[4]) for r in rows] == [
        (1, "2026-11-01", [], [], []), (2, "2026-11-02", ["title", "body"], ["乙段改", "丁段"], ["乙段"])]


def test_a_change_between_an_empty_list_a_missing_one_and_a_list_of_a_null_is_a_change(tmp_path: Path) -> None:
    """The revisions compare the fields by hashes; DuckDB hashes an empty list, a null list and a list of a null
    alike: each change among them is still named, and a field unchanged is not."""
    feeds, dataset = tmp_path / "feeds", tmp_path / "dataset"
    image = {"url": "https://www.cqn.com.cn/ms/img/1.jpg", "caption": None}
    write_feed(feeds / "minsheng", "20261101T000000Z", [
        {**line(1, fetched=day(1)), "authors": [], "keywords": None, "images": [image]},
        {**line(2, fetched=day(1)), "authors": ["甲"], "keywords": ["质量"], "images": []},
        {**line(3, fetched=day(1)), "authors": [], "keywords": [None]}])
    update(feeds, dataset)
    write_feed(feeds / "minsheng", "20261102T000000Z", [
        {**line(1, 2, day(2)), "authors": None, "keywords": [], "images": [{**image, "caption": "图"}]},
        {**line(2, 2, day(2)), "authors": ["甲"], "keywords": ["质量"], "images": [], "editor": "乙"},
        {**line(3, 2, day(2)), "authors": [None], "keywords": []}])
    update(feeds, dataset)
    rows = query(dataset, "SELECT article_id, changed FROM revisions WHERE revision = 2 ORDER BY article_id")
    assert rows == [(1, ["authors", "keywords", "images"]), (2, ["editor"]), (3, ["authors", "keywords"])]


def test_a_revision_in_two_feeds_at_the_same_time_is_the_articles_line(tmp_path: Path) -> None:
    """Two spiders' feeds holding revision 2 fetched at the same second, with different texts: the revision row is
    of the line the article took (the feed last by name), not of whichever line was read first."""
    feeds = tmp_path / "feeds"
    write_feed(feeds / "minsheng", "20261101T000000Z", [{**line(1, fetched=day(1)), "body": "甲段"}])
    write_feed(feeds / "newscenter", "20261102T000000Z", [{**line(1, 2, day(2)), "body": "甲段\n新闻中心段"}])
    write_feed(feeds / "yaowen", "20261102T000000Z", [{**line(1, 2, day(2)), "body": "甲段\n要闻段"}])
    for n in range(2):
        dataset = tmp_path / f"dataset-{n}"
        update(feeds, dataset)
        assert query(dataset, "SELECT feed, body FROM articles") == [("yaowen/20261102T000000Z.jsonl", "甲段\n要闻段")]
        assert query(dataset, "SELECT revision, feed, paragraphs_added FROM revisions ORDER BY revision") == [
            (1, "minsheng/20261101T000000Z.jsonl", []), (2, "yaowen/20261102T000000Z.jsonl", ["要闻段"])]


def test_two_different_lines_of_one_revision_and_time_in_one_feed_give_the_same_row_every_time(
        tmp_path: Path) -> None:
    """One feed holding two different lines of revision 2 fetched at the same second (nothing says which is the
    later): whatever their order in the feed, the article and its revision row are of the same one of them."""
    one = {**line(1, 2, day(2), title="乙"), "body": "甲段\n乙段"}
    other = {**line(1, 2, day(2), title="甲"), "body": "甲段\n丙段"}
    first = {**line(1, fetched=day(1)), "body": "甲段"}
    for n, lines in enumerate(([first, one, other], [first, other, one])):
        feeds, dataset = tmp_path / f"feeds-{n}", tmp_path / f"dataset-{n}"
        write_feed(feeds / "minsheng", "20261102T000000Z", lines)
        update(feeds, dataset)
        assert query(dataset, "SELECT title, body FROM articles") == [("甲", "甲段\n丙段")]  # by a hash of its texts
        assert query(dataset, "SELECT revision, paragraphs_added FROM revisions ORDER BY revision") == [
            (1, []), (2, ["丙段"])]


def test_the_folder_copied_elsewhere_opens_with_its_views(tmp_path: Path) -> None:
    feeds, dataset = tmp_path / "feeds", tmp_path / "dataset"
    write_feed(feeds / "minsheng", "20261101T000000Z", [line(1), line(2)],
               [spot(2, "2026-11-02T10:00:00+08:00", "甲")])
    update(feeds, dataset)
    laptop = tmp_path / "laptop" / "cqn"
    shutil.copytree(dataset, laptop, symlinks=True)  # as cp -r does: current stays a link
    shutil.rmtree(dataset)
    assert query(laptop, "SELECT count(*) FROM articles") == [(2,)]
    assert query(laptop, "SELECT product FROM spotchecks") == [("甲",)]
    # the DuckDB command line in the copied folder: duckdb cqnnews.duckdb -init views.sql
    here = os.getcwd()
    os.chdir(laptop)
    try:
        con = duckdb.connect(DATABASE, read_only=True)
        for statement in (laptop / "views.sql").read_text(encoding="utf-8").split(";\n"):
            if statement.strip():
                con.execute(statement)
        assert con.execute("SELECT count(*) FROM revisions").fetchall() == [(2,)]
        con.close()
    finally:
        os.chdir(here)


def test_a_sidecar_kind_is_one_declaration(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Records of another kind written beside each feed (``<stem>.notices.jsonl``, as the recalls of issue #28
    are): one :class:`Sidecar` entry, and the dataset has their table, with the records of each winning line."""
    import pyarrow as pa
    import pyarrow.json as pj

    from cqnnews.outputs.dataset import tables

    schema = pa.schema([("article_id", pa.int64()), ("product", pa.string()), ("n", pa.int32())])
    notices = tables.Sidecar("notices", ".notices.jsonl", schema, lambda path: pj.read_json(
        path, parse_options=pj.ParseOptions(explicit_schema=schema)), identity=("n",))
    monkeypatch.setattr(tables, "SIDECARS", (*tables.SIDECARS, notices))
    feeds, dataset = tmp_path / "feeds", tmp_path / "dataset"
    append(feeds / "minsheng", "all", [line(1, fetched=day(1)), line(2, fetched=day(1))])
    (feeds / "minsheng" / "all.notices.jsonl").write_text(
        '{"article_id": 1, "product": "旧", "n": 0}\n{"article_id": 2, "product": "乙", "n": 0}\n', encoding="utf-8")
    update(feeds, dataset)
    append(feeds / "minsheng", "all", [line(1, 2, day(2), title="更正")])
    with open(feeds / "minsheng" / "all.notices.jsonl", "a", encoding="utf-8") as out:
        out.write('{"article_id": 1, "product": "新", "n": 0}\n')
    update(feeds, dataset)
    assert query(dataset, "SELECT article_id, product, feed FROM notices ORDER BY 1") == [
        (1, "新", "minsheng/all.jsonl"), (2, "乙", "minsheng/all.jsonl")]


def test_a_dataset_of_the_first_format_is_made_again_from_every_feed(tmp_path: Path) -> None:
    feeds, dataset = tmp_path / "feeds", tmp_path / "dataset"
    write_feed(feeds / "minsheng", "20261101T000000Z", [line(1), line(1, 2, day(2))])
    old = dataset / "gen-000004"  # as the dataset of issue #18 left it: no format, no origin, an index
    old.mkdir(parents=True)
    (old / "manifest.json").write_text(json.dumps({"generation": 4, "feeds": {
        "minsheng/20261101T000000Z.jsonl": {"lines": 2}}}), encoding="utf-8")
    (dataset / "current").symlink_to("gen-000004")
    done = update(feeds, dataset)
    assert (done.generation, done.lines, done.articles) == (5, 2, 1) and not old.exists()
    assert query(dataset, "SELECT article_id, revision, origin FROM articles") == [(1, 2, "www.cqn.com.cn")]


def test_last_seen_counts_the_rechecks_the_crawl_state_records(tmp_path: Path) -> None:
    """An unchanged recheck writes no feed line: the state's ``last_seen`` of the article is read instead."""
    import sqlite3

    from cqnnews.state.sqlite_tables import SQLITE_TABLES

    feeds, dataset, state = tmp_path / "feeds", tmp_path / "dataset", tmp_path / "state"
    sept = "2026-09-15T10:00:00+08:00"
    write_feed(feeds / "minsheng", "20261101T000000Z", [line(1, fetched=day(1)), line(2, fetched=day(1), published=sept)])
    (state / "www.cqn.com.cn").mkdir(parents=True)
    db = sqlite3.connect(state / "www.cqn.com.cn" / "minsheng.sqlite3")
    db.executescript(SQLITE_TABLES)
    rows = [(aid, f"https://www.cqn.com.cn/ms/content/{aid}.htm", "h", None, "[]", 1, day(1), day(1), "f")
            for aid in (1, 2)]
    db.executemany("INSERT INTO articles VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    db.commit()
    update(feeds, dataset, state)
    db.execute("UPDATE articles SET last_seen = ? WHERE article_id = 2", ("2026-11-05T08:00:00Z",))  # rechecked
    db.commit()
    db.close()
    done = update(feeds, dataset, state)
    assert (done.seen, done.lines, done.months_rewritten) == (1, 0, ["2026-09"])
    seen = {r[0]: r[1].isoformat() for r in query(dataset, "SELECT article_id, last_seen FROM articles")}
    assert seen == {1: "2026-11-01T00:00:00+00:00", 2: "2026-11-05T08:00:00+00:00"}
    assert query(dataset, "SELECT article_id, revision, title FROM articles WHERE article_id = 2") == [(2, 1, "标题")]
    assert update(feeds, dataset, state).line().startswith("dataset up to date")


def test_a_runs_revised_articles_with_their_diff_for_its_report(tmp_path: Path) -> None:
    from cqnnews.outputs.dataset.revisions import revised_in
    from cqnnews.outputs.report import run_report

    feeds, dataset = tmp_path / "feeds", tmp_path / "dataset"
    assert revised_in(write_feed(tmp_path / "other", "x", [line(1, 2)]), tmp_path / "none") is None  # no dataset
    write_feed(feeds / "minsheng", "20261101T000000Z", [{**line(1, fetched=day(1)), "body": "甲段\n乙段"}, line(2)])
    update(feeds, dataset)
    run = write_feed(tmp_path / "run", "20261102T000000Z", [
        {**line(1, 2, day(2), title="更正"), "body": "甲段\n丙段"}, line(3)])
    revised = revised_in(run, dataset)
    assert revised == [{"article_id": 1, "title": "更正", "from": 1, "to": 2, "changed": ["title", "body"],
                        "added": ["丙段"], "removed": ["乙段"]}]
    page = run_report({"spider": "minsheng"}, [], None, revised=revised)
    assert "<h2>Revised articles</h2>" in page and "丙段" in page and "1 → 2" in page
    assert "Revised articles" not in run_report({"spider": "minsheng"}, [], None)
