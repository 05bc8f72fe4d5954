"""The current layout (records from 2016 to 2026), then the fallbacks for a template nobody here has seen.

Each field's chain starts with the selectors other crawlers of the site used from 2017 to
2020 (SITE.md), then their own fallbacks (``div.title``, ``div.info``), then readings that
hold on any news page.  The body's last reading is the generic reader.
"""

from __future__ import annotations

from cqnnews.reading.parsers.base import Page, css
from cqnnews.reading.parsers.generic import generic_body
from cqnnews.reading.parsers.layout import BodyReading, Layout
from cqnnews.reading.parsers.readings import (
    DATE_MARKUP,
    DAY_NEAR_TITLE,
    ENP_DATE,
    LABELLED_TIME,
    META_LINE,
    NO_BREADCRUMB,
    POSITION_LINE,
    SITE,
    SOURCE_TEXT,
    TIME_IN_PAGE,
    TIME_NEAR_TITLE,
    TITLE_CLASS,
    TITLE_TAG,
    URL_DATE,
    Context,
    breadcrumb_at,
    source_in,
    time_at,
    title_at,
)
from cqnnews.reading.parsers.units import Unit, flatten, has_text

__all__ = ["CURRENT", "GENERIC_BODY", "body_at"]
GENERIC_BODY = BodyReading("generic", "generic", generic_body)  # every layout's last body reading


def body_at(selector: str, layout: str) -> BodyReading:
    """The first element matching ``selector`` that holds some text, flattened into units."""
    def read(ctx: Context) -> list[Unit] | None:
        for el in css(selector)(ctx.page.root):
            units = flatten(el)
            if has_text(units):
                return units
        return None
    return BodyReading(selector, layout, read)


def _any(page: Page) -> bool:
    return True


CURRENT = Layout(
    name="current",
    matches=_any,
    title=(title_at("div.Detail_Title h1"), title_at("div.title"), title_at("h1"), TITLE_TAG, TITLE_CLASS),
    published_at=(time_at("div.publish"), time_at("div.info"), ENP_DATE, DATE_MARKUP, TIME_NEAR_TITLE, LABELLED_TIME,
                  TIME_IN_PAGE, DAY_NEAR_TITLE, URL_DATE),
    source=(source_in("span.from", within="div.publish", empty_means_site=True), source_in("div.info span"),
            SOURCE_TEXT, META_LINE, SITE),
    breadcrumb=(breadcrumb_at("div.box"), POSITION_LINE, NO_BREADCRUMB),
    body=(body_at("div.Detail_Content div.content", "current"), body_at("div.content", "current"),
          GENERIC_BODY),
)
