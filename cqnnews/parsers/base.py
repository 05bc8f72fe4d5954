"""What every layout parser returns for one page, and how an unreadable page is reported."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import ClassVar

from cssselect import HTMLTranslator
from lxml import etree

from cqnnews.parsers.habits import Body
from cqnnews.parsers.units import Element, Unit, text_of

_TRANSLATOR = HTMLTranslator()
_TAG_CLASS = re.compile(r"(?P<tag>[a-z][a-z0-9]*)(?:\.(?P<cls>[\w-]+))?", re.I)


@cache
def css(selector: str) -> etree.XPath:
    """A CSS selector compiled once to an XPath over lxml trees (hot path: no per-call translation)."""
    return etree.XPath(_TRANSLATOR.css_to_xpath(selector))


@cache
def xpath(expression: str) -> etree.XPath:
    return etree.XPath(expression)


@cache
def _steps(selector: str) -> tuple[tuple[str, str | None], ...] | None:
    """``div.a span.b`` as ((div, a), (span, b)); None for anything else CSS can say."""
    steps = []
    for part in selector.split():
        m = _TAG_CLASS.fullmatch(part)
        if m is None:
            return None
        steps.append((m["tag"].lower(), m["cls"]))
    return tuple(steps) or None


def container(selector: str) -> tuple[str, str] | None:
    """The outermost (tag, class) of a tag.class chain: ``div.Detail_Content div.content`` -> (div, Detail_Content)."""
    steps = _steps(selector)
    return (steps[0][0], steps[0][1]) if steps and steps[0][1] is not None else None


def class_names(selectors: Iterable[str]) -> frozenset[str]:
    """Every class name in these tag.class chains."""
    return frozenset(cls for selector in selectors for _, cls in (_steps(selector) or ()) if cls is not None)


class Truncated(Exception):
    """A page parsed only up to a cut cannot answer this exactly: parse the whole page."""


class Page:
    """A parsed page, with its elements indexed by tag and class.

    Layout selectors are ``tag.class`` chains (``div.Detail_Content div.content``): each
    one evaluated as XPath would scan the whole tree again, which costs more than reading
    the page's fields.  A tag's index is built on its first lookup; other selectors fall
    back to compiled XPath.

    A page may be only its region (see :mod:`cqnnews.parsers.truncate`): ``open`` then holds
    the elements still open at its end, whose content may go on past it, and ``classes`` the
    class names that nothing left out before it carries.  :meth:`first` answers what the
    whole page would, from a selector starting with one of those classes and an element
    closed in time, or raises :class:`Truncated`.
    """

    def __init__(self, root: Element, html: bytes, open: frozenset[Element] | None = None,
                 classes: frozenset[str] = frozenset()) -> None:
        self.root = root
        self.html = html  # the page as UTF-8, for parsers that read it their own way
        self.open = open  # None: the whole page was parsed
        self.classes = classes
        self._by_class: dict[str, dict[str, list[Element]]] = {}  # tag -> class -> elements
        self._selected: dict[tuple[str, Element | None], list[Element]] = {}

    @property
    def truncated(self) -> bool:
        return self.open is not None

    def complete(self, el: Element) -> bool:
        """Whether all of ``el`` was parsed (always, on a whole page)."""
        return self.open is None or el not in self.open

    def _classed(self, tag: str, cls: str) -> list[Element]:
        index = self._by_class.get(tag)
        if index is None:
            index = self._by_class[tag] = {}
            for el in self.root.iter(tag):
                if names := el.get("class"):
                    for name in names.split():
                        index.setdefault(name, []).append(el)
        return index.get(cls, [])

    def select(self, selector: str, within: Element | None = None) -> list[Element]:
        """Elements matching the CSS ``selector``, in document order (below ``within``, or itself)."""
        if self.open is not None:
            raise Truncated(f"all of {selector!r}")
        return self._all(selector, within)

    def first(self, selector: str, within: Element | None = None) -> Element | None:
        """The first element matching the CSS ``selector`` (below ``within``), or None."""
        found = self._all(selector, within)
        if self.open is not None:
            # exact only for a tag.class chain (it depends on ancestors alone) starting with a class
            # nothing left out carries, whose first match was wholly parsed; where there is none,
            # only a wholly parsed ``within`` can say so
            steps = _steps(selector)
            if steps is None or steps[0][1] not in self.classes:
                raise Truncated(selector)
            if found and found[0] in self.open or not found and (within is None or within in self.open):
                raise Truncated(selector)
        return found[0] if found else None

    def _all(self, selector: str, within: Element | None) -> list[Element]:
        key = (selector, within)
        found = self._selected.get(key)
        if found is None:  # parsers ask for the same selector more than once (matching, then reading)
            found = self._selected[key] = self._select(selector, within)
        return found

    def _select(self, selector: str, within: Element | None) -> list[Element]:
        steps = _steps(selector)
        if steps is None:
            return list(css(selector)(self.root if within is None else within))
        return self._match(steps, within)

    def _match(self, steps: tuple[tuple[str, str | None], ...], within: Element | None) -> list[Element]:
        tag, cls = steps[-1]
        if cls is not None:
            return [el for el in self._classed(tag, cls) if _below(el, steps[:-1], within)]
        # a bare tag below classed ancestors: look inside each of them
        parents = self._match(steps[:-1], within) if len(steps) > 1 else [self.root if within is None else within]
        seen: set[Element] = set()
        found = []
        for parent in parents:
            for el in parent.iter(tag):
                if el is not parent and el not in seen:
                    seen.add(el)
                    found.append(el)
        return found

    def first_text(self, selector: str, within: Element | None = None) -> str | None:
        found = self.first(selector, within)
        return text_of(found) if found is not None else None


def _matches(el: Element, step: tuple[str, str | None]) -> bool:
    tag, cls = step
    return el.tag == tag and (cls is None or cls in (el.get("class") or "").split())


def _below(el: Element, ancestors: tuple[tuple[str, str | None], ...], within: Element | None) -> bool:
    """``el`` lies inside ``within`` (or is it) and inside a chain of ``ancestors``, innermost last."""
    want = len(ancestors) - 1
    if want < 0 and within is None:  # a one-step chain over the whole page: nothing to look up
        return True
    if el is within:
        return want < 0
    for parent in el.iterancestors():
        if want >= 0 and _matches(parent, ancestors[want]):
            want -= 1
        if parent is within:
            return want < 0
    return within is None and want < 0


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

    def landmarks(self) -> tuple[str, ...]:
        """The tag.class chains read through :meth:`Page.first`, ``body_css`` last: the first parser
        reads pages parsed from the first of them to the end of the body (empty: whole pages)."""
        return ()

    def matches(self, page: Page) -> bool:
        raise NotImplementedError

    def read(self, page: Page, url: str, canonical: Callable[[str], str]) -> PageReading:
        raise NotImplementedError
