"""What every layout parser returns for one page, and how an unreadable page is reported."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cache

from lxml import etree
from lxml.cssselect import CSSSelector

from cqnnews.reading.parsers.units import Element, Unit, text_of

__all__ = ["ArticleParseError", "Page", "PageContent", "css", "text_of", "xpath"]


@cache
def css(selector: str) -> CSSSelector:
    """A CSS selector compiled once (lxml's own, through cssselect's HTML translator)."""
    return CSSSelector(selector, translator="html")


@cache
def xpath(expression: str) -> etree.XPath:
    return etree.XPath(expression)


class Page:
    """A parsed page: its lxml tree, and its UTF-8 bytes for parsers that read them their own way."""

    def __init__(self, root: Element, html: bytes) -> None:
        self.root = root
        self.html = html

    def select(self, selector: str, within: Element | None = None) -> list[Element]:
        """Elements matching the CSS ``selector``, in document order (below ``within``, or itself)."""
        return list(css(selector)(self.root if within is None else within))

    def first(self, selector: str, within: Element | None = None) -> Element | None:
        found = css(selector)(self.root if within is None else within)
        return found[0] if found else None

    def first_text(self, selector: str, within: Element | None = None) -> str | None:
        found = self.first(selector, within)
        return text_of(found) if found is not None else None


class ArticleParseError(Exception):
    """The page is not an article this crawler can read; the message says why."""


@dataclass
class PageContent:
    """One page of an article as its layout shows it; several pages make one article."""

    layout: str
    breadcrumb: list[str]
    title: str
    published_at: datetime | None
    source: str
    keywords: list[str]
    units: list[Unit] = field(default_factory=list)  # the body, still with its habits
    more_pages: list[str] = field(default_factory=list)  # absolute URLs of the article's other pages
    # set by cqnnews.reading.parsers.read: the page's enpproperty fields, and how its bytes were decoded
    properties: dict[str, str] = field(default_factory=dict)
    encoding_repaired: bool = False  # mojibake found and undone
    charset_misdeclared: bool = False  # the page declared one charset and was written in another
    garbled: bool = False  # replacement characters remain: some text is lost
    control_characters: bool = False  # NUL characters were taken out before the page was parsed
    # which reading of its chain gave each field, for the fields not read by the chain's first
    fallbacks: dict[str, str] = field(default_factory=dict)
    date_from_url: bool = False  # only the day, from the URL: the page shows no publication time
    authors: list[str] = field(default_factory=list)  # named on the page's meta line (the body's bylines come first)
    # (field, reading) of each value a reading found and its field's check refused (cqnnews.reading.parsers.fields)
    rejected: list[tuple[str, str]] = field(default_factory=list)
