"""The body of a page in no layout the site is known for: trafilatura finds it, our units read it.

trafilatura (its default mode, with its own fallbacks, readability and jusText) picks the
article's paragraphs out of the page furniture and keeps their markup: images, links,
tables, ``align="center"``.  Its XML is renamed back to HTML and flattened into the same
units as the site's own templates, so the site's habits (bylines, editor lines, captions,
``附件`` links, the 中国质量报 repeated title) are read from it as from any other body.
"""

from __future__ import annotations

from configparser import ConfigParser
from functools import cache

from cqnnews.parsers.readings import Context
from cqnnews.parsers.units import Element, Unit, flatten, has_text

# trafilatura's XML elements and the HTML ones they stand for (attributes are kept as found)
_AS_HTML = {"graphic": "img", "ref": "a", "lb": "br", "head": "h2", "list": "ul", "item": "li", "row": "tr",
            "cell": "td", "hi": "span", "quote": "blockquote", "del": "span", "code": "pre", "doc": "div",
            "main": "div", "body": "div"}
_ATTRIBUTES = {"target": "href"}
_LAYOUT_IN_CELLS = frozenset({"p", "head", "list", "graphic", "table", "quote"})


def as_html(el: Element) -> Element:
    """trafilatura's output tree with HTML names, in place: ``graphic`` is ``img``, ``ref target=`` is ``a href=``.

    A table whose cells hold paragraphs, images or tables is the page's layout, not data:
    its cells become blocks of text.
    """
    for table in list(el.iter("table")):
        if any(d.tag in _LAYOUT_IN_CELLS for cell in table.iter("cell") for d in cell.iterdescendants()):
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


def article_units(html: bytes, url: str) -> list[Unit] | None:
    """The units of the page's article text as trafilatura finds it; None where it finds none."""
    import trafilatura  # slow to import; only pages in an unknown layout need it

    # as text: given a tree, trafilatura gives up on some pages it reads from their text
    doc = trafilatura.bare_extraction(html.decode("utf-8", "replace"), url=url, with_metadata=False, include_comments=False,
                                      include_tables=True, include_images=True, include_links=True,
                                      config=_config())
    body = getattr(doc, "body", None)
    if body is None:
        return None
    units = flatten(as_html(body))
    return units if has_text(units) else None


def generic_body(ctx: Context) -> list[Unit] | None:
    return article_units(ctx.page.html, ctx.url)


__all__ = ["article_units", "as_html", "generic_body"]
