"""CSV feeds whose list and object cells hold JSON, so an analyst's CSV reader gets them back whole.

Scrapy's CSV exporter joins a list with commas (``a,b``, ambiguous when an item holds a comma)
and writes a list of objects as a Python repr; here both are JSON (``["a", "b"]``,
``[{"url": "...", "caption": null}]``), with Chinese characters as they are.
"""

from __future__ import annotations

import json
from typing import Any

from scrapy.exporters import CsvItemExporter


class JsonCellsCsvItemExporter(CsvItemExporter):
    def serialize_field(self, field: Any, name: str, value: Any) -> Any:
        if isinstance(value, (list, tuple, dict)):
            return json.dumps(value, ensure_ascii=False)
        return super().serialize_field(field, name, value)
