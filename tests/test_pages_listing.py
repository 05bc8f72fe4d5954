"""How many listing pages a walk asks for ahead."""

from __future__ import annotations

from cqnnews.crawl.pages.listing import Listing, Walk


def test_a_walk_of_new_articles_doubles_its_window_up_to_the_most() -> None:
    walk = Walk(requested=1)
    assert list(walk.next_pages(1, last=40, grow=True, most=4)) == [2, 3]
    assert list(walk.next_pages(2, last=40, grow=True, most=4)) == [4, 5, 6]
    assert list(walk.next_pages(3, last=40, grow=True, most=4)) == [7]
    assert walk.requested == 7


def test_a_known_article_brings_the_walk_back_to_one_page() -> None:
    walk = Walk(requested=1, window=4)
    assert list(walk.next_pages(1, last=40, grow=False, most=8)) == [2]
    assert walk.window == 1


def test_never_past_the_last_page() -> None:
    walk = Walk(requested=1)
    assert list(walk.next_pages(1, last=2, grow=True, most=8)) == [2]
    assert list(walk.next_pages(2, last=2, grow=True, most=8)) == []


def test_a_listing_is_named_by_its_path() -> None:
    assert Listing(0, ("抽查公告", "国家抽查"), (0, 1, 0), record=True).name == "抽查公告>>国家抽查"


def test_a_page_repeating_an_earlier_one_is_recognised() -> None:
    walk = Walk(requested=1)
    assert not walk.repeats(["a", "b"])
    assert not walk.repeats(["c", "d"])
    assert walk.repeats(["c", "d"])
