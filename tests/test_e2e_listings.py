"""Listings in any markup, end to end: the replica's ``--listings`` variants, alone and with ``--home 2018`` and
``--articles redesign``.  Every spider exports every article of its sections exactly once and none of a side
column, exits 0, and its summary (and ``scrapy smoke``) names the reading of the listings' items."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import NOW, SEED
from tests.crawl import POLITE_SETTINGS, crawl_env, read_feed, run_crawl
from tests.redis_server import free_port
from tests.replica.process import RunningReplica, running_replica
from tests.replica.site import PAGE_SIZE, Site
from tests.replica.truth import expected_feed, leaves_of
from tests.test_e2e_sections import NEWS_CENTRE, compare

SCALE = 4  # 要闻一, 要闻二 and 地方动态 run to two pages
YAOWEN = {"综合/要闻一", "综合/要闻二"}
VARIANTS = ("redesign", "numbered", "script", "index")
SPIDERS = dict(zip(["zonghe", "zgzlb", "minsheng", "shichang", "auto", "pinpai"], NEWS_CENTRE))


def crawl(replica: RunningReplica, workdir: Path, spider: str, *args: str,
          settings: dict[str, str] | None = None, **env: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    result = run_crawl(spider, replica.url, workdir, "-O", "feed.jsonl", *args, settings=settings, **env)
    assert result.returncode == 0, result.stderr[-3000:]
    summary = json.loads((workdir / "feed.summary.json").read_text(encoding="utf-8"))
    return read_feed(workdir / "feed.jsonl"), summary


@pytest.fixture(scope="module", params=[(v, combo) for v in VARIANTS for combo in ("alone", "2018+redesign")],
                ids=lambda p: f"{p[0]}-{p[1]}")
def variant(request: pytest.FixtureRequest) -> Iterator[RunningReplica]:
    listings, combo = request.param
    extra = {"home": "2018", "articles": "redesign"} if combo != "alone" else {}
    with running_replica(seed=SEED, scale=SCALE, now=NOW, listings=listings, **extra) as running:
        yield running


def test_both_overlapping_listings_named_yaowen_are_walked_whole(tmp_path: Path) -> None:
    """The must-show: the 2018 home page links 要闻 twice (menu: node_20762, its block's [更多]: node_20796), and
    both listings call themselves 要闻: two walks, every article of both exactly once."""
    with running_replica(seed=SEED, scale=SCALE, now=NOW, home="2018", listings="overlap") as replica:
        records, summary = crawl(replica, tmp_path, "yaowen")
        expected = expected_feed(replica.site, YAOWEN)
    assert max(replica.site.pages(replica.site.leaf(k)) for k in YAOWEN) > 1
    ids = [r["article_id"] for r in records]
    assert len(ids) == len(set(ids)) and set(ids) == set(expected)
    assert all(r["sections"] == ["要闻"] for r in records)  # both listings name themselves 要闻
    wrong = [(r["url"], k) for r in records for k, v in expected[r["article_id"]].items()
             if k != "sections" and r[k] != v]
    assert wrong == []
    assert summary["healthy"], summary["problems"]
    walked = summary["listings"]["walked"]
    assert [(w["name"], w["node"].rsplit("/", 1)[1], w["route"]) for w in walked] == [
        ("要闻", "node_20762.htm", "menu"), ("要闻", "node_20796.htm", "more")]
    assert summary["listings"]["ended_early"] == {}


def test_newscenter_exports_every_article_once_and_names_the_generic_reading(variant: RunningReplica,
                                                                              tmp_path: Path) -> None:
    records, summary = crawl(variant, tmp_path, "newscenter")
    compare(records, variant, leaves_of(variant.site, *NEWS_CENTRE))  # none of a side column: exactly these
    assert summary["healthy"], summary["problems"]
    listings = summary["listings"]
    assert set(listings["readings"]) - {"none"} == {"generic"} and listings["ambiguous_pages"] == 0  # none: 抽查公告
    assert all(set(w["readings"]) <= {"generic"} for w in listings["walked"])
    assert any(w["pagination"] not in ("none", None) for w in listings["walked"])


@pytest.mark.parametrize("spider", list(SPIDERS))
def test_every_spider_exports_its_sections_in_a_redesign_of_everything(tmp_path: Path, spider: str,
                                                                        redesigned: RunningReplica) -> None:
    records, summary = crawl(redesigned, tmp_path, spider)
    compare(records, redesigned, leaves_of(redesigned.site, SPIDERS[spider]))
    assert summary["healthy"], summary["problems"]
    assert "generic" in summary["listings"]["readings"]


@pytest.fixture(scope="module")
def redesigned() -> Iterator[RunningReplica]:
    with running_replica(seed=SEED, scale=SCALE, now=NOW, home="2018", articles="redesign",
                         listings="redesign") as running:
        yield running


def test_smoke_passes_and_names_the_generic_reading(variant: RunningReplica, tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "scrapy", "smoke", "yaowen", "minsheng"], cwd=tmp_path,
                            env=crawl_env(variant.url), capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert "smoke test passed" in result.stderr
    header, *rows = result.stdout.splitlines()
    assert header.split()[-4:] == ["items", "by", "pages", "by"]
    assert all("generic" in row for row in rows if "要闻" in row), result.stdout
    report = json.loads((tmp_path / "smoke.json").read_text(encoding="utf-8"))
    assert {r for s in report["spiders"] for w in s["listings"] for r in w["readings"]} == {"generic"}


def test_a_polite_crawl_of_a_redesigned_listing(tmp_path: Path, redesigned: RunningReplica) -> None:
    records, summary = crawl(redesigned, tmp_path, "yaowen", settings=POLITE_SETTINGS)
    compare(records, redesigned, YAOWEN)
    assert summary["healthy"], summary["problems"]


def test_the_daily_run_on_a_redesigned_listing_asks_for_no_page_past_the_first_known(tmp_path: Path) -> None:
    """As bench/crawl.py's excess-requests figure: the next day, each listing's pages up to the one holding its last
    new article, and one more (the first page of known articles) at most."""
    port, tomorrow, scale = free_port(), NOW + timedelta(days=1), 40  # four pages a listing
    for now in (NOW, tomorrow):
        with running_replica(seed=SEED, scale=scale, now=now, port=port, listings="redesign") as replica:
            records, summary = crawl(replica, tmp_path, "yaowen", CQN_NOW=now.isoformat())
    today, next_day = Site(seed=SEED, scale=scale, now=NOW), Site(seed=SEED, scale=scale, now=tomorrow)
    old = {r.article_id for key in YAOWEN for r in today.listing(today.leaf(key))}
    most, new = 0, set()
    for key in YAOWEN:
        listing = next_day.listing(next_day.leaf(key))
        fresh = [i for i, r in enumerate(listing) if r.article_id not in old]
        new |= {listing[i].article_id for i in fresh}
        most += min(next_day.pages(next_day.leaf(key)), (fresh[-1] // PAGE_SIZE + 1 if fresh else 0) + 1)
    assert new and {r["article_id"] for r in records} == new
    assert most < sum(next_day.pages(next_day.leaf(key)) for key in YAOWEN)  # a walk in full would ask for more
    assert summary["requests"]["listing_pages"] <= most, (summary["requests"], most)
    assert summary["healthy"], summary["problems"]


def test_a_walk_capped_each_run_is_resumed_by_the_next_until_the_listing_is_whole(tmp_path: Path) -> None:
    """CQN_MAX_LISTING_PAGES=2 on listings of four pages: each run walks the top and goes on where the last one
    stopped; three runs export every article once, and nothing is left unfinished in the state."""
    with running_replica(seed=SEED, scale=40, now=NOW, listings="redesign") as replica:
        summaries = []
        for n in range(3):
            work = tmp_path / f"run{n}"
            work.mkdir()
            result = run_crawl("yaowen", replica.url, tmp_path, "-O", f"run{n}/feed.jsonl",
                               settings={"CQN_MAX_LISTING_PAGES": "2"}, CQN_NOW=NOW.isoformat())
            assert result.returncode == 0, result.stderr[-3000:]
            summaries.append(json.loads((work / "feed.summary.json").read_text(encoding="utf-8")))
        records = [r for n in range(3) for r in read_feed(tmp_path / f"run{n}" / "feed.jsonl")]
        expected = expected_feed(replica.site, YAOWEN)
    assert min(replica.site.pages(replica.site.leaf(k)) for k in YAOWEN) == 4
    ids = [r["article_id"] for r in records]
    assert len(ids) == len(set(ids)) and set(ids) == set(expected)
    assert [s["listings"]["ended_early"] for s in summaries] == [{"capped": 2}, {"capped": 2}, {}]
    assert all(s["healthy"] for s in summaries), [s["problems"] for s in summaries]
    from cqnnews.state.store import StateStore
    from tests.crawl import state_dir

    store = StateStore.open(state_dir(tmp_path), "yaowen")
    try:
        assert store.unfinished_walks() == {}
    finally:
        store.close()
