"""The feed's exporter writes exactly the bytes Scrapy's JSON Lines exporter writes."""

from __future__ import annotations

import io
from typing import Any

import pytest
from scrapy.exporters import JsonLinesItemExporter

from cqnnews.exporters import ArticleJsonLinesExporter
from cqnnews.items import FIELDS, Article

ARTICLE = Article(
    url="https://www.cqn.com.cn/qt/content/2018-08/03/content_6121542.htm", article_id=6121542, revision=1,
    channel="qt", breadcrumb=["新闻中心", "综合", "要闻二"], sections=["要闻二"], title="内蒙古“标准化”\t推进会",
    subtitle=None, published_at="2018-08-03T17:13:55+08:00", source="中国质量新闻网", authors=["张井"],
    editor="语安", keywords=["标准化"], body="第一段\n第二段 \\ \"引号\"", images=[{"url": "https://x/1.jpg", "caption": None}],
    attachments=[], layout="current", pages=1, fetched_at="2026-11-25T06:30:05Z", flags=[])


def export(exporter_class: type[JsonLinesItemExporter], item: Any, **options: Any) -> bytes:
    out = io.BytesIO()
    exporter = exporter_class(out, encoding="utf-8", **options)
    exporter.start_exporting()
    exporter.export_item(item)
    exporter.finish_exporting()
    return out.getvalue()


@pytest.mark.parametrize("options", [
    {}, {"fields_to_export": FIELDS}, {"fields_to_export": ["title", "url"]},
    {"fields_to_export": {"title": "headline"}}, {"fields_to_export": ["title", "nonexistent"]},
    {"fields_to_export": ["title", "nonexistent"], "export_empty_fields": True},
])
def test_same_bytes_as_scrapy(options: dict[str, Any]) -> None:
    assert export(ArticleJsonLinesExporter, ARTICLE, **options) == export(JsonLinesItemExporter, ARTICLE, **options)


def test_other_items_go_the_usual_way() -> None:
    item = {"title": "标题", "n": 1}
    assert export(ArticleJsonLinesExporter, item) == export(JsonLinesItemExporter, item) == '{"title": "标题", "n": 1}\n'.encode()
