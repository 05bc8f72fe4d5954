"""End to end: the replica on a free port, ``scrapy crawl yaowen`` in a subprocess, the feed checked
against the replica's ground truth."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from cqnnews.outputs.feeds import article_feeds
from cqnnews.schema import problems
from tests.crawl import read_feed, run_crawl
from tests.replica.process import RunningReplica
from tests.replica.truth import expected_feed

YAOWEN = {"综合/要闻一", "综合/要闻二"}
REFERENCE_URL = "https://www.cqn.com.cn/qt/content/2018-08/03/content_6121542.htm"


@pytest.fixture(scope="module")
def crawl(replica: RunningReplica, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    workdir = tmp_path_factory.mktemp("yaowen")
    result = run_crawl("yaowen", replica.url, workdir)
    assert result.returncode == 0, result.stderr[-3000:]
    feeds = article_feeds(workdir / "feeds" / "yaowen")
    return {"result": result, "feeds": feeds, "records": read_feed(feeds[0]) if feeds else []}


def expected_articles(replica: RunningReplica) -> dict[int, dict[str, Any]]:
    return expected_feed(replica.site, YAOWEN)


def test_feed_lands_at_the_default_path(crawl: dict[str, Any]) -> None:
    assert len(crawl["feeds"]) == 1
    assert re.fullmatch(r"\d{8}T\d{6}Z\.jsonl", crawl["feeds"][0].name)


def test_feed_is_utf8_with_real_chinese(crawl: dict[str, Any]) -> None:
    text = crawl["feeds"][0].read_text(encoding="utf-8")
    assert "要闻" in text and "\\u" not in text


def test_every_line_validates_against_the_schema(crawl: dict[str, Any]) -> None:
    assert crawl["records"]
    for record in crawl["records"]:
        assert problems(record) == [], record["url"]


def test_every_yaowen_article_exactly_once(crawl: dict[str, Any], replica: RunningReplica) -> None:
    ids = [r["article_id"] for r in crawl["records"]]
    assert len(ids) == len(set(ids))
    assert set(ids) == set(expected_articles(replica))


def test_every_field_matches_the_ground_truth(crawl: dict[str, Any], replica: RunningReplica) -> None:
    expected = expected_articles(replica)
    mismatches = []
    for record in crawl["records"]:
        want = expected[record["article_id"]]
        for name, value in want.items():
            if record[name] != value:
                mismatches.append((record["url"], name, record[name], value))
    assert mismatches == []


def test_cross_listed_articles_carry_both_sections(crawl: dict[str, Any]) -> None:
    both = [r for r in crawl["records"] if r["sections"] == ["要闻一", "要闻二"]]
    assert both, "the replica lists some 要闻一 articles under 要闻二 too"


def test_reference_article(crawl: dict[str, Any]) -> None:
    [ref] = [r for r in crawl["records"] if r["url"] == REFERENCE_URL]
    assert ref["article_id"] == 6121542
    assert ref["channel"] == "qt"
    assert ref["breadcrumb"] == ["新闻中心", "综合", "要闻二"]
    assert ref["published_at"] == "2018-08-03T17:13:55+08:00"
    assert ref["source"] == "中国质量新闻网"
    assert ref["authors"] == ["张井"]
    assert ref["editor"] == "语安"
    assert [i["caption"] for i in ref["images"]] == [
        "与会代表观看包头市实施标准化战略助力经济高质量发展成果展",
        "与会代表在内蒙古北方重型汽车股份有限公司现场观摩",
    ]
    body = ref["body"]
    assert body.startswith("“锦绣包头")
    assert body.endswith("共计110余人参加了会议。")
    for furniture in ("(张井)", "（张井）", "责任编辑", "最新评论", "声明", "图片新闻"):
        assert furniture not in body
    assert "与会代表观看包头市" not in body  # captions are not body text


def test_output_option_replaces_the_default_feed(replica: RunningReplica, tmp_path: Path) -> None:
    result = run_crawl("yaowen", replica.url, tmp_path, "-O", "out.jsonl")
    assert result.returncode == 0, result.stderr[-3000:]
    assert read_feed(tmp_path / "out.jsonl")
    assert (tmp_path / "out.summary.json").exists()
    assert not (tmp_path / "feeds").exists()


def test_a_run_cut_short_is_unhealthy(replica: RunningReplica, tmp_path: Path) -> None:
    result = run_crawl("yaowen", replica.url, tmp_path, "-s", "CLOSESPIDER_ITEMCOUNT=5")
    assert result.returncode == 1
    assert "finish reason 'closespider_itemcount'" in result.stderr


def test_polite_defaults_reach_the_crawl(crawl: dict[str, Any]) -> None:
    log = crawl["result"].stderr
    assert "robotstxt/request_count" in log
    assert "'cqnnews/article/failed'" not in log
