"""scrapy dataset (cqnnews/outputs/dataset.py): each article once at its latest revision, typed, updated by the months its
new lines touch, and whole whenever it is killed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cqnnews.failpoints import DATASET_POINTS
from cqnnews.outputs.dataset import CURRENT, DATABASE, generation_of, update
from cqnnews.outputs.dataset.tables import tables
from tests.crawl import ROOT

PAGES = Path(__file__).parent / "fixtures" / "pages"
BASE = json.loads(next(iter(sorted(PAGES.glob("ms_*.expected.json")))).read_text(encoding="utf-8"))


def line(aid: int, revision: int = 1, fetched: str = "2026-11-01T00:00:00Z", published: str | None =
         "2026-11-02T10:00:00+08:00", title: str = "标题") -> dict[str, Any]:
    return {**BASE, "article_id": aid, "url": f"https://www.cqn.com.cn/ms/content/{aid}.htm", "revision": revision,
            "fetched_at": fetched, "published_at": published, "title": title}


def spot(aid: int, published: str | None, product: str, row: int = 0) -> dict[str, Any]:
    return {"article_id": aid, "url": f"https://www.cqn.com.cn/ms/content/{aid}.htm", "published_at": published,
            "issuer": "市场监管总局", "scope": "national", "source": "page", "file_checksum": None, "table": 0, "row": row,
            "product": product, "model": None, "trademark": None, "batch": "2026-01-01", "manufacturer": "某公司",
            "manufacturer_address": None, "sampled_unit": "某店", "sampled_unit_address": None, "parties": [],
            "origin_country": None, "failed_items": [{"item": "菌落总数", "result": "1", "standard": "2"}],
            "agencies": [{"role": None, "name": "某院"}], "note": None, "maker_denies": False,
            "extra": {"任务来源": "国家"}, "raw": {"样品名称": product}}


def write_feed(folder: Path, name: str, lines: list[dict[str, Any]], spots: list[dict[str, Any]] = ()) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.jsonl"
    path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8")
    if spots:
        (folder / f"{name}.spotchecks.jsonl").write_text(
            "".join(json.dumps(x, ensure_ascii=False) + "\n" for x in spots), encoding="utf-8")
    return path


def articles(dataset: Path) -> dict[int, dict[str, Any]]:
    frame = pd.read_parquet(dataset / CURRENT / "articles")
    assert frame.article_id.is_unique
    return {int(r["article_id"]): r for r in frame.to_dict("records")}


def spotchecks(dataset: Path) -> list[tuple[int, str]]:
    con = duckdb.connect(str(dataset / DATABASE), read_only=True)
    try:
        return con.sql("SELECT article_id, product FROM spotchecks ORDER BY article_id, row").fetchall()
    finally:
        con.close()


@pytest.fixture
def two_days(tmp_path: Path) -> tuple[Path, Path]:
    feeds, dataset = tmp_path / "feeds", tmp_path / "dataset"
    sept = "2026-09-15T10:00:00+08:00"
    write_feed(feeds / "minsheng", "20261101T000000Z",
               [line(1, published="2026-10-31T23:30:00+08:00"), line(2), line(3, published=sept)],
               [spot(2, "2026-11-02T10:00:00+08:00", "旧的")])
    update(feeds, dataset)
    write_feed(feeds / "minsheng", "20261102T000000Z",
               [line(1, 2, "2026-11-02T00:00:00Z", "2026-11-01T08:00:00+08:00", "更正"),
                line(2, 2, "2026-11-02T00:00:00Z", title="更正二")],
               [spot(2, "2026-11-02T10:00:00+08:00", "新的甲"), spot(2, "2026-11-02T10:00:00+08:00", "新的乙", 1)])
    return feeds, dataset


def test_each_article_once_at_its_latest_revision_with_its_records(two_days: tuple[Path, Path]) -> None:
    feeds, dataset = two_days
    done = update(feeds, dataset)
    assert done.feeds == ["minsheng/20261102T000000Z.jsonl"] and done.lines == 2
    assert done.months_rewritten == ["2026-10", "2026-11"]  # 1 moved from October (Beijing time) to November
    rows = articles(dataset)
    assert {aid: (r["revision"], r["revisions"], r["title"]) for aid, r in rows.items()} == {
        1: (2, 2, "更正"), 2: (2, 2, "更正二"), 3: (1, 1, "标题")}
    assert rows[1]["first_seen"] == pd.Timestamp("2026-11-01T00:00:00Z")
    assert rows[1]["last_seen"] == pd.Timestamp("2026-11-02T00:00:00Z")
    assert rows[1]["feed"] == "minsheng/20261102T000000Z.jsonl" and rows[3]["month"] == "2026-09"
    assert spotchecks(dataset) == [(2, "新的甲"), (2, "新的乙")]  # the records of its latest line only
    assert not (dataset / CURRENT / "articles" / "month=2026-10").exists()


def test_the_types_analysts_read(two_days: tuple[Path, Path]) -> None:
    feeds, dataset = two_days
    update(feeds, dataset)
    frame = pd.read_parquet(dataset / CURRENT / "articles")
    assert str(frame.published_at.dtype).endswith(", Asia/Shanghai]") and str(frame.fetched_at.dtype).endswith(
        ", UTC]")
    assert isinstance(frame.authors.iloc[0], (list, pa.Array)) or hasattr(frame.authors.iloc[0], "__len__")
    con = duckdb.connect(str(dataset / DATABASE), read_only=True)
    try:
        types = dict(con.sql("SELECT column_name, column_type FROM (DESCRIBE articles)").fetchall())
        assert types["published_at"] == "TIMESTAMP WITH TIME ZONE" and types["authors"] == "VARCHAR[]"
        assert types["attachments"].startswith("STRUCT(") and types["attachments"].endswith("[]")
        spot_types = dict(con.sql("SELECT column_name, column_type FROM (DESCRIBE spotchecks)").fetchall())
        assert spot_types["extra"] == "MAP(VARCHAR, VARCHAR)" and spot_types["failed_items"].endswith("[]")
        assert con.execute("SELECT extra['任务来源'] FROM spotchecks LIMIT 1").fetchone() == ("国家",)
    finally:
        con.close()


def test_an_update_rewrites_only_the_months_its_lines_touch(two_days: tuple[Path, Path]) -> None:
    feeds, dataset = two_days
    update(feeds, dataset)
    [september] = (dataset / CURRENT / "articles" / "month=2026-09").glob("*.parquet")
    before, old = september.stat().st_ino, generation_of(dataset)
    write_feed(feeds / "yaowen", "20261103T000000Z", [line(4, fetched="2026-11-03T00:00:00Z")])
    done = update(feeds, dataset)
    assert done.months_rewritten == ["2026-11"] and len(articles(dataset)) == 4
    [september] = (dataset / CURRENT / "articles" / "month=2026-09").glob("*.parquet")
    assert september.stat().st_ino == before  # linked, not written again
    # the rows of the months linked are counted from the manifest before: every table's count is its files'
    manifest = json.loads((dataset / CURRENT / "manifest.json").read_text(encoding="utf-8"))
    assert done.articles == 4 and done.spotchecks == 2
    for table in tables():
        files = (dataset / CURRENT / table).glob("month=*/*.parquet")
        assert manifest[table] == sum(pq.ParquetFile(f).metadata.num_rows for f in files), table
    assert old is not None and not old.exists()  # the previous generation removed once current moved
    assert update(feeds, dataset).feeds == []  # nothing new: nothing done


def test_an_older_line_ingested_later_changes_only_when_it_was_seen(two_days: tuple[Path, Path]) -> None:
    feeds, dataset = two_days
    update(feeds, dataset)
    write_feed(feeds / "newscenter", "20261103T000000Z", [line(1, 1, "2026-11-03T00:00:00Z", title="另一个蜘蛛")])
    update(feeds, dataset)
    row = articles(dataset)[1]
    assert (row["revision"], row["title"]) == (2, "更正")
    assert row["last_seen"] == pd.Timestamp("2026-11-03T00:00:00Z")


def test_no_feed_and_an_empty_feed_give_a_readable_empty_dataset(tmp_path: Path) -> None:
    write_feed(tmp_path / "feeds" / "yaowen", "20261101T000000Z", [])
    done = update(tmp_path / "feeds", tmp_path / "dataset")
    assert done.articles == 0 and articles(tmp_path / "dataset") == {} and spotchecks(tmp_path / "dataset") == []


def scrapy_dataset(cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "scrapy", "dataset", "--feeds", str(cwd / "feeds"), "--dataset",
                           str(cwd / "dataset")], cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env={**os.environ, **env})


def test_scrapy_dataset_goes_without_pandas(two_days: tuple[Path, Path]) -> None:
    """pyarrow imports pandas at its first array (0.4 s of every update); the command's process says it is not
    installed, and the whole update, records and reposts included, needs none of it."""
    feeds, dataset = two_days
    write_feed(feeds / "yaowen", "20261103T000000Z", [line(4, fetched="2026-11-03T00:00:00Z")],
               [spot(4, "2026-11-03T10:00:00+08:00", "新的丙")])
    code = ("import sys, pathlib; from cqnnews.commands.dataset import WithoutPandas; "
            "sys.meta_path.insert(0, WithoutPandas()); from cqnnews.outputs.dataset import update; "
            "done = update(pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])); "
            "print(done.lines, done.articles, done.spotchecks, 'pandas' in sys.modules)")
    run = subprocess.run([sys.executable, "-c", code, str(feeds), str(dataset)], cwd=ROOT, capture_output=True,
                         text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["3", "4", "3", "False"]
    assert articles(dataset)[4]["title"] == "标题" and (4, "新的丙") in spotchecks(dataset)


@pytest.mark.parametrize("point", DATASET_POINTS)
def test_killed_at_any_point_the_previous_dataset_stays_and_the_next_run_completes(
        two_days: tuple[Path, Path], point: str, tmp_path: Path) -> None:
    feeds, dataset = two_days
    before = articles(dataset)
    killed = scrapy_dataset(tmp_path, CQN_FAILPOINT=point)
    assert killed.returncode == -9
    now = articles(dataset)  # readable, whichever generation current points to
    assert now.keys() == before.keys()
    assert {aid: r["revision"] for aid, r in now.items()} in ({aid: r["revision"] for aid, r in before.items()},
                                                             {1: 2, 2: 2, 3: 1})
    again = scrapy_dataset(tmp_path)
    assert again.returncode == 0, again.stderr
    rows = articles(dataset)
    assert {aid: r["revision"] for aid, r in rows.items()} == {1: 2, 2: 2, 3: 1}
    assert spotchecks(dataset) == [(2, "新的甲"), (2, "新的乙")]
    assert [p.name for p in dataset.glob("gen-*")] == [generation_of(dataset).name]  # type: ignore[union-attr]


def test_a_broken_feed_is_one_line_and_changes_nothing(two_days: tuple[Path, Path], tmp_path: Path) -> None:
    feeds, dataset = two_days
    (feeds / "minsheng" / "20261102T000000Z.jsonl").write_text('{"article_id": 1, "title": \n', encoding="utf-8")
    result = scrapy_dataset(tmp_path)
    assert result.returncode == 1 and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "20261102T000000Z.jsonl" in result.stderr and "Traceback" not in result.stderr
    assert {aid: r["revision"] for aid, r in articles(dataset).items()} == {1: 1, 2: 1, 3: 1}


def read_by_duckdb(sidecar: Any, path: Path) -> Any:
    """The records of ``path`` as the build reads them (DuckDB's JSON reader, all the files beside the feeds in one
    reading: here ``path`` between two other files, each given its own records), for a kind it reads so."""
    from cqnnews.outputs.dataset import records
    from cqnnews.outputs.dataset.ingest import Part

    assert sidecar.read in records.BY_DUCKDB
    others = [path.with_name(f"other{n}{sidecar.suffix}") for n in (1, 2)]
    for n, other in enumerate(others):
        other.write_text(json.dumps({"article_id": 100 + n}) + "\n", encoding="utf-8")
    files = [others[0], path, others[1]]
    got = records._read(sidecar, [Part(f, 0, f.stat().st_size, "", f) for f in files])
    assert [t["article_id"].to_pylist() for t in (got[0], got[2])] == [[100], [101]]
    return got[1]


def test_the_records_beside_a_feed_read_as_read_spotchecks_reads_them(tmp_path: Path) -> None:
    """The build reads the spot-check records with DuckDB's JSON reader: the same table as ``read_spotchecks`` (the
    lines' order, maps as maps, a map missing or null empty, a time without an offset in UTC, a field not of the
    schema left out)."""
    from cqnnews.outputs.dataset import tables
    from cqnnews.schema.arrow import read_spotchecks

    records = [spot(n, "2026-11-02T10:00:00+08:00", f"产品{n}", n) for n in (5, 3, 9)]
    records += [{**spot(7, "2026-11-02T10:00:00", "无时区"), "extra": None, "unknown": 1},
                {"article_id": 8, "raw": {"甲": None, "乙": "2"}}]
    path = tmp_path / "x.spotchecks.jsonl"
    path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in records) + "\n", encoding="utf-8")
    got = read_by_duckdb(tables.SIDECARS[0], path)
    assert got.equals(read_spotchecks(path))
    assert got["article_id"].to_pylist() == [5, 3, 9, 7, 8] and got["extra"].to_pylist()[3:] == [[], []]


def test_a_broken_records_file_is_one_line_naming_it(two_days: tuple[Path, Path]) -> None:
    feeds, dataset = two_days
    (feeds / "minsheng" / "20261102T000000Z.spotchecks.jsonl").write_text('{"article_id": 1, "product": \n',
                                                                          encoding="utf-8")
    from cqnnews.outputs.dataset.generations import DatasetError

    with pytest.raises(DatasetError, match=r"cannot read the records .*20261102T000000Z\.spotchecks\.jsonl") as error:
        update(feeds, dataset)
    assert len(str(error.value).splitlines()) == 1
    assert {aid: r["revision"] for aid, r in articles(dataset).items()} == {1: 1, 2: 1, 3: 1}


def test_the_recall_records_read_as_read_recalls_reads_them(tmp_path: Path) -> None:
    from cqnnews.outputs.dataset import tables
    from cqnnews.schema.arrow import read_recalls

    records = [{"article_id": 1, "url": "u", "published_at": "2026-11-02T10:00:00+08:00", "recall": 0,
                "recallers": ["某公司"], "production": [{"from": "2016-04", "to": None, "text": "2016年4月"}],
                "quantity": 12, "quantities": [{"count": 3, "unit": "台", "models": ["A1"]}], "imported": True,
                "flags": [], "raw": ["召回"]}, {"article_id": 2, "recall": 1}]
    path = tmp_path / "x.recalls.jsonl"
    path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in records), encoding="utf-8")
    got = read_by_duckdb(tables.SIDECARS[1], path)
    assert got.equals(read_recalls(path)) and got.num_rows == 2


def test_records_read_together_out_of_their_files_order_are_each_given_their_own(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Should DuckDB hand the files' records on in another order than the files' and their lines', each file is read
    on its own."""
    from cqnnews.outputs.dataset import records, tables
    from cqnnews.outputs.dataset.ingest import Part

    sidecar = tables.SIDECARS[0]
    files = [tmp_path / f"{n}{sidecar.suffix}" for n in range(3)]
    for n, file in enumerate(files):
        file.write_text("".join(json.dumps({"article_id": 10 * n + i}) + "\n" for i in range(2)), encoding="utf-8")
    read = records._records

    def reversed_files(reader: Any, sidecar: Any, paths: list[Path]) -> Any:
        table = read(reader, sidecar, paths)
        return table.take(list(range(table.num_rows))[::-1]) if len(paths) > 1 else table

    monkeypatch.setattr(records, "_records", reversed_files)
    got = records._read(sidecar, [Part(f, 0, f.stat().st_size, "", f) for f in files])
    assert [t["article_id"].to_pylist() for t in got] == [[0, 1], [10, 11], [20, 21]]
