"""CSV feeds: list and object cells hold JSON, read back whole by a CSV reader."""

from __future__ import annotations

import csv
import io
import json

from cqnnews.items import FIELDS, Article
from cqnnews.outputs.exporters import JsonCellsCsvItemExporter

ARTICLE = Article(
    url="https://www.cqn.com.cn/qt/content/2018-08/03/content_6121542.htm", article_id=6121542, revision=1,
    channel="qt", breadcrumb=["新闻中心", "综合", "要闻二"], sections=["要闻二"], title="内蒙古“标准化”推进会",
    subtitle=None, published_at="2018-08-03T17:13:55+08:00", source="中国质量新闻网", authors=["张井", "李,四"],
    editor="语安", keywords=["标准化"], body="第一段\n第二段", images=[{"url": "https://x/1.jpg", "caption": None}],
    attachments=[], tables=[], layout="current", pages=1, fetched_at="2026-11-25T06:30:05Z", flags=[])


def test_list_and_object_cells_are_json() -> None:
    out = io.BytesIO()
    exporter = JsonCellsCsvItemExporter(out, fields_to_export=FIELDS, encoding="utf-8")
    exporter.start_exporting()
    exporter.export_item(ARTICLE)
    exporter.finish_exporting()
    [row] = list(csv.DictReader(io.StringIO(out.getvalue().decode("utf-8"))))
    assert json.loads(row["authors"]) == ["张井", "李,四"]  # a comma inside an item survives
    assert json.loads(row["images"]) == [{"url": "https://x/1.jpg", "caption": None}]
    assert json.loads(row["attachments"]) == [] and json.loads(row["flags"]) == []
    assert row["title"] == ARTICLE.title and row["body"] == ARTICLE.body and row["article_id"] == "6121542"
