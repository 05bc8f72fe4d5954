"""The replica's ``--listings`` variants (tests/replica/listings.py), read as the crawler reads them: every page of
every listing, by the listing reader and the pagination reader alone, gives exactly the listing's articles."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

import pytest
from parsel import Selector

from cqnnews.reading.listings import GENERIC, read_items
from cqnnews.reading.navigation import crumb_name
from cqnnews.reading.pagination import read_pagination
from cqnnews.urls import article_id
from tests.replica import server
from tests.replica.site import LISTINGS, PAGE_SIZE, Site
from tests.replica.timeline import SHANGHAI

ORIGIN = "https://www.cqn.com.cn"
NOW = datetime(2026, 11, 25, 8, 0, tzinfo=SHANGHAI)


def fetch(site: Site, url: str) -> Selector | None:
    page = server.route(site, urlsplit(url).path)
    return None if page.status != 200 else Selector(text=page.body.decode("utf-8"))


def walk(site: Site, first: str) -> tuple[list[int], set[str], set[str]]:
    """Every article id of the listing, page by page as the walk goes; the readings and pagination signs used."""
    ids: list[int] = []
    readings, signs = set(), set()
    page, last, url = 1, 1, first
    while True:
        sel = fetch(site, url)
        assert sel is not None, url
        read = read_items(sel, url)
        assert not read.ambiguous, url
        readings.add(read.reading)
        ids += [article_id(i.url) for i in read.items]  # type: ignore[misc]
        pages = read_pagination(sel, url, first, page)
        signs.add(pages.sign)
        last = max(last, pages.last)
        if page >= last:
            return ids, readings, signs
        page += 1
        url = pages.url(first, page)


@pytest.mark.parametrize("variant", LISTINGS)
def test_every_listing_reads_whole_in_every_variant(variant: str) -> None:
    site = Site(seed=1, scale=45, now=NOW, listings=variant)
    multi = 0
    for leaf in site.leaves[:12]:
        first = f"{ORIGIN}/{leaf.channel.slug}/node_{leaf.node.node_id}.htm"
        ids, readings, signs = walk(site, first)
        assert ids == [r.article_id for r in site.listing(leaf)], (variant, leaf.key)
        multi += site.pages(leaf) > 1
        assert readings == ({GENERIC} if variant not in ("current", "overlap") else {"cont_l"})
    assert multi >= 3  # the walks went past page 1


def test_the_side_column_holds_more_article_links_than_a_short_list() -> None:
    site = Site(seed=1, scale=12, now=NOW, listings="redesign")
    sel = fetch(site, f"{ORIGIN}/qt/node_22276.htm")
    assert sel is not None
    listed = set(sel.css(".col-side a::attr(href)").getall())
    assert len(listed) > PAGE_SIZE  # more than any page of the list holds
    assert not listed & {r.path for r in site.listing(site.leaf("综合/时评"))}  # articles of another section


def test_overlap_names_both_yaowen_listings_yaowen() -> None:
    site = Site(seed=1, scale=12, now=NOW, listings="overlap")
    for node in (20762, 20796):
        sel = fetch(site, f"{ORIGIN}/qt/node_{node}.htm")
        assert sel is not None and crumb_name(sel) == "要闻"
    assert crumb_name(fetch(site, f"{ORIGIN}/qt/node_22276.htm")) == "时评"  # type: ignore[arg-type]


def test_the_index_variant_serves_no_node_page_scheme() -> None:
    site = Site(seed=1, scale=45, now=NOW, listings="index")
    assert server.route(site, "/qt/node_20762_2.htm").status == 404
    assert server.route(site, "/qt/node_20762/index_2.htm").status == 200


def test_the_default_serves_what_it_served() -> None:
    plain, named = Site(seed=1, scale=12, now=NOW), Site(seed=1, scale=12, now=NOW, listings="current")
    for path in ("/qt/node_20762.htm", "/qt/node_20762_2.htm", "/ms/node_172.htm", "/qt/node_22276.htm"):
        assert server.route(plain, path).body == server.route(named, path).body
