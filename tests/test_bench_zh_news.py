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
