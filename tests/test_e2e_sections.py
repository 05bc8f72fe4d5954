"""Every section spider against the replica: exactly the articles of its section, every field right."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cqnnews.schema import problems
from tests.crawl import read_feed, run_crawl
from tests.replica.process import RunningReplica
from tests.replica.truth import expected_feed, leaves_of

NEWS_CENTRE = ("综合", "中国质量报", "民生", "市场监管", "汽车", "品牌")
SPIDERS = {
    "zonghe": (("综合",), ()),
    "zgzlb": (("中国质量报",), ()),
    "minsheng": (("民生",), ()),
    "shichang": (("市场监管",), ()),
    "auto": (("汽车",), ()),
    "pinpai": (("品牌",), ()),
    "newscenter": (NEWS_CENTRE, ()),
}


def crawl_and_compare(replica: RunningReplica, tmp_path: Path, spider: str, walked: set[str], *args: str) -> None:
    result = run_crawl(spider, replica.url, tmp_path, "-O", "feed.jsonl", *args)
    assert result.returncode == 0, result.stderr[-3000:]
    compare(read_feed(tmp_path / "feed.jsonl"), replica, walked)


def compare(records: list[dict[str, Any]], replica: RunningReplica, walked: set[str]) -> None:
    """The records are exactly the articles of the listings ``walked``, once each, every field right."""
    expected = expected_feed(replica.site, walked)
    ids = [r["article_id"] for r in records]
    assert len(ids) == len(set(ids)), "an article came out twice"
    assert set(ids) == set(expected)
    mismatches = [(r["url"], k, r[k], v) for r in records for k, v in expected[r["article_id"]].items() if r[k] != v]
    assert mismatches == []
    assert all(problems(r) == [] for r in records)


@pytest.mark.parametrize("spider", list(SPIDERS))
def test_spider_exports_exactly_its_section(replica: RunningReplica, tmp_path: Path, spider: str) -> None:
    channels, names = SPIDERS[spider]
    crawl_and_compare(replica, tmp_path, spider, leaves_of(replica.site, *channels, names=names))


def test_newscenter_merges_articles_listed_across_channels(replica: RunningReplica, tmp_path: Path) -> None:
    walked = leaves_of(replica.site, *NEWS_CENTRE)
    expected = expected_feed(replica.site, walked)
    assert any(len(e["sections"]) == 2 and e["channel"] != "qt" and "要闻一" in e["sections"]
               for e in expected.values()), "the replica cross-lists across channels"
    assert not leaves_of(replica.site, "视频中心", "专题") & walked


@pytest.mark.parametrize(("spider", "sub", "channel", "names"), [
    ("yaowen", "要闻二", "综合", ("要闻二",)),
    ("minsheng", "地方抽查", "民生", ("地方抽查",)),
    ("minsheng", "健康,家居", "民生", ("健康", "家居")),
    ("zgzlb", "第三版", "中国质量报", ("第三版",)),
])
def test_sub_narrows_a_spider(replica: RunningReplica, tmp_path: Path, spider: str, sub: str, channel: str,
                              names: tuple[str, ...]) -> None:
    walked = leaves_of(replica.site, channel, names=names)
    assert walked
    crawl_and_compare(replica, tmp_path, spider, walked, "-a", f"sub={sub}")


def test_unknown_sub_stops_the_run_with_the_valid_names(replica: RunningReplica, tmp_path: Path) -> None:
    result = run_crawl("zgzlb", replica.url, tmp_path, "-a", "sub=第九十九版")
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert "第九十九版" in line and "第一版" in line and "第八版" in line
    assert not (tmp_path / "feeds").exists()


@pytest.mark.parametrize(("args", "env", "says"), [
    (("-a", "color=red"), {}, "accepted: -a sub="),
    ((), {"CQN_BASE_URL": "www.cqn.com.cn"}, "CQN_BASE_URL must be an http(s) origin"),
])
def test_bad_input_stops_the_run_at_start(replica: RunningReplica, tmp_path: Path, args: tuple[str, ...],
                                          env: dict[str, str], says: str) -> None:
    result = run_crawl("yaowen", env.pop("CQN_BASE_URL", replica.url), tmp_path, *args)
    assert result.returncode == 2
    assert says in result.stderr and len(result.stderr.strip().splitlines()) == 1
