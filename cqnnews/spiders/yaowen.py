"""要闻: the headline news of 综合 (要闻一, 要闻二)."""

from __future__ import annotations

from cqnnews.sections import section
from cqnnews.spiders.base import SectionSpider


class YaowenSpider(SectionSpider):
    name = "yaowen"
    section = section("yaowen")
