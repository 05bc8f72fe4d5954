"""A chain of readings: the page being read (:class:`Context`), one way of reading a field (:class:`Reading`),
and the first reading of a chain whose value its field can hold (:func:`first`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

from cqnnews.reading.parsers import fields
from cqnnews.reading.parsers.base import Page, text_of, xpath
from cqnnews.reading.parsers.units import Element
from cqnnews.text import clean

T = TypeVar("T")
NEAR_TITLE = 300  # characters of text after the title searched for its date-time and source


@dataclass
class Context:
    """One page being read, and what earlier readings found on it."""

    page: Page
    url: str
    title_element: Element | None = None  # where the title was read: dates and sources are near it
    properties: dict[str, str] = field(default_factory=dict)  # the enpproperty block's fields
    now: datetime | None = None  # the run's clock: no publication time after it
    title: str | None = None  # the headline once read: a source is not the title again
    rejected: list[tuple[str, str, str]] = field(default_factory=list)  # (field, reading, why) of each value refused
    _after_title: str | None = None
    _menu: frozenset[str] | None = None
    memo: dict[str, Any] = field(default_factory=dict)  # what a reading found once for the page (its meta line)

    def menu_items(self) -> frozenset[str]:
        """The texts of the page's links to pages that are not articles (menus, channels, the footer)."""
        if self._menu is None:
            self._menu = frozenset(t for a in self.page.root.iter("a")
                                   if "content_" not in (a.get("href") or "") and (t := clean(text_of(a))))
        return self._menu

    def after_title(self) -> str:
        """The page's text just after the title element (NEAR_TITLE characters), for readings near it."""
        if self._after_title is None:
            if self.title_element is None:
                self._after_title = ""
            else:
                parts: list[str] = []
                size = 0
                for text in xpath("following::text()[not(ancestor::script or ancestor::style)]")(self.title_element):
                    parts.append(str(text))
                    size += len(text)
                    if size >= NEAR_TITLE:
                        break
                self._after_title = clean(" ".join(parts))[:NEAR_TITLE]
        return self._after_title


@dataclass(frozen=True)
class Reading(Generic[T]):
    """One way of reading a field: None when it finds nothing on the page."""

    name: str
    read: Callable[[Context], T | None]


@dataclass(frozen=True)
class Found(Generic[T]):
    value: T
    reading: str
    fallback: bool  # not the chain's first reading


def first(chain: Sequence[Reading[T]], ctx: Context, field_name: str | None = None) -> Found[T] | None:
    """The value of the first reading in ``chain`` that finds one its field ``field_name`` can hold; each value
    refused is noted in ``ctx.rejected``."""
    for i, reading in enumerate(chain):
        title_element = ctx.title_element
        value = reading.read(ctx)
        if value is None:
            continue
        if field_name is not None and (why := fields.problem(field_name, value, ctx)) is not None:
            ctx.rejected.append((field_name, reading.name, why))
            ctx.title_element, ctx._after_title = title_element, None  # a refused headline is not where the title is
            continue
        return Found(value, reading.name, i > 0)
    return None
