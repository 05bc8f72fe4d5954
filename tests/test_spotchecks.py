"""Spot-check records (cqnnews/reading/spotchecks.py): every failed batch of every replica notice, field by field."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from cqnnews.reading.parsers import extract_pages
from cqnnews.reading.sheets import SPREADSHEETS, read_sheets
from cqnnews.reading.spotchecks import agencies, column_fields, is_spot_check, parties, records, table_records
from cqnnews.schema import spotcheck_problems
from cqnnews.urls import SiteUrls
from tests.conftest import NOW
from tests.crawl import ROOT
from tests.replica import render
from tests.replica.files import attachment_file
from tests.replica.site import Site
from tests.replica.truth import expected_spotchecks, served_pages

URLS = SiteUrls("http://127.0.0.1:8000")


def downloaded(site: Site, article: dict[str, Any]) -> dict[str, Any]:
    """The article as the attachments pipeline leaves it: each spreadsheet the replica serves read with
    cqnnews.reading.sheets (the pipeline's own download is tested end to end in test_e2e_spotchecks)."""
    for attachment in article["attachments"]:
        path = urlsplit(attachment["url"]).path
        served = attachment_file(path, site.attached_table(path))
        assert served is not None, path
        attachment["checksum"] = hashlib.sha256(served[0]).hexdigest()
        if path.endswith(SPREADSHEETS):
            attachment["tables"] = [t.record() for t in read_sheets(served[0], path)]
    return article


@pytest.mark.parametrize("template", ["current", "redesign"])
def test_every_record_of_every_replica_notice(template: str) -> None:
    site = Site(seed=7, scale=30, now=NOW, template=template)
    checked, mismatches = 0, []
    for ref in site.articles():
        want = expected_spotchecks(site, ref)
        if not want:
            continue
        got = records(downloaded(site, dataclasses.asdict(extract_pages(served_pages(site, ref, URLS.base), URLS))))
        assert len(got) == len(want), ref.path
        for record, expected in zip(got, want):
            assert spotcheck_problems(record) == []
            mismatches += [(ref.path, k, record[k], v) for k, v in expected.items() if record[k] != v]
        checked += len(want)
    assert mismatches == []
    assert checked > 50, "the replica's notices hold failed batches"
    sources = {(r["source"], r["file_checksum"] is None) for ref in site.articles() for r in expected_spotchecks(site, ref)}
    assert sources == {("page", True), ("attachment", False)}


def test_the_replica_serves_every_variant_of_its_tables() -> None:
    site = Site(seed=7, scale=30, now=NOW)
    stories = [site.story(ref) for ref in site.articles()]
    spots = [b.spot for story in stories for b in story.blocks if b.spot is not None]
    on_page = {id(s) for s in spots}
    files = [a for story in stories for a in story.attachments if a.spot is not None]
    only_in_files = [a for a in files if id(a.spot) not in on_page]
    # notices whose batches are only in a spreadsheet, of both kinds; others attach their table again
    assert {a.href.rsplit(".", 1)[1] for a in only_in_files} == {"xls", "xlsx"}
    assert len(files) > len(only_in_files) > 0
    spots += [a.spot for a in only_in_files if a.spot is not None]
    assert {len(s.columns) for s in spots} >= {9, 12, 14}
    assert {s.items_in_rows for s in spots} == {True, False} and {s.fragmented for s in spots} == {True, False}
    assert any(s.caption for s in spots) and any(not s.caption for s in spots)
    assert any(s.headers[1] == "产品名称" for s in spots) and any(s.headers[1] != "产品名称" for s in spots)
    batches = [b for s in spots for b in s.batches]
    assert {p["role"] for b in batches for p in b.parties} >= {"委托方", "受委托方", "进口商", "生产商", "经销商"}
    assert any(b.maker_denies for b in batches) and any(len(b.agencies) == 2 for b in batches)
    assert any("不符合标准规定项目" in s.headers for s in spots)  # medical devices
    # cells that lose a name to a reader that only knows some roles (issue 28)
    assert {p["role"] for b in batches for p in b.parties} >= {"出品商", "委托商", "监制", "网店", "经营者"}
    assert {a["role"] for b in batches for a in b.agencies} >= {"初检结构", "抽样检验机构", "复检机构", None}


@pytest.mark.parametrize(("cell", "maker", "named"), [
    ("出品商：甲品牌管理有限公司；生产商：乙食品有限公司", "乙食品有限公司",
     [{"role": "出品商", "name": "甲品牌管理有限公司"}, {"role": "生产商", "name": "乙食品有限公司"}]),
    ("生产者：乙公司；委托商：甲公司", "乙公司", [{"role": "生产者", "name": "乙公司"}, {"role": "委托商", "name": "甲公司"}]),
    ("监制：甲公司；生产商：乙公司", "乙公司", [{"role": "监制", "name": "甲公司"}, {"role": "生产商", "name": "乙公司"}]),
    ("甲公司；生产商：乙公司", "乙公司", [{"role": None, "name": "甲公司"}, {"role": "生产商", "name": "乙公司"}]),
    ("出品商：甲公司，生产商：乙公司（原产国：日本）", "乙公司",
     [{"role": "出品商", "name": "甲公司"}, {"role": "生产商", "name": "乙公司"}]),
    ("监制：甲公司；总代理：丙公司", "甲公司", [{"role": "监制", "name": "甲公司"}, {"role": "总代理", "name": "丙公司"}]),
])
def test_every_name_of_a_cell_is_kept_with_its_role(cell: str, maker: str, named: list[dict[str, str | None]]) -> None:
    """出品商：A；生产商：B gave B alone (issue 28): each name is a party, with its role as written or none; the maker
    is the party that made the product, else the first named."""
    assert parties(cell)[0] == maker and parties(cell)[1] == named


def test_an_agency_cell_keeps_every_agency_whatever_its_role() -> None:
    assert agencies("初检结构：成都市食品药品检验研究院；复检机构：中国测试技术研究院") == [
        {"role": "初检结构", "name": "成都市食品药品检验研究院"}, {"role": "复检机构", "name": "中国测试技术研究院"}]
    assert agencies("甲院；乙院") == [{"role": None, "name": "甲院"}, {"role": None, "name": "乙院"}]


def test_a_sampled_unit_cell_of_several_parties() -> None:
    header = ["序号", "产品名称", "标称生产企业名称", "被抽样单位", "不合格项目"]
    [record] = table_records(header, [["1", "鸡蛋", "出品商：甲公司；生产商：乙公司", "网店：某旗舰店；经营者：丙公司",
                                       "菌落总数"]])
    assert record["manufacturer"] == "乙公司" and record["sampled_unit"] == "某旗舰店"
    assert [p["name"] for p in record["parties"]] == ["甲公司", "乙公司", "某旗舰店", "丙公司"]
    assert spotcheck_problems({**record, "article_id": 1, "url": "https://www.cqn.com.cn/ms/1.htm", "published_at": None,
                               "issuer": "x", "scope": None, "source": "page", "file_checksum": None, "table": 0}) == []


def test_columns_are_mapped_by_header_not_position() -> None:
    header = ["序号", "食品名称", "标称生产者地址", "被抽样单位", "标称生产企业名称", "检验结果/标准值", "不合格项目",
              "检验结果/实测值", "抽样编号"]
    assert column_fields(header) == {0: "seq", 1: "product", 2: "manufacturer_address", 3: "sampled_unit",
                                     4: "manufacturer", 5: "standard", 6: "item", 7: "result"}
    assert is_spot_check(header)
    assert not is_spot_check(["序号", "产品名称", "生产企业", "抽查结果"])  # a list of results, no failed item


def test_one_cell_listing_several_items_and_parties_with_roles() -> None:
    header = ["序号", "产品名称", "标称生产企业名称", "不合格项目", "检验结果", "标准值", "检验机构", "备注", "抽样编号"]
    rows = [["1", "鸡蛋", "进口商：某进出口贸易有限公司（原产国：意大利）", "菌落总数、大肠菌群", "3.7×104、4.6×102", "≤104、/",
             "初检机构：成都市食品药品检验研究院；复检机构：中国测试技术研究院", "经山东省市场监管局核实，该产品并非来自某公司。", "/"]]
    [record] = table_records(header, rows)
    assert record["manufacturer"] == "某进出口贸易有限公司" and record["origin_country"] == "意大利"
    assert record["parties"] == [{"role": "进口商", "name": "某进出口贸易有限公司"}]
    assert record["failed_items"] == [{"item": "菌落总数", "result": "3.7×104", "standard": "≤104"},
                                      {"item": "大肠菌群", "result": "4.6×102", "standard": None}]
    assert record["agencies"] == [{"role": "初检机构", "name": "成都市食品药品检验研究院"},
                                  {"role": "复检机构", "name": "中国测试技术研究院"}]
    assert record["maker_denies"] is True and record["extra"] == {"抽样编号": None}


@pytest.mark.parametrize(("cell", "maker"), [
    ("委托方：甲公司；受委托方：乙公司", "乙公司"), ("生产商：丙公司；经销商：丁公司", "丙公司"), ("戊公司", "戊公司"), ("/", None)])
def test_the_maker_of_a_cell_of_parties(cell: str, maker: str | None) -> None:
    assert parties(cell)[0] == maker
    assert agencies("/") == [] and agencies("某院") == [{"role": None, "name": "某院"}]


def test_extract_prints_the_records_of_a_saved_notice(tmp_path: Path) -> None:
    site = Site(seed=7, scale=30, now=NOW)
    ref = next(r for r in site.articles() if expected_spotchecks(site, r) and site.variant(r).pages == 1)
    page = render.article(site, ref)
    assert page is not None
    saved = tmp_path / "notice.htm"
    saved.write_bytes(page.body)
    result = subprocess.run([sys.executable, "-m", "cqnnews.reading.extract", "--spotchecks", str(saved), "--url",
                             "https://www.cqn.com.cn" + ref.path, "--content-type", page.content_type],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    got = [json.loads(line) for line in result.stdout.splitlines()]
    assert got == expected_spotchecks(site, ref)


def test_an_attached_spreadsheet_gives_its_batches_once(tmp_path: Path) -> None:
    """The page's table attached again adds nothing; a batch only the file lists is added; a file linked twice is
    read once; ``python -m cqnnews.reading.extract --spotchecks`` reads the file alone."""
    site = Site(seed=7, scale=30, now=NOW)
    spot = next(b.spot for ref in site.articles() for b in site.story(ref).blocks if b.spot is not None)
    table = spot.table()
    longer = {**table, "rows": [*table["rows"], [("另一" + c if c not in ("", "/") else c) for c in table["rows"][0]]]}
    notice = {"article_id": 1, "url": "https://www.cqn.com.cn/ms/content/1.htm", "published_at": None,
              "title": "市场监管总局：抽查结果", "source": "市场监管总局", "breadcrumb": [], "tables": [table],
              "attachments": [{"checksum": "a" * 64, "tables": [table]}, {"checksum": "b" * 64, "tables": [longer]},
                              {"checksum": "b" * 64, "tables": [longer]}, {"checksum": None, "tables": None}]}
    got = records(notice)
    assert [r["source"] for r in got] == ["page"] * len(spot.batches) + ["attachment"]
    assert got[-1]["file_checksum"] == "b" * 64 and got[-1]["row"] == len(table["rows"])
    saved = tmp_path / "不合格产品名单.xls"
    saved.write_bytes(spot.xls())
    result = subprocess.run([sys.executable, "-m", "cqnnews.reading.extract", "--spotchecks", str(saved)],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["product"] for r in lines] == [b.product for b in spot.batches]
    assert {(r["source"], r["file_checksum"]) for r in lines} == {("attachment", hashlib.sha256(spot.xls()).hexdigest())}
    (tmp_path / "broken.xlsx").write_bytes(b"PK not a workbook")
    result = subprocess.run([sys.executable, "-m", "cqnnews.reading.extract", "--spotchecks", str(tmp_path / "broken.xlsx")],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1 and result.stdout == "" and len(result.stderr.splitlines()) == 1
