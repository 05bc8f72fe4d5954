"""Validation, last: drops, counts and logs any item that breaks the published JSON Schema."""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.statscollectors import StatsCollector

from cqnnews.items import item_record
from cqnnews.schema import problems


class SchemaValidationPipeline:
    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "SchemaValidationPipeline":
        assert crawler.stats is not None
        return cls(crawler.stats)

    def process_item(self, item: Any) -> Any:
        found = problems(item_record(item))
        if found:
            self.stats.inc_value("cqnnews/validate/invalid")
            raise DropItem(f"breaks the schema: {'; '.join(found)}")
        return item
