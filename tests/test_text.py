"""clean and compact give what the whitespace pattern defines, for every character."""

from __future__ import annotations

import pytest

from cqnnews.text import SPACES, clean, compact

EVERY_CHARACTER = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)


def test_clean_and_compact_agree_with_the_pattern_on_every_character() -> None:
    text = "a".join(EVERY_CHARACTER)  # each character between two letters
    assert clean(text) == SPACES.sub(" ", text).strip()
    assert compact(text) == SPACES.sub("", text)


@pytest.mark.parametrize(("text", "want"), [
    ("\u3000\u3000据介绍，  今年\u00a0以来\n", "据介绍， 今年 以来"),
    ("标\u200b题\ufeff", "标 题"),
    (" \t\r\n ", ""),
    ("", ""),
])
def test_clean_folds_every_kind_of_space(text: str, want: str) -> None:
    assert clean(text) == want
    assert compact(text) == want.replace(" ", "")
