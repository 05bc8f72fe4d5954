"""The listing walk (cqnnews/crawl/pages/walker.py) on fake responses: one walk per node, pages delivered twice,
walks ended early recorded and resumed."""

from __future__ import annotations

from collections.abc import Callable

from cqnnews.crawl.spiders.base import Listing, SectionSpider
from cqnnews.state.records import Exported
from tests.test_spiders_base import BASE, html, make_spider  # noqa: F401 (the fixture)

FIRST = {"a": BASE + "/qt/node_6500.htm", "b": BASE + "/qt/node_6501.htm"}


def page(node: str, n: int, ids: range, last: int = 40, sign: str = "尾页") -> object:
    first = FIRST[node]
    url = first if n == 1 else first.replace(".htm", f"_{n}.htm")
    stem = first.rsplit("/", 1)[1].removesuffix(".htm")
    items = "".join(f'<li><a href="content/2020-01/01/content_{i}.htm">标题{i}</a></li>' for i in ids)
    pager = (f'<a href="{stem}_{last}.htm">尾页</a>' if sign == "尾页" else
             f'<a href="{stem}_{n + 1}.htm">下一页</a>' if n < last else "")
    return html(url, f'<div class="List_List"><dd class="cont_l"><ul>{items}</ul></dd></div><center>{pager}</center>')


def yaowen(node: str) -> Listing:
    return Listing(0, ("要闻",), (0, 0 if node == "a" else 1), record=True, node=FIRST[node])


def asked(spider: SectionSpider, node: str, n: int, ids: range, **kw: object) -> list[int]:
    return [r.cb_kwargs["page"] for r in spider.parse_listing(page(node, n, ids, **kw), listing=yaowen(node), page=n)]


def test_two_listings_of_one_name_are_two_walks(make_spider: Callable[..., SectionSpider]) -> None:
    spider = make_spider(CQN_LISTING_WINDOW=1)
    assert asked(spider, "a", 1, range(9000, 8980, -1), last=2) == [2]
    assert asked(spider, "b", 1, range(8990, 8986, -1), last=1) == []  # the short one ends its own walk only
    assert asked(spider, "a", 2, range(8980, 8960, -1), last=2) == []
    assert len({aid for aid, _, _ in spider.run.scratch.found()}) == 40
    assert {e["node"] for e in spider.walker.listings.values()} == {
        "https://www.cqn.com.cn/qt/node_6500.htm", "https://www.cqn.com.cn/qt/node_6501.htm"}
    assert spider.walker.unfinished == {}


def test_a_page_delivered_twice_is_the_same_page_not_a_repeat(make_spider: Callable[..., SectionSpider]) -> None:
    spider = make_spider(CQN_LISTING_WINDOW=1)
    assert asked(spider, "a", 1, range(9000, 8980, -1), last=3) == [2]
    assert asked(spider, "a", 2, range(8980, 8960, -1), last=3) == [3]
    assert asked(spider, "a", 2, range(8980, 8960, -1), last=3) == []  # again: read already, nothing more
    assert spider.crawler.stats.get_value("cqnnews/listing/page_again") == 1
    assert spider.crawler.stats.get_value("cqnnews/listing/repeated_pages") is None
    assert asked(spider, "a", 3, range(8960, 8950, -1), last=3) == []
    assert spider.walker.unfinished == {} and spider.walker.finished == {"https://www.cqn.com.cn/qt/node_6500.htm"}


def test_a_page_repeating_an_earlier_one_ends_the_walk_unfinished(make_spider: Callable[..., SectionSpider]) -> None:
    spider = make_spider(CQN_LISTING_WINDOW=1)
    asked(spider, "a", 1, range(9000, 8980, -1), last=9)
    asked(spider, "a", 2, range(8980, 8960, -1), last=9)
    assert asked(spider, "a", 3, range(9000, 8980, -1), last=9) == []  # page 3 holds page 1's articles
    assert spider.walker.unfinished == {"https://www.cqn.com.cn/qt/node_6500.htm": 3}
    assert spider.crawler.stats.get_value("cqnnews/listing/ended_early/repeated_pages") == 1


def test_a_site_answering_past_its_last_page_with_its_last_ends_the_walk(
        make_spider: Callable[..., SectionSpider]) -> None:
    spider = make_spider(CQN_LISTING_WINDOW=1)
    assert asked(spider, "a", 1, range(9000, 8980, -1), last=9) == [2]
    assert asked(spider, "a", 2, range(8980, 8960, -1), last=9) == [3]
    assert asked(spider, "a", 3, range(8980, 8960, -1), last=9) == []  # page 3 = page 2: the listing's end
    assert spider.crawler.stats.get_value("cqnnews/listing/repeated_pages") == 1
    assert spider.walker.unfinished == {}
    ahead = make_spider(CQN_LISTING_WINDOW=4)  # pages asked ahead, back in any order
    assert asked(ahead, "a", 1, range(9000, 8980, -1), last=9) == [2, 3]
    assert asked(ahead, "a", 3, range(9000, 8980, -1), last=9) == []
    assert asked(ahead, "a", 2, range(9000, 8980, -1), last=9) == []
    assert ahead.crawler.stats.get_value("cqnnews/listing/repeated_pages") == 1 and ahead.walker.unfinished == {}


