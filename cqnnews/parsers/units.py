"""An article body as a flat list of units: paragraphs of text, images and tables.

Pages nest paragraphs in divs, spans and fonts, break lines with ``<br>`` and paste
tables from Word; the habits that give a unit its meaning (a caption, a byline) are read
later from this flat list, see :mod:`cqnnews.parsers.habits`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from lxml import etree

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
    rows: list[list[str]] = field(default_factory=list)


def text_of(el: Element) -> str:
    """All the text inside ``el``, not its tail: what ``"".join(el.itertext())`` gives, five times faster."""
    if not len(el):
        return el.text or ""
    return etree.tostring(el, method="text", encoding=str, with_tail=False)


def is_centered(el: Element) -> bool:
    if el.tag == "center":
        return True
    align, style = el.get("align"), el.get("style")
    return (align is not None and align.lower() == "center"
            or style is not None and "center" in style.lower() and bool(_CENTERED.search(style)))


def _has_structure(el: Element) -> bool:
    return len(el) > 0 and any(d.tag in _STRUCTURE_TAGS for d in el.iterdescendants())


def _table(el: Element) -> Unit:
    rows = []
    for tr in el.iter("tr"):
        cells = [clean(" ".join(td.itertext())) for td in tr if isinstance(td.tag, str) and td.tag in ("td", "th")]
        if any(cells):
            rows.append(cells)
    return Unit("table", rows=rows)


def flatten(el: Element, centered: bool = False) -> list[Unit]:
    """The units of ``el``'s content in page order; inline runs join into one paragraph."""
    units: list[Unit] = []
    buf: list[str] = []
    links: list[tuple[str, str]] = []

    def flush() -> None:
        if not buf:  # most calls: between two blocks
            return
        joined = "".join(buf)
        if joined and not joined.isspace() and (text := clean(joined)):
            units.append(Unit("text", text, centered, links=list(links)))
        buf.clear()
        links.clear()

    if el.text:
        buf.append(el.text)
    for child in el:
        tag = child.tag
        if tag in BLOCK_TAGS and not len(child):  # a paragraph of plain text: most of a body
            if buf:
                flush()
            if (text := child.text) and not text.isspace() and (text := clean(text)):
                units.append(Unit("text", text, centered or is_centered(child)))
        elif not isinstance(tag, str):  # comments, processing instructions
            pass
        elif tag in SKIP_TAGS:
            pass
        elif tag == "br":
            flush()
        elif tag == "img":
            flush()
            src = child.get("src") or child.get("data-src") or ""
            if src:
                units.append(Unit("image", src=src.strip(), centered=centered))
        elif tag == "table":
            flush()
            units.append(_table(child))
        elif tag in BLOCK_TAGS or _has_structure(child):
            if buf:
                flush()
            units.extend(flatten(child, centered or is_centered(child)))
        else:  # inline: a, span, font, strong...
            text = text_of(child)
            buf.append(text)
            anchors = [child] if tag == "a" else child.iter("a")
            links.extend((a.get("href", ""), clean(text_of(a))) for a in anchors if a.get("href"))
        if tail := child.tail:
            if tag in BLOCK_TAGS or tag == "table":
                if buf:
                    flush()
                if not tail.isspace():  # white space opening a run is trimmed anyway: most tails, "\n"
                    buf.append(tail)
            else:
                buf.append(tail)
    if buf:
        flush()
    return units
