"""The old layout (until about 2015): gb2312 pages, ``Index_ShowDetail_*`` blocks, ``/news/…/<id>.html``."""

from __future__ import annotations

import re

from cqnnews.parsers.base import Page
from cqnnews.parsers.current import OWN_SOURCE, CurrentLayout

_SOURCE = re.compile(r"来源\s*[:：]\s*(?P<source>[^\s　]+)")


class OldLayout(CurrentLayout):
    name = "old"
    breadcrumb_css = "div.Index_Position"
    title_css = ("div.Index_ShowDetail_Title h1", "div.Index_ShowDetail_Title")
    publish_css = "div.Index_ShowDetail_Time"
    body_css = "div.Index_ShowDetail_Content"

    def matches(self, page: Page) -> bool:
        return page.first(self.body_css) is not None and page.first(self.title_css[1]) is not None

    def source(self, page: Page) -> str:
        m = _SOURCE.search(self._first_text(page, self.publish_css))
        return m["source"] if m else OWN_SOURCE
