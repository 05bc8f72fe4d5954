"""Parse only the part of an article page that a layout reads: a third of the bytes.

Parsing is half the cost of reading a page, and most of a current-layout page is site
furniture: the top bar and menus before the breadcrumb, the comments, copyright notice
and picture and news lists after the body.  The part parsed is the ``<head>``, then from
the first element carrying one of the layout's classes to the end tag closing the body's
container (found by counting that tag's opening and closing tags), then a sentinel element.

The cut is a guess that nothing depends on.  lxml's HTML parser builds the tree in one
pass and never moves a node, so whatever was closed before the end is exactly as in the
whole page, and the sentinel's ancestors are what was still open there:
:class:`~cqnnews.parsers.base.Page` answers only from closed elements and otherwise asks
for the whole page.  The furniture before the fields is skipped only when parsing it
leaves nothing open but ``<html>`` and ``<body>`` and it holds none of the layout's
classes; that is checked once for each distinct run of furniture bytes (a site's
template repeats them on every page), and the part's tree must show the ``<body>`` it
started from.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from lxml import etree

from cqnnews.parsers.units import Element

SENTINEL = "cqn-cut"
_SENTINEL = f"<{SENTINEL}></{SENTINEL}>".encode()
_MAX_TRIES = 8  # occurrences of the container's class name looked at (a stylesheet may name it first)
_BODY = re.compile(rb"<body(?:\s[^>]*)?>", re.I)
_MAX_FURNITURE = 256  # distinct runs of furniture remembered


class Region:
    """The part of a page that a layout with these classes and this body container reads."""

    def __init__(self, classes: Iterable[str], body: tuple[str, str], parser: etree.HTMLParser) -> None:
        self.classes = frozenset(classes)
        self.body = body
        self._body_bytes = (body[0].encode(), body[1].encode())
        self.parser = parser
        names = b"|".join(re.escape(c.encode()) for c in sorted(self.classes, key=len, reverse=True))
        # a literal start ("class") lets the regex engine skip ahead: ten times faster than matching tags
        self._class_attribute = re.compile(_class_value(names))
        self._furniture: dict[bytes, bool] = {}

    def may_hold_body(self, html: bytes) -> bool:
        """False only if no element of the page can carry the body container's class."""
        return has_name(html, self._body_bytes[1]) or b"&#" in html

    def parse(self, html: bytes) -> tuple[Element, frozenset[Element]] | None:
        """The region parsed, and the elements still open at its end; None where it cannot be cut."""
        end = _end_of(html, *self._body_bytes)
        if end is None:
            return None
        skip = self._skippable(html, end)
        if skip is not None:
            body, start = skip
            found = _parse_with_sentinel(html[:body] + html[start:end] + _SENTINEL, self.parser)
            if found is not None and _starts_at_body(found[0], html, start):
                return found
        return _parse_with_sentinel(html[:end] + _SENTINEL, self.parser)

    def _skippable(self, html: bytes, end: int) -> tuple[int, int] | None:
        """(end of the ``<body>`` tag, start of the first classed element) when what lies between can be skipped."""
        body = _BODY.search(html, 0, end)
        if body is None:
            return None
        attribute = self._class_attribute.search(html, body.end(), end)
        if attribute is None:
            return None
        start = html.rfind(b"<", body.end(), attribute.start())
        if start <= body.end() or b">" in html[start:attribute.start()]:
            return None
        furniture = html[body.end():start]
        known = self._furniture.get(furniture)
        if known is None:
            if len(self._furniture) >= _MAX_FURNITURE:
                self._furniture.clear()
            known = self._furniture[furniture] = self._closed_and_unclassed(furniture)
        return (body.end(), start) if known else None

    def _closed_and_unclassed(self, furniture: bytes) -> bool:
        found = _parse_with_sentinel(b"<html><head></head><body>" + furniture + _SENTINEL, self.parser)
        if found is None or sorted(el.tag for el in found[1]) != ["body", "html"]:
            return False
        body = found[0].find("body")
        return body is not None and not any(self.classes.intersection((el.get("class") or "").split())
                                            for el in body.iter() if isinstance(el.tag, str))


def _class_value(names: bytes) -> bytes:
    """A class attribute (in lower case) holding one of ``names`` (an alternation) as one of its names."""
    return rb"class\s*=\s*(?:\"[^\"]*?|'[^']*?|)(?<![\w-])(?:" + names + rb")(?![\w-])"


def _starts_at_body(root: Element, html: bytes, start: int) -> bool:
    """The first element after the skipped furniture is the first child of a ``<body>`` under ``<html>``.

    Then nothing was open at the cut but those two, as in the whole page.
    """
    body = root.find("body")
    if root.tag != "html" or body is None or not len(body) or (body.text and not body.text.isspace()):
        return False
    first = body[0]
    tag = html[start + 1:start + 1 + len(first.tag)] if isinstance(first.tag, str) else b""
    return tag.lower() == first.tag.encode()


def has_name(html: bytes, name: bytes) -> bool:
    """``name`` occurs in ``html`` as a whole class name would (not inside a longer one)."""
    at = html.find(name)
    while at >= 0:
        end = at + len(name)
        if not (at and _in_name(html[at - 1]) or end < len(html) and _in_name(html[end])):
            return True
        at = html.find(name, end)
    return False


def _in_name(byte: int) -> bool:
    """An ASCII letter, digit, - or _: a byte that would make the name part of a longer one."""
    return byte in _NAME_BYTES


_NAME_BYTES = frozenset(b"-_0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


def end_of(html: bytes, tag: str, cls: str) -> int | None:
    """Offset just past the end tag closing the first ``<tag class="… cls …">``; None if none is found."""
    return _end_of(html, tag.encode(), cls.encode())


def _end_of(html: bytes, name: bytes, token: bytes) -> int | None:
    tags = _tag_pattern(name)
    start = 0
    for _ in range(_MAX_TRIES):
        at = html.find(token, start)
        if at < 0:
            return None
        start = at + len(token)
        opening = html.rfind(b"<", 0, at)
        if (opening < 0 or html[opening + 1:opening + 1 + len(name)].lower() != name
                or not _start_tag_with_class(token).fullmatch(html, opening, html.find(b">", at) + 1)):
            continue
        depth = 0
        for m in tags.finditer(html, opening):
            depth += -1 if m[1] else 1
            if depth == 0:
                close = html.find(b">", m.start())
                return close + 1 if close >= 0 else None
        return None
    return None


def _parse_with_sentinel(doc: bytes, parser: etree.HTMLParser) -> tuple[Element, frozenset[Element]] | None:
    """``doc`` (ending with the sentinel) parsed, and the sentinel's ancestors; None if the sentinel
    is no element (the cut fell inside a comment, a script, a tag)."""
    try:
        root = etree.fromstring(doc, parser)
    except (etree.LxmlError, ValueError):
        return None
    if root is None:
        return None
    last = root
    while len(last):
        last = last[-1]
    if last.tag != SENTINEL:
        return None
    return root, frozenset(last.iterancestors())


@cache
def _tag_pattern(name: bytes) -> re.Pattern[bytes]:
    return re.compile(rb"<(/?)" + re.escape(name) + rb"(?=[\s>/])", re.I)


@cache
def _start_tag_with_class(token: bytes) -> re.Pattern[bytes]:
    return re.compile(rb"<[^>]*?\s" + _class_value(re.escape(token)) + rb"[^>]*>")
