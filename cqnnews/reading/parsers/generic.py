"""The body of a page in no layout the site is known for: trafilatura finds it, our units read it.

trafilatura (its default mode, with its own fallbacks, readability and jusText) picks the
article's paragraphs out of the page furniture and keeps their markup: images, links,
tables, ``align="center"``.  Its XML is renamed back to HTML and flattened into the same
units as the site's own templates, so the site's habits (bylines, editor lines, captions,
``附件`` links, the 中国质量报 repeated title) are read from it as from any other body.
"""

from __future__ import annotations

import re
from collections import defaultdict
from configparser import ConfigParser
from functools import cache

from cqnnews.reading.parsers.chain import Context
from cqnnews.reading.parsers.units import BLOCK_TAGS, Element, Unit, flatten, has_text, text_of
from cqnnews.text import compact

# trafilatura's XML elements and the HTML ones they stand for (attributes are kept as found)
_AS_HTML = {"graphic": "img", "ref": "a", "lb": "br", "head": "h2", "list": "ul", "item": "li", "row": "tr",
            "cell": "td", "hi": "span", "quote": "blockquote", "del": "span", "code": "pre", "doc": "div",
            "main": "div", "body": "div"}
_ATTRIBUTES = {"target": "href"}
_MARKDOWN_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")  # trafilatura writes links and images so in its text
_BLOCKS = tuple(BLOCK_TAGS | {"td", "th"})
_LAYOUT_IN_CELLS = frozenset({"head", "list", "graphic", "table", "quote"})


def as_html(el: Element) -> Element:
    """trafilatura's output tree with HTML names, in place: ``graphic`` is ``img``, ``ref target=`` is ``a href=``.

    A table whose cells hold images, lists, headings or tables, or several paragraphs, is the
    page's layout, not data: its cells become blocks of text.  (A Word table's cell holds one
    paragraph.)
    """
    for table in list(el.iter("table")):
        if any(d.tag in _LAYOUT_IN_CELLS for cell in table.iter("cell") for d in cell.iterdescendants()) \
                or any(len(cell.findall(".//p")) > 1 for cell in table.iter("cell")):
            for node in table.iter("table", "row", "cell"):
                node.tag = "div"
    for node in el.iter():
        if isinstance(node.tag, str):
            node.tag = _AS_HTML.get(node.tag, node.tag)
            for old, new in _ATTRIBUTES.items():
                if old in node.attrib:
                    node.set(new, node.attrib.pop(old))
    return el


MIN_EXTRACTED_SIZE = "50"  # trafilatura's 250 sends short articles to its fallbacks, which merge their paragraphs


@cache
def _config() -> ConfigParser:
    from trafilatura.settings import use_config

    config = use_config()
    config.set("DEFAULT", "MIN_EXTRACTED_SIZE", MIN_EXTRACTED_SIZE)
    return config


def _container(root: Element, text: str) -> Element | None:
    """The element of the page that holds trafilatura's text and little else, if there is one.

    Each block of the page whose whole text is a line of trafilatura's is a match, and each
    table whose text is in trafilatura's rows of tables; the
    container is the smallest element holding at least half of trafilatura's text (which may
    have taken in a list of links after the article) in more than one block where it matched
    more than one; taken only when it holds not much more than trafilatura's text.
    """
    lines = [compact(_MARKDOWN_LINK.sub(r"\1", line)) for line in text.splitlines()]
    extracted = sum(len(line.replace("|", "")) for line in lines)
    wanted = {line for line in lines if not line.startswith("|") and len(line) >= 6}  # a table's cells are blocks
    inside: dict[Element, int] = defaultdict(int)  # matched characters, by element holding them
    blocks: dict[Element, int] = defaultdict(int)  # matched blocks of text (not tables), by element holding them
    in_tables = "".join(line.replace("|", "") for line in lines if line.startswith("|"))
    for el in root.iter(*_BLOCKS, "table"):
        t = compact(text_of(el))
        if t in wanted or el.tag == "table" and t and t in in_tables:
            wanted.discard(t)
            for ancestor in (el, *el.iterancestors()):
                inside[ancestor] += len(t)
                blocks[ancestor] += el.tag != "table"
    several = min(2, max(blocks.values(), default=0))
    if not several:  # tables only (a page laid out in tables): trafilatura's own text
        return None
    holding = [el for el, chars in inside.items() if chars >= 0.5 * extracted and blocks[el] >= several]
    if not holding:
        return None
    def total(el: Element) -> int:
        return len(compact(text_of(el)))

    best = min(holding, key=total)
    return best if total(best) <= 1.5 * extracted else None


def article_units(html: bytes, url: str, root: Element | None = None) -> list[Unit] | None:
    """The units of the page's article text as trafilatura finds it; None where it finds none.

    Where the text sits in one element of the page (``root``, the page's own tree), that
    element is read as any template's body is, whole: trafilatura leaves out what looks to it
    like furniture (a line of links under ``附件:``, a caption printed twice) and may take in a
    list of links after the text.  Elsewhere (pages laid out in tables, text between ``<br>``s)
    its own text is read.
    """
    import trafilatura  # slow to import; only pages in an unknown layout need it

    # as text: given a tree, trafilatura gives up on some pages it reads from their text
    doc = trafilatura.bare_extraction(html.decode("utf-8", "replace"), url=url, with_metadata=False, include_comments=False,
                                      include_tables=True, include_images=True, include_links=True,
                                      config=_config())
    body = getattr(doc, "body", None)
    if body is None:
        return None
    container = _container(root, doc.text or "") if root is not None else None
    if container is not None and has_text(units := flatten(container)):
        return units
    units = flatten(as_html(body))
    return units if has_text(units) else None


def generic_body(ctx: Context) -> list[Unit] | None:
    return article_units(ctx.page.html, ctx.url, ctx.page.root)


__all__ = ["article_units", "as_html", "generic_body"]
