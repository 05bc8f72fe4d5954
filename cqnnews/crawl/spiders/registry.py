"""One spider class per entry of :data:`cqnnews.sections.SECTIONS`, made here, listed by ``scrapy list``."""

from __future__ import annotations

from cqnnews.crawl.spiders.base import SectionSpider
from cqnnews.sections import SECTIONS, Section


def spider_class(section: Section) -> type[SectionSpider]:
    name = "".join(part.title() for part in section.spider.split("_")) + "Spider"
    return type(name, (SectionSpider,), {
        "name": section.spider,
        "section": section,
        "__doc__": section.description,
        "__module__": __name__,  # Scrapy's loader lists only classes defined in the module it walks
    })


SPIDERS: dict[str, type[SectionSpider]] = {s.spider: spider_class(s) for s in SECTIONS}
globals().update({cls.__name__: cls for cls in SPIDERS.values()})
