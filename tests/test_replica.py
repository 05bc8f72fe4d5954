"""The replica is faithful to SITE.md, deterministic, and serves every variant of each unknown."""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from collections import Counter
from datetime import datetime, timedelta

import pytest

from cqnnews.reading.decoding import decode_page
from tests.conftest import NOW
from tests.replica import render, timeline
from tests.replica.process import RunningReplica
from tests.replica.server import route
from tests.replica.site import PAGE_SIZE, Site
from tests.replica.timeline import SHANGHAI


def fetch(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def test_serves_home_channel_listing_article_and_robots(replica: RunningReplica) -> None:
    status, _, home = fetch(replica.url + "/")
    assert status == 200 and "综合" in home.decode()
    assert fetch(replica.url + "/qt/index.htm")[0] == 200
    assert fetch(replica.url + "/qt/node_20796.htm")[0] == 200
    status, headers, body = fetch(replica.url + "/qt/content/2018-08/03/content_6121542.htm")
    assert status == 200 and "锦绣包头" in body.decode()
    assert fetch(replica.url + "/robots.txt")[2].startswith(b"User-agent: *")
    assert fetch(replica.url + "/qt/content/2018-08/03/content_1.htm")[0] == 404
    assert fetch(replica.url + "/zj/content/2018-08/03/content_6121542.htm")[0] == 404  # wrong channel


def test_same_seed_same_site_other_seed_other_content(site: Site) -> None:
    twin = Site(seed=site.seed, scale=site.scale, now=site.now)
    other = Site(seed=site.seed + 1, scale=site.scale, now=site.now)
    ref = site.own_articles(site.leaf("综合/要闻一"))[0]
    assert route(site, ref.path).body == route(twin, ref.path).body
    assert route(site, ref.path).body != route(other, ref.path).body


def test_ids_grow_with_time_and_match_site_md_anchors(site: Site) -> None:
    refs = sorted(site.articles(), key=lambda r: r.published)
    ids = [r.article_id for r in refs]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    for r in refs:
        if r.published.year == 2018 and r.published.month == 8:
            assert 6_000_000 < r.article_id < 6_300_000
        if r.published.year == 2026 and r.published.month == 9:
            assert 9_100_000 < r.article_id < 9_250_000


def test_old_articles_have_old_urls_and_gb2312(site: Site) -> None:
    old = [r for r in site.articles() if r.old]
    assert old and all(r.published.year <= 2015 for r in old)
    ref = old[0]
    assert re.fullmatch(r"/news/\w+/n\d+/\d+\.html", ref.path)
    page = route(site, ref.path)
    assert b"charset=gb2312" in page.body and "Index_ShowDetail" in page.body.decode("gb2312")


def test_split_articles_serve_every_page_and_no_more(site: Site) -> None:
    ref = next(r for r in site.articles() if site.variant(r).pages > 1)
    pages = site.variant(ref).pages
    for n in range(2, pages + 1):
        assert route(site, ref.page_path(n)).status == 200
    assert route(site, ref.page_path(pages + 1)).status == 404


def test_article_url_carries_its_date_and_id(site: Site) -> None:
    for ref in [r for r in site.articles() if not r.old][:200]:
        m = re.fullmatch(r"/(\w+)/content/(\d{4}-\d{2})/(\d{2})/content_(\d+)\.htm", ref.path)
        assert m is not None
        assert m[2] == f"{ref.published:%Y-%m}" and m[3] == f"{ref.published:%d}" and int(m[4]) == ref.article_id


def test_listings_are_newest_first_with_last_page_link(site: Site) -> None:
    leaf = site.leaf("综合/要闻一")
    refs = site.listing(leaf)
    assert [r.published for r in refs] == sorted((r.published for r in refs), reverse=True)
    pages = site.pages(leaf)
    assert pages >= 2
    first = route(site, f"/qt/node_{leaf.node.node_id}.htm").body.decode()
    assert f'href="node_{leaf.node.node_id}_{pages}.htm">尾页' in first
    last = route(site, f"/qt/node_{leaf.node.node_id}_{pages}.htm").body.decode()
    items = last[last.index('class="List_List"'):].count("<li><a")
    assert items == len(refs) - (pages - 1) * PAGE_SIZE
    assert route(site, f"/qt/node_{leaf.node.node_id}_{pages + 1}.htm").status == 404


def test_clock_hides_future_articles_and_publishes_daily() -> None:
    today = Site(seed=3, scale=5, now=NOW)
    tomorrow = Site(seed=3, scale=5, now=NOW + timedelta(days=1))
    for leaf in today.leaves:
        if leaf.node.year is not None and leaf.node.year < 2026:
            continue
        old, new = today.own_articles(leaf), tomorrow.own_articles(tomorrow.leaf(leaf.key))
        assert all(r.published <= NOW for r in old)
        assert len(new) > len(old), leaf.key
        assert {r.article_id for r in old} <= {r.article_id for r in new}


def test_sections_of_site_md_are_served(site: Site) -> None:
    keys = {leaf.key for leaf in site.leaves}
    for key in ("综合/要闻一", "综合/要闻二", "中国质量报/第一版", "中国质量报/第八版", "民生/健康", "民生/家居",
                "民生/抽查公告>>国家抽查>>2025", "民生/抽查公告>>地方抽查>>2024", "市场监管/地方动态",
                "市场监管/检验检测"):
        assert key in keys
    assert any(k.startswith("汽车/") for k in keys) and any(k.startswith("品牌/") for k in keys)
    assert site.nodes_by_id[20190][1][-1].name == "检验检测"


def test_every_variant_of_the_unknowns_is_served(site: Site) -> None:
    seen: Counter[str] = Counter()
    for ref in site.articles():
        variant = site.variant(ref)
        seen[f"layout:{variant.layout}"] += 1
        seen[f"encoding:{variant.encoding}"] += 1
        seen[f"declared:{variant.declare}"] += 1
        seen[f"mojibake:{variant.mojibake}"] += 1
        seen[f"pages:{min(variant.pages, 2)}"] += 1
        if variant.layout != "current":
            continue
        page = render.article(site, ref)
        html = decode_page(page.body, page.content_type).text
        enp = re.search(r"<!--enpproperty.*?<date>[^<]*(\.0|:0)</date>", html)
        where = "none" if enp is None else ("before" if enp.start() < html.index("Detail_Title") else "after")
        seen[f"enp:{where}"] += 1
        if enp:
            seen[f"enpdate:{enp[1]}"] += 1
        seen["from:empty" if '<span class="from"></span>' in html else "from:filled"] += 1
        seen[f"channel-is-section:{ref.channel_slug == ref.leaf.channel.slug}"] += 1
    for variant in ("enp:none", "enp:before", "enp:after", "enpdate:.0", "enpdate::0", "from:empty", "from:filled",
                    "channel-is-section:False", "layout:current", "layout:old", "layout:generic", "encoding:utf-8",
                    "encoding:gbk", "encoding:gb18030", "encoding:gb2312", "declared:both", "declared:header",
                    "declared:meta", "declared:neither", "declared:conflict", "mojibake:True", "pages:2"):
        assert seen[variant] > 0, variant
    dated = {site.shows_dates(leaf.node) for leaf in site.leaves}
    assert dated == {True, False}


def test_body_habits_are_all_present(site: Site) -> None:
    stories = [site.story(r) for r in site.articles()]
    bylines = Counter(s.byline for s in stories)
    assert set(bylines) >= {"trailing", "own_line", "lead", "paper_box", "paper_lead", "none"}
    assert any(s.subtitle for s in stories)
    assert any(s.attachments for s in stories)
    assert any(b.kind == "table" for s in stories for b in s.blocks)
    assert any(b.kind == "image" and b.image and b.image.caption for s in stories for b in s.blocks)
    assert any("：" in s.title and s.title.index("：") < 20 for s in stories)  # 发布机构：标题
    assert any(s.source not in ("中国质量新闻网", "中国质量新闻网-中国质量报") for s in stories)


def test_some_articles_are_listed_in_two_sections(site: Site) -> None:
    assert any(len(site.listings_of(r)) == 2 for r in site.articles())


def test_reference_article_listed_under_yaowen_er(site: Site) -> None:
    leaf = site.leaf("综合/要闻二")
    assert timeline.REFERENCE_ID in {r.article_id for r in site.listing(leaf)}


def test_large_scale_starts_fast_and_serves_on_request() -> None:
    big = Site(seed=1, scale=10_000, now=datetime(2026, 10, 1, tzinfo=SHANGHAI))
    leaf = big.leaf("综合/要闻一")
    assert big.pages(leaf) >= 10_000 // PAGE_SIZE
    assert route(big, f"/qt/node_{leaf.node.node_id}_300.htm").status == 200


def test_scale_beyond_capacity_is_refused() -> None:
    with pytest.raises(ValueError, match="scale too large"):
        Site(seed=1, scale=10_000_000, now=NOW)
