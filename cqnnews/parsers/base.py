"""What every layout parser returns for one page, and how an unreadable page is reported."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import ClassVar

from cssselect import HTMLTranslator
from lxml import etree
from lxml.html import HtmlElement

from cqnnews.parsers.habits import Body
from cqnnews.parsers.units import Unit

_TRANSLATOR = HTMLTranslator()


@cache
def css(selector: str) -> etree.XPath:
    """A CSS selector compiled once to an XPath over lxml trees (hot path: no per-call translation)."""
    return etree.XPath(_TRANSLATOR.css_to_xpath(selector))


@cache
def xpath(expression: str) -> etree.XPath:
    return etree.XPath(expression)


def text_of(el: HtmlElement) -> str:
    return "".join(el.itertext())


class ArticleParseError(Exception):
    """The page is not an article this crawler can read; the message says why."""


@dataclass
class PageReading:
    """One page of an article as its layout shows it; several pages make one article."""

    layout: str
    breadcrumb: list[str]
    title: str
    published_at: datetime | None
    source: str
    keywords: list[str]
    units: list[Unit] = field(default_factory=list)  # the body, still with its habits
    body: Body | None = None  # set instead of units by parsers that read text, not markup
    more_pages: list[str] = field(default_factory=list)  # absolute URLs of the article's other pages


class LayoutParser:
    """One layout era of the site: selectors as class attributes, one method per field."""

    name: ClassVar[str]

    def matches(self, root: HtmlElement) -> bool:
        raise NotImplementedError

    def read(self, root: HtmlElement, url: str, canonical: Callable[[str], str]) -> PageReading:
        raise NotImplementedError
