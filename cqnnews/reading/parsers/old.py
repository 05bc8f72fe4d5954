"""The old layout (until about 2015): gb2312 pages, ``Index_ShowDetail_*`` blocks, ``/news/…/<id>.html``."""

from __future__ import annotations

from cqnnews.reading.parsers import readings as r
from cqnnews.reading.parsers.base import Page
from cqnnews.reading.parsers.current import GENERIC_BODY, body_at
from cqnnews.reading.parsers.layout import Layout

__all__ = ["OLD"]


def _is_old(page: Page) -> bool:
    return page.first("div.Index_ShowDetail_Content") is not None


OLD = Layout(
    name="old",
    matches=_is_old,
    title=(r.title_at("div.Index_ShowDetail_Title h1"), r.title_at("div.Index_ShowDetail_Title"), r.title_at("h1"),
           r.TITLE_TAG),
    published_at=(r.time_at("div.Index_ShowDetail_Time"), r.ENP_DATE, r.TIME_NEAR_TITLE, r.LABELLED_TIME),
    source=(r.SOURCE_TEXT, r.META_LINE, r.SITE),
    breadcrumb=(r.breadcrumb_at("div.Index_Position"), r.POSITION_LINE, r.NO_BREADCRUMB),
    body=(body_at("div.Index_ShowDetail_Content", "old"), GENERIC_BODY),
)
