"""The old layout (until about 2015): gb2312 pages, ``Index_ShowDetail_*`` blocks, ``/news/…/<id>.html``."""

from __future__ import annotations

import re

from parsel import Selector

from cqnnews.parsers.current import OWN_SOURCE, CurrentLayout
from cqnnews.text import clean

_SOURCE = re.compile(r"来源\s*[:：]\s*(?P<source>[^\s　]+)")


class OldLayout(CurrentLayout):
    name = "old"
    breadcrumb_css = "div.Index_Position"
    title_css = ("div.Index_ShowDetail_Title h1", "div.Index_ShowDetail_Title")
    publish_css = "div.Index_ShowDetail_Time"
    body_css = "div.Index_ShowDetail_Content"

    def matches(self, sel: Selector) -> bool:
        return bool(sel.css(self.body_css)) and bool(sel.css(self.title_css[1]))

    def source(self, sel: Selector) -> str:
        m = _SOURCE.search(clean(sel.css(self.publish_css).xpath("string()").get("")))
        return m["source"] if m else OWN_SOURCE
