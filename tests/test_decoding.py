from __future__ import annotations

import pytest

from cqnnews.reading.decoding import declared_charsets, decode_page

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


CHINESE = "质量新闻网报道，国家市场监督管理总局发布产品质量国家监督抽查结果。" * 4


def page_in(body_text: str, charset: str | None = None) -> str:
    meta = f'<meta charset="{charset}">' if charset else ""
    return f"<html><head>{meta}<title>标题</title></head><body><p>{body_text}</p></body></html>"


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_byte_order_mark_is_read(codec: str) -> None:
    decoded = decode_page(page_in(CHINESE).encode(codec), "text/html")
    assert CHINESE in decoded.text and not decoded.garbled


def test_utf16_with_a_byte_order_mark_is_read() -> None:
    decoded = decode_page(page_in(CHINESE).encode("utf-16"), "text/html; charset=utf-16")
    assert CHINESE in decoded.text and not decoded.misdeclared


@pytest.mark.parametrize("declared", ["iso-8859-1", "windows-1252", "ISO-8859-1"])
def test_chinese_bytes_declared_latin_are_read_as_chinese_and_called_misdeclared(declared: str) -> None:
    body = page_in(CHINESE, declared).encode("gbk")
    decoded = decode_page(body, f"text/html; charset={declared}")
    assert CHINESE in decoded.text and decoded.encoding == "gb18030" and decoded.misdeclared


def test_real_latin_text_declared_latin_stays_latin() -> None:
    text = "Qualité et sécurité des produits: résultats des contrôles. " * 5
    page = f'<html><head><meta charset="iso-8859-1"><title>Contrôles</title></head><body><p>{text}</p></body></html>'
    decoded = decode_page(page.encode("latin-1"), "text/html; charset=iso-8859-1")
    assert text.strip() in decoded.text and not decoded.misdeclared and not decoded.garbled


def test_utf8_with_a_few_bad_bytes_is_read_as_utf8_and_flagged_garbled() -> None:
    good = page_in(CHINESE, "utf-8").encode("utf-8")
    cut = good.index("监督".encode()) + 1  # one byte of a character lost
    body = good[:cut] + good[cut + 1:]
    decoded = decode_page(body, "text/html; charset=utf-8")
    assert decoded.encoding == "utf-8" and decoded.garbled and "国家市场" in decoded.text


def test_a_short_gbk_page_is_not_taken_for_broken_utf8() -> None:
    body = page_in("质量", "gbk").encode("gbk")
    decoded = decode_page(body, "text/html; charset=gbk")
    assert "质量" in decoded.text and not decoded.garbled
