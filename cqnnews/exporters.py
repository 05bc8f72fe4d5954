"""JSON Lines for the feed, written straight from the Article dataclass.

Scrapy's exporter wraps every item in an ItemAdapter and asks it for each field and its
serializer: a third of a millisecond an article, more than the rest of the feed costs.
An :class:`~cqnnews.items.Article` holds only JSON values and declares no serializers, so
its fields are read directly; anything else, or an exporter given serializers, goes the
usual way.  The bytes written are the same.
"""

from __future__ import annotations

from typing import Any

from scrapy.exporters import JsonLinesItemExporter

from cqnnews.items import FIELDS, Article

_ARTICLE_FIELDS = frozenset(FIELDS)


class ArticleJsonLinesExporter(JsonLinesItemExporter):
    def export_item(self, item: Any) -> None:
        names = FIELDS if self.fields_to_export is None else self.fields_to_export
        if (not isinstance(item, Article) or not isinstance(names, (list, tuple))
                or not _ARTICLE_FIELDS.issuperset(names)
                or type(self).serialize_field is not JsonLinesItemExporter.serialize_field):
            return super().export_item(item)  # renamed or unknown fields, serializers, other items
        line = self.encoder.encode({name: getattr(item, name) for name in names}) + "\n"
        self.file.write(line.encode(self.encoding or "utf-8"))
