"""What every layout parser returns, and how a page that cannot be parsed is reported."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from parsel import Selector

from cqnnews.parsers.habits import Body


class ArticleParseError(Exception):
    """The page is not an article this crawler can read; the message says why."""


@dataclass
class ParsedPage:
    layout: str
    breadcrumb: list[str]
    title: str
    published_at: datetime | None
    source: str
    keywords: list[str]
    body: Body


class LayoutParser:
    """One layout era of the site: selectors as class attributes, one method per field."""

    name: ClassVar[str]

    def matches(self, sel: Selector) -> bool:
        raise NotImplementedError

    def parse(self, sel: Selector, url: str, canonical: Callable[[str], str]) -> ParsedPage:
        raise NotImplementedError
