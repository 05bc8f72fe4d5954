"""First contact with the real site, on the replica's variants of what is known and what may be.

``--home 2018``: the home page built on the saved real page of March 2018 (要闻 by node id from
its main menu and its block's ``[更多]``, no 综合 link, ``/qt/index.htm`` answering 404).
``--articles redesign``: every article in a template whose class names no parser knows, with
the site's habits in its text.  Every spider must export every article of its sections, every
field right, and say in its summary which routes and readings it used.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cqnnews.outputs.feeds import article_feeds
from tests.conftest import NOW, SEED
from tests.crawl import read_feed, run_crawl
from tests.replica.process import RunningReplica, running_replica
from tests.replica.truth import leaves_of
from tests.test_e2e_sections import NEWS_CENTRE, compare

SCALE = 12
YAOWEN = {"综合/要闻一", "综合/要闻二"}


@pytest.fixture(scope="module")
def home_2018() -> Iterator[RunningReplica]:
    with running_replica(seed=SEED, scale=SCALE, now=NOW, home="2018") as running:
        yield running


@pytest.fixture(scope="module")
def redesign() -> Iterator[RunningReplica]:
    with running_replica(seed=SEED, scale=SCALE, now=NOW, articles="redesign") as running:
        yield running


@pytest.fixture(scope="module")
def both() -> Iterator[RunningReplica]:
    with running_replica(seed=SEED, scale=SCALE, now=NOW, home="2018", articles="redesign") as running:
        yield running


def crawl(replica: RunningReplica, workdir: Path, spider: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    result = run_crawl(spider, replica.url, workdir)
    assert result.returncode == 0, result.stderr[-3000:]
    [feed] = article_feeds(workdir / "feeds" / spider)
    summary = json.loads(feed.with_name(feed.stem + ".summary.json").read_text(encoding="utf-8"))
    return read_feed(feed), summary


def test_yaowen_finds_both_listings_on_the_2018_home_page(home_2018: RunningReplica, tmp_path: Path) -> None:
    records, summary = crawl(home_2018, tmp_path, "yaowen")
    compare(records, home_2018, YAOWEN)
    assert summary["healthy"] and summary["problems"] == []
    nav = summary["navigation"]
    assert nav["routes"] == {"要闻一": "menu", "要闻二": "more"}  # named as their own pages name them
    assert nav["routes_failed"] == {"channel": 1}  # /qt/index.htm: 404, and no harm done
    assert nav["missing"] == []


def test_every_field_of_every_article_is_read_in_a_redesigned_template(redesign: RunningReplica,
                                                                         tmp_path: Path) -> None:
    records, summary = crawl(redesign, tmp_path, "yaowen")
    compare(records, redesign, YAOWEN)
    redesigned = [r for r in records if "/content/" in r["url"]]  # pages of before 2016 keep the old layout
    assert {r["layout"] for r in redesigned} == {"generic"}
    assert any(r["authors"] for r in redesigned) and any(r["editor"] for r in redesigned)
    assert any(i["caption"] for r in redesigned for i in r["images"])
    assert all(r["published_at"] and r["flags"] == [] for r in redesigned)
    readings = summary["readings"]
    n = len(redesigned)
    assert readings["generic_reader"] == n
    assert readings["fallbacks"]["body/generic"] == n  # the layout, counted as a fallback: visible
    assert readings["fallbacks"]["title/h1"] == n and readings["fallbacks"]["breadcrumb/您当前位置"] == n
    assert readings["fallbacks"]["published_at/near_title"] == n and readings["fallbacks"]["source/来源"] == n


@pytest.mark.parametrize("spider", ["zonghe", "zgzlb", "minsheng", "shichang", "auto", "pinpai"])
def test_every_spider_exports_its_sections_on_the_2018_home_page_and_redesign(both: RunningReplica, tmp_path: Path,
                                                                              spider: str) -> None:
    channel = dict(zip(["zonghe", "zgzlb", "minsheng", "shichang", "auto", "pinpai"], NEWS_CENTRE))[spider]
    records, summary = crawl(both, tmp_path, spider)
    compare(records, both, leaves_of(both.site, channel))
    assert summary["healthy"], summary["problems"]


def test_newscenter_on_both_variants(both: RunningReplica, tmp_path: Path) -> None:
    records, summary = crawl(both, tmp_path, "newscenter")
    compare(records, both, leaves_of(both.site, *NEWS_CENTRE))
    assert summary["healthy"], summary["problems"]
    assert any(r["attachments"] for r in records if r["layout"] == "generic")  # 附件 links of notices, too
