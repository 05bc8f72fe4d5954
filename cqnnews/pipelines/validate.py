"""Drops, counts and logs any item that breaks the published JSON Schema."""

from __future__ import annotations

from typing import Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.statscollectors import StatsCollector

from cqnnews.items import FIELDS, Article
from cqnnews.schema import problems


class SchemaValidationPipeline:
    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "SchemaValidationPipeline":
        assert crawler.stats is not None
        return cls(crawler.stats)

    def process_item(self, item: Any) -> Any:
        record = ({name: getattr(item, name) for name in FIELDS} if isinstance(item, Article)
                  else ItemAdapter(item).asdict())  # asdict() deep-copies a dataclass: slow, and not needed
        found = problems(record)
        if found:
            self.stats.inc_value("cqnnews/invalid_items")
            raise DropItem(f"breaks the schema: {'; '.join(found)}")
        return item
