"""Recall records (cqnnews/reading/recalls.py): every recall of every replica notice, field by field, in every style; none
from articles that only mention recalls; ``python -m cqnnews.reading.extract --recalls`` on saved pages."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from cqnnews.reading.parsers import extract_pages
from cqnnews.reading.recalls import records
from cqnnews.schema import recall_problems
from cqnnews.urls import SiteUrls
from tests.conftest import NOW
from tests.crawl import ROOT
from tests.replica import render
from tests.replica.recalls import expected_recalls
from tests.replica.site import ArticleRef, Site
from tests.replica.truth import served_pages

URLS = SiteUrls("http://127.0.0.1:8000")


def read(site: Site, ref: ArticleRef) -> list[dict[str, Any]]:
    return records(dataclasses.asdict(extract_pages(served_pages(site, ref, URLS.base), URLS)))


@pytest.mark.parametrize("template", ["current", "redesign"])
def test_every_recall_of_every_replica_notice(template: str) -> None:
    site = Site(seed=7, scale=30, now=NOW, template=template)
    checked, mismatches = 0, []
    for ref in site.articles():
        want = expected_recalls(site, ref)
        if not want and ref.leaf.node.kind not in ("recall", "auto") and ref.article_id % 5:
            continue  # every recall listing's and 汽车's article, a fifth of the others: none announces one
        got = read(site, ref)
        assert len(got) == len(want), (ref.path, site.story(ref).title, got)
        for record, expected in zip(got, want):
            assert recall_problems(record) == []
            mismatches += [(ref.path, k, record[k], v) for k, v in expected.items() if record[k] != v]
        checked += len(want)
    assert mismatches == []
    assert checked > 40


def test_the_replica_publishes_recalls_in_every_style() -> None:
    site = Site(seed=7, scale=30, now=NOW)
    refs = site.own_articles(site.leaf("民生/召回"))
    stories = [site._story(ref) for ref in refs]
    recalls = [r for s in stories for r in s.recalls]
    styles = Counter()
    for story in stories:
        first = story.recalls[0]["raw"][0] if story.recalls else ""
        styles["digest"] += len(story.recalls) > 1
        styles["mention"] += not story.recalls
        styles["table"] += any(b.kind == "table" for b in story.blocks)
        styles["rewrite"] += story.title.startswith("涉及")
        styles["本报讯"] += story.lead_prefix == "本报讯"
        styles["据…消息"] += first.startswith("据") and "消息" in first
        styles["vehicle rule"] += "《缺陷汽车产品召回管理条例》" in first
        styles["consumer rule"] += "《消费品召回管理暂行规定》" in first or "《儿童玩具召回管理规定》" in first
        styles["earlier recall"] += any(b.text.startswith("此前") for b in story.blocks)
    assert all(styles[s] > 0 for s in ("digest", "mention", "table", "rewrite", "本报讯", "据…消息", "vehicle rule",
                                       "consumer rule", "earlier recall")), styles
    assert len({r["unit"] for r in recalls}) >= 4  # 辆, 台, 只, 个, 件...
    assert {r["product"] == "汽车" for r in recalls} == {True, False}
    assert any(r["quantity"] is None for r in recalls) and any(len(r["quantities"]) > 1 for r in recalls)
    assert any(len(r["models"]) > 1 for r in recalls) and any(len(r["production"]) > 1 for r in recalls)
    assert any("万" in line for r in recalls for line in r["raw"])
    assert any(r["flags"] for r in recalls) and any(r["recall_end"] for r in recalls) and any(r["recall_ids"] for r in recalls)
    assert any(len(p["from"]) == 7 for r in recalls for p in r["production"])  # 2016年4月: to the month
    assert any(r["imported"] for r in recalls) and any(r["origin_country"] for r in recalls)
    assert any(len(r["recallers"]) > 1 for r in recalls)
    # reposted under 汽车>>汽车召回 too
    assert any(site.listings_of(ref) == ["民生/召回", "汽车/汽车召回"] for ref in refs)
    ids = [ref.article_id for ref in site.articles()]
    assert len(ids) == len(set(ids)), "the recall listing's slots are nobody else's"


REGULATOR = {
    "article_id": 1, "url": "https://www.cqn.com.cn/ms/content/2019-05/24/content_1.htm",
    "published_at": "2019-05-24T09:30:00+08:00", "title": "宝马召回部分进口X5汽车", "tables": [],
    "body": "\n".join([
        "宝马（中国）汽车贸易有限公司根据《缺陷汽车产品召回管理条例》和《缺陷汽车产品召回管理条例实施办法》的要求，"
        "向国家市场监督管理总局备案了召回计划。自2019年5月31日起，召回2016年4月11日至2017年3月5日期间生产的部分"
        "进口宝马X5、X6汽车，共计12,345辆（原产国：德国）。",
        "此前，宝马已于2018年6月1日起召回2015年生产的部分进口宝马X5汽车。",
        "本次召回范围内部分车辆由于安全气囊气体发生器可能异常，气囊展开时壳体可能破裂，存在安全隐患。",
        "宝马中国将为召回范围内车辆免费更换气体发生器，以消除安全隐患。",
    ]),
}


def test_the_regulators_wording() -> None:
    [record] = records(REGULATOR)
    assert record["recallers"] == ["宝马（中国）汽车贸易有限公司"] and record["brands"] == ["宝马"]
    assert record["models"] == ["X5", "X6"] and record["product"] == "汽车"
    assert record["production"] == [{"from": "2016-04-11", "to": "2017-03-05", "text": "2016年4月11日至2017年3月5日"}]
    assert (record["quantity"], record["unit"], record["quantities"]) == (12345, "辆", [])
    assert (record["recall_start"], record["recall_end"], record["flags"]) == ("2019-05-31", None, [])
    assert record["imported"] is True and record["origin_country"] == "德国"
    assert record["regulations"] == ["《缺陷汽车产品召回管理条例》", "《缺陷汽车产品召回管理条例实施办法》"]
    assert record["defect"].startswith("本次召回范围内") and record["remedy"].startswith("宝马中国将为")
    assert len(record["raw"]) == 3 and not any(line.startswith("此前") for line in record["raw"])  # its dates unread
    assert recall_problems(record) == []


def test_a_newspapers_report_with_years_left_out_and_counts_in_wan() -> None:
    article = {"article_id": 2, "url": "https://www.cqn.com.cn/zgzlb/content/1.htm", "published_at":
               "2020-12-28T08:00:00+08:00", "title": "美的召回部分洗碗机", "tables": [], "body":
               "日前，佛山市顺德区美的洗涤电器制造有限公司向国家市场监督管理总局备案了召回计划，决定自1月5日起，"
               "召回2019年3月至8月生产的美的牌洗碗机（型号：WQP8-3906）1.2万台；2019年11月1日至2020年2月3日生产的"
               "美的牌洗碗机（型号：WQP12-7201）3,500台，合计15,500台。"}
    [record] = records(article)
    assert record["recall_start"] == "2021-01-05"  # 1月5日 in a paper of late December: next year's
    assert record["production"][0] == {"from": "2019-03", "to": "2019-08", "text": "2019年3月至8月"}
    assert (record["quantity"], record["unit"]) == (15500, "台")
    assert record["quantities"] == [{"count": 12000, "unit": "台", "models": ["WQP8-3906"]},
                                    {"count": 3500, "unit": "台", "models": ["WQP12-7201"]}]
    assert record["brands"] == ["美的"] and record["product"] == "洗碗机" and record["regulations"] == []


def test_starting_today_is_the_day_of_publication_flagged() -> None:
    article = {**REGULATOR, "body": REGULATOR["body"].replace("自2019年5月31日起", "自即日起")}
    [record] = records(article)
    assert record["recall_start"] == "2019-05-24" and record["flags"] == ["recall_start_is_publication_day"]


@pytest.mark.parametrize("body", [
    "据统计，2023年全国共实施汽车召回215次，涉及车辆672.3万辆。",
    "此前，某汽车有限公司曾于2019年召回2018年生产的部分汽车，共计3,000辆。",
    "会议要求，督促企业主动召回缺陷产品。",
])
def test_a_recall_mentioned_in_passing_gives_none(body: str) -> None:
    assert records({**REGULATOR, "body": body}) == []


def test_extract_prints_the_recalls_of_saved_pages(tmp_path: Path) -> None:
    site = Site(seed=7, scale=30, now=NOW)
    refs = [r for r in site.own_articles(site.leaf("民生/召回")) if site.variant(r).pages == 1]
    regulator = next(r for r in refs if "备案了召回计划。" in (expected_recalls(site, r) or [{"raw": [""]}])[0]["raw"][0])
    paper = next(r for r in refs if site.story(r).lead_prefix)
    mention = next(r for r in refs if not expected_recalls(site, r))
    for ref in (regulator, paper, mention):
        page = render.article(site, ref)
        assert page is not None
        saved = tmp_path / f"{ref.article_id}.htm"
        saved.write_bytes(page.body)
        result = subprocess.run([sys.executable, "-m", "cqnnews.reading.extract", "--recalls", str(saved), "--url",
                                 "https://www.cqn.com.cn" + ref.path, "--content-type", page.content_type],
                                cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        got = [json.loads(line) for line in result.stdout.splitlines()]
        assert got == expected_recalls(site, ref)
        assert all(isinstance(r["quantity"], int) or r["quantity"] is None for r in got)
    assert got == [] and result.stdout == ""  # the last: a page announcing none prints nothing


def test_already_filed_is_this_recall_and_a_year_alone_is_a_range() -> None:
    article = {**REGULATOR, "title": "福特召回", "body": "近日，长安福特汽车有限公司已于日前向国家市场监督管理总局备案了召回"
               "计划，将自2021年3月1日起召回2020年生产的部分福特Mustang汽车，共计500辆。"}
    [record] = records(article)
    assert record["recallers"] == ["长安福特汽车有限公司"] and record["brands"] == ["福特"]
    assert record["models"] == ["Mustang"] and record["quantity"] == 500
    assert record["production"] == [{"from": "2020", "to": "2020", "text": "2020年"}]
    assert record["recall_start"] == "2021-03-01"
