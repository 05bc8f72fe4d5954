"""The zh-news measurement's body F1: characters as a multiset, white space left out."""

from __future__ import annotations

import pytest

from bench.zh_news import char_f1


@pytest.mark.parametrize(("found", "gold", "f1"), [
    ("质量新闻", "质量新闻", 1.0),
    ("质 量\n新闻", "质量新闻", 1.0),  # white space does not count
    ("", "质量新闻", 0.0),
    ("天气", "质量", 0.0),
    ("质量", "质量新闻", 2 * 1.0 * 0.5 / 1.5),  # precision 1, recall 0.5
])
def test_char_f1(found: str, gold: str, f1: float) -> None:
    assert char_f1(found, gold) == pytest.approx(f1)


@pytest.mark.skipif(not __import__("bench.zh_news").zh_news.EVAL.is_dir(), reason="../shared/eval/zh-news is not here")
def test_the_generic_reader_extracts_every_zh_news_page_at_least_as_well_as_trafilatura() -> None:
    """Accuracy, not speed: every page gives a body, body F1 at least trafilatura's, more dates with their time."""
    from bench.zh_news import measure

    found = measure()
    ours, theirs = found["cqnnews"], found["trafilatura"]
    assert ours["extracted"] == ours["pages"] == 35
    assert ours["body_f1"] >= theirs["body_f1"] and ours["body_f1"] >= found["trafilatura_decoded"]["body_f1"]
    assert ours["dates_right"] >= theirs["dates_right"] and ours["times_right"] > theirs["times_right"]
