"""Bytes to text for pages in UTF-8, GB2312, GBK or GB18030, whatever they declare.

Declarations lie: a charset in the header only, in ``<meta>`` only, in both but
conflicting, or nowhere.  Valid UTF-8 is a strong signal (GB text is almost never valid
UTF-8), so it wins; otherwise the declared charset, with the GB family read as GB18030,
their superset; otherwise GB18030.  Text that still holds replacement characters is
``garbled``; UTF-8 read as Latin-1 somewhere upstream (mojibake) is repaired with ftfy.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from itertools import islice

import ftfy
import ftfy.bad_codecs  # noqa: F401  registers sloppy-windows-1252
from ftfy.badness import is_bad

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.I)
_GB_FAMILY = {"gb2312", "gbk", "gb18030", "cp936", "x-gbk", "euc-cn", "hz-gb-2312", "gb_2312-80"}
# UTF-8 of CJK read as Latin-1 and written as UTF-8 again: "ä¸" is C3 A4 C2 B8; the lead bytes E3-E9 become
# C3 A3..C3 A9, each followed by a continuation byte written as C2 80..C2 BF (or C3 80..C3 BF).
_MOJIBAKE_BYTES = re.compile(rb"\xc3[\xa3-\xa9]\xc2[\x80-\xbf]")
_MOJIBAKE_TEXT = re.compile("[\u00e3-\u00e9][\u0080-\u00bf]")  # the same, once decoded
# How a whole page of UTF-8 is most often misread: undone in one step, exactly, when it was
_WHOLE_PAGE_MISREADINGS = ("latin-1", "sloppy-windows-1252")
_LATIN = {"latin-1", "latin1", "iso-8859-1", "iso8859-1", "windows-1252", "cp1252", "ascii", "us-ascii", "l1"}
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # what the text was read as
    declared: str | None  # what the page said (header first, then <meta>)
    repaired: bool = False  # mojibake found and undone
    garbled: bool = False  # replacement characters remain: some text is lost

    @property
    def misdeclared(self) -> bool:
        return self.declared is not None and _family(self.declared) != _family(self.encoding)


def _family(name: str) -> str:
    name = name.lower().replace("_", "-")
    if name in _GB_FAMILY:
        return "gb18030"
    if name in ("utf8", "utf-8-sig"):
        return "utf-8"
    if name in ("utf-16", "utf-16-le", "utf-16-be", "utf-16le", "utf-16be"):
        return "utf-16"
    return name


def declared_charsets(body: bytes, content_type: str | None) -> list[str]:
    """Charsets the response declares, header first, then ``<meta>`` in the first 4 KiB."""
    found = []
    if content_type and (m := _HEADER_CHARSET.search(content_type)):
        found.append(m[1])
    if meta := _META_CHARSET.search(body[:4096]):
        found.append(meta[1].decode("ascii", "replace"))
    return found


def _utf16(body: bytes) -> str | None:
    """``utf-16-le`` or ``utf-16-be`` for a page in UTF-16 without a byte-order mark: its markup is
    ASCII, so every other byte of its start is zero."""
    head = body[:64]  # "<!DOCTYPE html", "<html": a page opens with markup
    if len(head) < 16:
        return None
    odd, even = head[1::2].count(0), head[0::2].count(0)
    if odd > len(head) * 0.4 and even < odd // 4:
        return "utf-16-le"
    if even > len(head) * 0.4 and odd < even // 4:
        return "utf-16-be"
    return None


def _mostly_utf8(body: bytes) -> str | None:
    """The text of UTF-8 bytes with a few invalid sequences (a bad paste, a cut byte), replaced; None when
    too many are invalid for the page to be UTF-8."""
    text = body.decode("utf-8", "replace")
    bad = text.count("\ufffd")
    good = len(text) - len(text.encode("ascii", "ignore")) - bad  # characters beyond ASCII that UTF-8 did read
    return text if good >= 50 and bad <= max(3, good // 100) else None


def _gb_text(body: bytes) -> str | None:
    """The text of bytes that read as GB18030 Chinese, or None."""
    try:
        text = body.decode("gb18030")
    except UnicodeDecodeError:
        return None
    hanzi = (c for c in text if "\u4e00" <= c <= "\u9fff")
    return text if sum(1 for _ in islice(hanzi, 10)) >= 10 else None  # stops at the tenth


def decode_page(body: bytes, content_type: str | None = None) -> Decoded:
    declared = declared_charsets(body, content_type)
    first = declared[0] if declared else None
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            return Decoded(body.decode(encoding, "replace"), encoding, first)
    if (utf16 := _utf16(body)) is not None:
        text = body.decode(utf16, "replace")
        return Decoded(text, "utf-16", first, garbled="\ufffd" in text)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        if b"\xc3" in body and _MOJIBAKE_BYTES.search(body):  # memchr first: Chinese UTF-8 has no C3 byte
            return _repair(text, "utf-8", first)
        return Decoded(text, "utf-8", first, garbled="\ufffd" in text)
    if (mostly := _mostly_utf8(body)) is not None:
        return Decoded(mostly, "utf-8", first, garbled=True)
    for name in [*declared, "gb18030"]:
        encoding = _family(name)
        if encoding == "utf-8":
            continue
        if encoding in _LATIN and (gb := _gb_text(body)) is not None:  # Chinese bytes declared as Latin-1
            return Decoded(gb, "gb18030", first, garbled="\ufffd" in gb)
        try:
            codecs.lookup(encoding)
            text = body.decode(encoding)
            return Decoded(text, encoding, first, garbled="\ufffd" in text)
        except (LookupError, UnicodeDecodeError):
            continue
    text = body.decode("gb18030", "replace")
    return Decoded(text, "gb18030", first, garbled=True)


def _repair(text: str, encoding: str, declared: str | None) -> Decoded:
    # The whole page misread at once: encoding it back gives valid UTF-8, a strong proof (text in
    # Latin-1 that is not mojibake almost never is).  ftfy's badness scan costs a millisecond a page.
    for misreading in _WHOLE_PAGE_MISREADINGS:
        try:
            fixed = text.encode(misreading).decode("utf-8")
        except UnicodeError:
            continue
        if not _MOJIBAKE_TEXT.search(fixed):
            return Decoded(fixed, encoding, declared, repaired=True, garbled="\ufffd" in fixed)
    if is_bad(text):
        fixed = ftfy.fix_encoding(text)
        if fixed != text:
            return Decoded(fixed, encoding, declared, repaired=True, garbled=is_bad(fixed) or "\ufffd" in fixed)
    return Decoded(text, encoding, declared, garbled="\ufffd" in text)
