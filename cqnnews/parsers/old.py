"""The old layout (until about 2015): gb2312 pages, ``Index_ShowDetail_*`` blocks, ``/news/…/<id>.html``."""

from __future__ import annotations

from cqnnews.parsers.base import Page
from cqnnews.parsers.current import body_at
from cqnnews.parsers.generic import generic_body
from cqnnews.parsers.layout import BodyReading, Layout
from cqnnews.parsers.readings import (
    ENP_DATE,
    LABELLED_TIME,
    NO_BREADCRUMB,
    POSITION_LINE,
    SITE,
    SOURCE_TEXT,
    TIME_NEAR_TITLE,
    TITLE_TAG,
    breadcrumb_at,
    time_at,
    title_at,
)

__all__ = ["OLD"]


def _is_old(page: Page) -> bool:
    return page.first("div.Index_ShowDetail_Content") is not None


OLD = Layout(
    name="old",
    matches=_is_old,
    title=(title_at("div.Index_ShowDetail_Title h1"), title_at("div.Index_ShowDetail_Title"), title_at("h1"),
           TITLE_TAG),
    published_at=(time_at("div.Index_ShowDetail_Time"), ENP_DATE, TIME_NEAR_TITLE, LABELLED_TIME),
    source=(SOURCE_TEXT, SITE),
    breadcrumb=(breadcrumb_at("div.Index_Position"), POSITION_LINE, NO_BREADCRUMB),
    body=(body_at("div.Index_ShowDetail_Content", "old"), BodyReading("generic", "generic", generic_body)),
)
