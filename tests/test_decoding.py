from __future__ import annotations

import pytest

from cqnnews.decoding import decode_page

TEXT = '<html><head><meta charset="{cs}"></head><body><p>内蒙古实施标准化战略，“锦绣包头”</p></body></html>'


@pytest.mark.parametrize(("encoding", "header", "meta"), [
    ("utf-8", "text/html; charset=utf-8", "utf-8"),
    ("utf-8", "text/html; charset=gbk", "gbk"),  # both declarations wrong
    ("gbk", "text/html; charset=utf-8", "gbk"),  # header wrong
    ("gbk", None, "utf-8"),  # meta wrong, no header
    ("gb2312", None, "gb2312"),
    ("gb18030", "text/html", "x"),  # nothing useful declared
])
def test_chinese_reads_right_whatever_is_declared(encoding: str, header: str | None, meta: str) -> None:
    page = TEXT.format(cs=meta)
    decoded = decode_page(page.encode(encoding), header)
    assert decoded.text == page and not decoded.garbled


def test_gb18030_only_characters() -> None:
    page = TEXT.format(cs="gb18030").replace("锦绣", "𠮷")
    assert decode_page(page.encode("gb18030"), "text/html; charset=gbk").text == page


def test_latin1_mojibake_is_repaired() -> None:
    page = TEXT.format(cs="utf-8")
    decoded = decode_page(page.encode("utf-8").decode("latin-1").encode("utf-8"), "text/html; charset=utf-8")
    assert decoded.repaired and decoded.text == page and not decoded.garbled


def test_bytes_no_encoding_reads_are_flagged() -> None:
    raw = TEXT.format(cs="gbk").encode("gbk")
    decoded = decode_page(raw[:70] + b"\xff\xff" + raw[70:], None)
    assert decoded.garbled


def test_misdeclared_is_noticed() -> None:
    assert decode_page(TEXT.format(cs="gbk").encode("gbk"), "text/html; charset=utf-8").misdeclared
    assert not decode_page(TEXT.format(cs="gbk").encode("gbk"), "text/html; charset=GB2312").misdeclared
