"""The baseline of the overhead benchmark: fetches a list of URLs and parses nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from scrapy import Request, Spider
from scrapy.http import Response


class BareSpider(Spider):
    name = "bare"

    def __init__(self, urls: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.url_file = Path(urls)

    async def start(self) -> AsyncIterator[Any]:
        for url in self.url_file.read_text().split():
            yield Request(url, callback=self.parse, dont_filter=True)

    def parse(self, response: Response) -> None:
        return None
