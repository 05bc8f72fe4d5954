"""The old layout (until about 2015): gb2312 pages, ``Index_ShowDetail_*`` blocks, ``/news/…/<id>.html``."""

from __future__ import annotations

import re

from lxml.html import HtmlElement

from cqnnews.parsers.base import css
from cqnnews.parsers.current import OWN_SOURCE, CurrentLayout

_SOURCE = re.compile(r"来源\s*[:：]\s*(?P<source>[^\s　]+)")


class OldLayout(CurrentLayout):
    name = "old"
    breadcrumb_css = "div.Index_Position"
    title_css = ("div.Index_ShowDetail_Title h1", "div.Index_ShowDetail_Title")
    publish_css = "div.Index_ShowDetail_Time"
    body_css = "div.Index_ShowDetail_Content"

    def matches(self, root: HtmlElement) -> bool:
        return bool(css(self.body_css)(root)) and bool(css(self.title_css[1])(root))

    def source(self, root: HtmlElement) -> str:
        m = _SOURCE.search(self._first_text(root, self.publish_css))
        return m["source"] if m else OWN_SOURCE
