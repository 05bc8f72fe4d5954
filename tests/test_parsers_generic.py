"""The generic reader's rendering of trafilatura's output back into HTML (cqnnews/reading/parsers/generic.py)."""

from __future__ import annotations

from lxml import etree

from cqnnews.reading.parsers.generic import as_html
from cqnnews.reading.parsers.units import flatten


def test_a_word_table_stays_a_table_and_a_layout_table_becomes_text() -> None:
    doc = etree.fromstring(
        "<body><table><row><cell><p>序号</p></cell><cell><p>产品名称</p></cell></row>"
        "<row><cell><p>1</p></cell><cell><p>电线</p></cell></row></table>"
        "<table><row><cell><p>正文第一段。</p><p>正文第二段。</p></cell>"
        '<cell><graphic src="/a.jpg"/></cell></row></table>'
        '<p>见<ref target="/ms/attach/1.xls">附件1</ref></p></body>')
    units = flatten(as_html(doc))
    assert [u.kind for u in units] == ["table", "text", "text", "image", "text"]
    assert units[0].table is not None and units[0].table.header == ["序号", "产品名称"]
    assert units[0].table.rows == [["1", "电线"]]
    assert units[3].src == "/a.jpg" and units[4].links == [("/ms/attach/1.xls", "附件1")]
