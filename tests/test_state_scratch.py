from __future__ import annotations

from cqnnews.state.records import Exported
from cqnnews.state.scratch import LAST, RunScratch


def test_found_articles_keep_every_listing_in_site_map_order() -> None:
    scratch = RunScratch()
    assert scratch.note([(2, "u2"), (1, "u1")], "要闻二", (0, 1)) == (2, 0)
    assert scratch.note([(1, "u1")], "要闻一", (0, 0)) == (0, 1)
    assert scratch.note([(1, "u1")], "要闻一", (0, 0)) == (0, 0)
    scratch.add(3, "u3", ["健康"], LAST)
    scratch.add(1, "ignored", ["健康"], LAST)
    assert list(scratch.found(batch=2)) == [(3, "u3", ["健康"]), (2, "u2", ["要闻二"]),
                                            (1, "u1", ["要闻一", "要闻二", "健康"])]
    assert scratch.found_count == 3 and scratch.has(3) and not scratch.has(4)


def test_outcomes() -> None:
    scratch = RunScratch()
    scratch.note([(1, "u1"), (2, "u2"), (3, "u3")], "要闻一", (0, 0))
    scratch.requested([9])
    scratch.stage(Exported(1, "u1", "h", None, ["要闻一"], 1))
    assert [e.article_id for e in scratch.exported()] == [1] and scratch.exported_count() == 1
    assert sorted(scratch.without_outcome(settled={2})) == [3, 9]