def test_a_capped_walk_resumes_next_run_where_it_ended(make_spider: Callable[..., SectionSpider]) -> None:
    spider = make_spider(CQN_LISTING_WINDOW=4, CQN_MAX_LISTING_PAGES=3)
    assert asked(spider, "a", 1, range(9000, 8980, -1), last=9) == [2, 3]
    assert asked(spider, "a", 2, range(8980, 8960, -1), last=9) == []
    assert asked(spider, "a", 3, range(8960, 8940, -1), last=9) == []
    assert spider.walker.unfinished == {"https://www.cqn.com.cn/qt/node_6500.htm": 4}
    assert spider.crawler.stats.get_value("cqnnews/listing/ended_early/capped") == 1
    spider.run.store.update_walks(spider.walker.unfinished, ())
    spider.run.store.commit_exported([Exported(i, f"{BASE}/x/{i}", "h", None, ["要闻"], 1)
                                      for i in range(8941, 9001)], "f")
    again = make_spider(CQN_LISTING_WINDOW=4, CQN_MAX_LISTING_PAGES=4)
    again.run.resume_walks.update(again.run.store.unfinished_walks())  # the run is frozen: its dict filled
    # the next run: two new articles on top; page 2 (the first page of known articles) and page 4, where it was left
    assert asked(again, "a", 1, range(9002, 8982, -1), last=9) == [4, 2]
    assert asked(again, "a", 2, range(8982, 8962, -1), last=9) == []  # known: the top of the walk stops here
    assert again.crawler.stats.get_value("cqnnews/listing/stopped_at_known") == 1
    assert asked(again, "a", 4, range(8942, 8922, -1), last=9) == [5]  # not stopped by known articles
    assert asked(again, "a", 5, range(8922, 8902, -1), last=9) == []
    assert again.walker.unfinished == {"https://www.cqn.com.cn/qt/node_6500.htm": 6}  # capped again, further on
    # the two new ones, and every article of pages 4 and 5 not exported before
    assert {aid for aid, _, _ in again.run.scratch.found()} == {9001, 9002, *range(8903, 8941)}


def test_a_run_stopped_with_pages_in_flight_records_where_to_resume(make_spider: Callable[..., SectionSpider]) -> None:
    spider = make_spider(CQN_LISTING_WINDOW=4)
    assert asked(spider, "a", 1, range(9000, 8980, -1), last=9) == [2, 3]
    asked(spider, "a", 3, range(8960, 8940, -1), last=9)
    spider.closed("shutdown")
    assert spider.walker.unfinished == {"https://www.cqn.com.cn/qt/node_6500.htm": 2}
    assert spider.crawler.stats.get_value("cqnnews/listing/ended_early/stopped") == 1
    finished = make_spider(CQN_LISTING_WINDOW=4)
    asked(finished, "a", 1, range(9000, 8980, -1), last=9)
    finished.closed("finished")  # a finished run: its walk went on elsewhere (a shared crawl) or ended
    assert finished.walker.unfinished == {}


def test_early_ends_other_than_the_cap_make_the_run_unhealthy() -> None:
    from cqnnews.outputs.summary import Limits, problems

    limits = Limits(max_errors=0, max_failed=0)
    assert problems({"cqnnews/listing/ended_early/capped": 1}, "finished", limits, committed=True) == []
    [problem] = problems({"cqnnews/listing/ended_early/stopped": 1, "cqnnews/listing/ended_early/capped": 2},
                         "finished", limits, committed=True)
    assert "1 stopped" in problem and "capped" not in problem


def test_a_resumed_walk_whose_top_is_all_known_still_goes_on_where_it_was_left(
        make_spider: Callable[..., SectionSpider]) -> None:
    spider = make_spider(CQN_LISTING_WINDOW=4)
    spider.run.store.commit_exported([Exported(i, f"{BASE}/x/{i}", "h", None, ["要闻"], 1)
                                      for i in range(8941, 9001)], "f")
    spider.run.resume_walks.update({"https://www.cqn.com.cn/qt/node_6500.htm": 7})  # the run is frozen
    # page 1 holds only known articles and its pager shows pages up to 3 only (下一页): page 7 is asked anyway
    assert asked(spider, "a", 1, range(9000, 8980, -1), last=3, sign="下一页") == [7]
    assert spider.crawler.stats.get_value("cqnnews/listing/stopped_at_known") == 1
    assert asked(spider, "a", 7, range(8880, 8860, -1), last=9, sign="下一页") == [8]


def test_the_walker_says_what_to_ask_and_reports_what_it_found_once_frozen(
        make_spider: Callable[..., SectionSpider]) -> None:
    from cqnnews.crawl.pages.listing import PageAsk
    from cqnnews.extensions.ledger import RunLedger

    spider = make_spider(CQN_LISTING_WINDOW=1)
    steps = spider.walker.read(page("a", 1, range(9000, 8980, -1), last=3), yaowen("a"), 1)
    assert steps == [PageAsk(FIRST["a"].replace(".htm", "_2.htm"), yaowen("a"), 2, 0)]
    walked = spider.walker.results(["综合>>要闻二"])
    spider.walker.read(page("a", 2, range(8980, 8960, -1), last=3), yaowen("a"), 2)
    assert walked.missing == ("综合>>要闻二",) and dict(walked.first_pages) == {"要闻": 20}
    assert walked.unfinished == {} and walked.finished == frozenset()  # as it was: page 2 came after
    spider.closed("shutdown")  # page 3 asked for, never read: the ledger keeps where the walk resumes
    [ledger] = [e for e in spider.crawler.extensions.middlewares if isinstance(e, RunLedger)]
    assert dict(ledger.walked.unfinished) == {"https://www.cqn.com.cn/qt/node_6500.htm": 3}
    assert "要闻" not in ledger.walked.complete
