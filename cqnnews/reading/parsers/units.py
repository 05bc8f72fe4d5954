"""An article body as a flat list of units: paragraphs of text, images and tables.

Pages nest paragraphs in divs, spans and fonts, break lines with ``<br>`` and paste
tables from Word; the habits that give a unit its meaning (a caption, a byline) are read
later from this flat list, see :mod:`cqnnews.reading.parsers.habits`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from lxml import etree

from cqnnews.reading.parsers.tables import Table, read_table
from cqnnews.text import clean

BLOCK_TAGS = frozenset({"p", "div", "center", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl",
                        "dd", "dt", "blockquote", "section", "article", "pre", "address", "figure", "figcaption"})
SKIP_TAGS = frozenset({"script", "style", "noscript", "iframe", "object", "embed", "form", "input", "button"})
_CENTERED = re.compile(r"text-align\s*:\s*center", re.I)
_STRUCTURE_TAGS = BLOCK_TAGS | {"br", "img", "table"}

Element = etree._Element


@dataclass(slots=True)
class Unit:
    kind: Literal["text", "image", "table"]
    text: str = ""
    centered: bool = False
    src: str = ""
    links: list[tuple[str, str]] = field(default_factory=list)  # (href, text) of the unit's links
    table: Table | None = None  # a table's caption, header and rows


def text_of(el: Element) -> str:
    """All the text inside ``el``, not its tail: what ``"".join(el.itertext())`` gives, five times faster."""
    if not len(el):
        return el.text or ""
    return etree.tostring(el, method="text", encoding=str, with_tail=False)


def has_text(units: list[Unit]) -> bool:
    """Whether the units hold any text: a paragraph, or a table with a non-empty cell."""
    return any(u.text if u.kind == "text" else u.table is not None and any(any(row) for row in u.table.rows)
               or u.table is not None and any(u.table.header) for u in units)


def is_centered(el: Element) -> bool:
    if el.tag == "center":
        return True
    align, style = el.get("align"), el.get("style")
    return (align is not None and align.lower() == "center"
            or style is not None and "center" in style.lower() and bool(_CENTERED.search(style)))


def _has_structure(el: Element) -> bool:
    return len(el) > 0 and any(d.tag in _STRUCTURE_TAGS for d in el.iterdescendants())


def flatten(el: Element, centered: bool = False) -> list[Unit]:
    """The units of ``el``'s content in page order; inline runs join into one paragraph.

    Walks with a stack of its own, not by recursion: Word pastes leave ``<span>``/``<font>``
    unclosed, and a body can nest hundreds of levels deep.
    """
    units: list[Unit] = []
    buf: list[str] = []
    links: list[tuple[str, str]] = []

    def flush(centered: bool) -> None:
        if not buf:  # most calls: between two blocks
            return
        joined = "".join(buf)
        if joined and not joined.isspace() and (text := clean(joined)):
            units.append(Unit("text", text, centered, links=list(links)))
        buf.clear()
        links.clear()

    def tail_of(child: Element, centered: bool) -> None:
        if tail := child.tail:
            if child.tag in BLOCK_TAGS or child.tag == "table":
                if buf:
                    flush(centered)
                if not tail.isspace():  # white space opening a run is trimmed anyway: most tails, "\n"
                    buf.append(tail)
            else:
                buf.append(tail)

    if el.text:
        buf.append(el.text)
    stack = [(el, iter(el), centered)]  # the elements being read, outermost first
    while stack:
        parent, children, here = stack[-1]
        child = next(children, None)
        if child is None:  # the end of ``parent``: its tail belongs to the element around it
            stack.pop()
            if buf:
                flush(here)
            if stack:
                tail_of(parent, stack[-1][2])
            continue
        tag = child.tag
        if tag in BLOCK_TAGS and not len(child):  # a paragraph of plain text: most of a body
            if buf:
                flush(here)
            if (text := child.text) and not text.isspace() and (text := clean(text)):
                units.append(Unit("text", text, here or is_centered(child)))
        elif not isinstance(tag, str):  # comments, processing instructions
            pass
        elif tag in SKIP_TAGS:
            pass
        elif tag == "br":
            flush(here)
        elif tag == "img":
            flush(here)
            src = child.get("src") or child.get("data-src") or ""
            if src:
                units.append(Unit("image", src=src.strip(), centered=here))
        elif tag == "table":
            flush(here)
            units.append(Unit("table", table=read_table(child)))
        elif tag in BLOCK_TAGS or _has_structure(child):
            if buf:
                flush(here)
            if child.text:
                buf.append(child.text)
            stack.append((child, iter(child), here or is_centered(child)))
            continue  # its tail once it ends
        else:  # inline: a, span, font, strong...
            text = text_of(child)
            buf.append(text)
            anchors = [child] if tag == "a" else child.iter("a")
            links.extend((a.get("href", ""), clean(text_of(a))) for a in anchors if a.get("href"))
        tail_of(child, here)
    return units
