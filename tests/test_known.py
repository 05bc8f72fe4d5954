"""KnownArticles sorts a listing page's links by what earlier runs did with them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from cqnnews.crawl.known import KnownArticles
from cqnnews.state.records import Exported
from cqnnews.state.store import StateStore
from cqnnews.urls import SiteUrls

URLS = SiteUrls("http://127.0.0.1:8000")


def link(aid: int, day: str = "2020-01/01") -> str:
    return f"{URLS.base}/qt/content/{day}/content_{aid}.htm"


def known(tmp_path: Path, exported: list[int] = (), pending: list[int] = ()) -> KnownArticles:  # type: ignore[assignment]
    store = StateStore.open(tmp_path, "yaowen")
    store.commit_exported([Exported(a, link(a), "h", None, ["要闻一"], 1) for a in exported], "f")
    store.add_pending((a, link(a), ["要闻一"]) for a in pending)
    return KnownArticles(store, URLS)


def test_new_articles_are_fresh_in_page_order(tmp_path: Path) -> None:
    page = known(tmp_path).sort([link(3), link(2), URLS.base + "/qt/node_6500.htm", "https://elsewhere.example/x"])
    assert page.fresh == [(3, link(3)), (2, link(2))]
    assert (page.exported, page.all_known, page.none_known, page.reached_since) == (0, False, True, False)


def test_exported_articles_are_not_fresh_and_pending_ones_are(tmp_path: Path) -> None:
    page = known(tmp_path, exported=[3], pending=[2]).sort([link(3), link(2)])
    assert page.fresh == [(2, link(2))]
    assert (page.exported, page.all_known, page.none_known) == (1, True, False)


def test_a_page_of_no_articles_is_neither_all_known_nor_a_reason_to_stop(tmp_path: Path) -> None:
    page = known(tmp_path).sort([])
    assert page.fresh == [] and not page.all_known and page.none_known


def test_since_keeps_articles_of_that_day_on_and_says_when_it_was_reached(tmp_path: Path) -> None:
    page = known(tmp_path).sort([link(3, "2020-01/02"), link(2, "2020-01/01"), link(1, "2019-12/31")],
                                since=date(2020, 1, 1))
    assert [aid for aid, _ in page.fresh] == [3, 2] and page.reached_since


def test_article_ids_no_state_can_hold_are_skipped_and_counted(tmp_path: Path) -> None:
    page = known(tmp_path).sort([link(2**63), link(2**64 + 5), link(7)])
    assert page.fresh == [(7, link(7))] and page.out_of_range == 2
