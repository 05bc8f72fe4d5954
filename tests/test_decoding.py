from __future__ import annotations


import pytest

from cqnnews.decoding import declared_charsets, decode_page

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


def test_windows_1252_mojibake_is_repaired() -> None:
    page = TEXT.format(cs="utf-8")
    misread = page.encode("utf-8").decode("sloppy-windows-1252")  # “ is E2 80 9C: â€œ in Windows-1252
    decoded = decode_page(misread.encode("utf-8"), "text/html; charset=utf-8")
    assert decoded.repaired and decoded.text == page and not decoded.garbled


def test_mojibake_in_part_of_a_page_is_repaired_by_ftfy() -> None:
    page = TEXT.format(cs="utf-8")
    misread = page.encode("utf-8").decode("latin-1")
    decoded = decode_page(("<title>中国质量新闻网</title>" + misread).encode("utf-8"), "text/html; charset=utf-8")
    assert decoded.repaired and decoded.text == "<title>中国质量新闻网</title>" + page


def test_latin_text_that_is_not_mojibake_is_left_alone() -> None:
    page = "<html><body><p>Café à la crème, 2° étage, ä° x</p></body></html>"
    decoded = decode_page(page.encode("utf-8"), "text/html; charset=utf-8")
    assert decoded.text == page and not decoded.repaired


@pytest.mark.parametrize(("meta", "declared"), [
    ('<META HTTP-EQUIV="Content-Type" CONTENT="text/html; CHARSET=GB2312">', "GB2312"),
    ("<meta charset='Utf-8'>", "Utf-8"),
    ('<Meta name="x" content="y">', None),
])
def test_meta_charset_is_found_in_any_case_and_reported_as_written(meta: str, declared: str | None) -> None:
    assert declared_charsets(f"<html><head>{meta}</head></html>".encode(), None) == ([declared] if declared else [])
