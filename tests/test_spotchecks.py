"""Spot-check records (cqnnews/spotchecks.py): every failed batch of every replica notice, field by field."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pytest

from cqnnews.parsers import extract_pages
from cqnnews.schema import spotcheck_problems
from cqnnews.spotchecks import agencies, column_fields, is_spot_check, parties, records, table_records
from cqnnews.urls import SiteUrls
from tests.conftest import NOW
from tests.crawl import ROOT
from tests.replica import render
from tests.replica.site import Site
from tests.replica.truth import expected_spotchecks, served_pages

URLS = SiteUrls("http://127.0.0.1:8000")


@pytest.mark.parametrize("template", ["current", "redesign"])
def test_every_record_of_every_replica_notice(template: str) -> None:
    site = Site(seed=7, scale=30, now=NOW, template=template)
    checked, mismatches = 0, []
    for ref in site.articles():
        want = expected_spotchecks(site, ref)
        if not want:
            continue
        got = records(dataclasses.asdict(extract_pages(served_pages(site, ref, URLS.base), URLS)))
        assert len(got) == len(want), ref.path
        for record, expected in zip(got, want):
            assert spotcheck_problems(record) == []
            mismatches += [(ref.path, k, record[k], v) for k, v in expected.items() if record[k] != v]
        checked += len(want)
    assert mismatches == []
    assert checked > 50, "the replica's notices hold failed batches"


def test_the_replica_serves_every_variant_of_its_tables() -> None:
    site = Site(seed=7, scale=30, now=NOW)
    spots = [b.spot for ref in site.articles() for b in site.story(ref).blocks if b.spot is not None]
    assert {len(s.columns) for s in spots} >= {9, 12, 14}
    assert {s.items_in_rows for s in spots} == {True, False} and {s.fragmented for s in spots} == {True, False}
    assert any(s.caption for s in spots) and any(not s.caption for s in spots)
    assert any(s.headers[1] == "产品名称" for s in spots) and any(s.headers[1] != "产品名称" for s in spots)
    batches = [b for s in spots for b in s.batches]
    assert {p["role"] for b in batches for p in b.parties} >= {"委托方", "受委托方", "进口商", "生产商", "经销商"}
    assert any(b.maker_denies for b in batches) and any(len(b.agencies) == 2 for b in batches)
    assert any("不符合标准规定项目" in s.headers for s in spots)  # medical devices


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
    result = subprocess.run([sys.executable, "-m", "cqnnews.extract", "--spotchecks", str(saved), "--url",
                             "https://www.cqn.com.cn" + ref.path, "--content-type", page.content_type],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    got = [json.loads(line) for line in result.stdout.splitlines()]
    assert got == expected_spotchecks(site, ref)
