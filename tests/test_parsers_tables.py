"""Tables read as a person reads them on screen (cqnnews/reading/parsers/tables.py)."""

from __future__ import annotations

from lxml import etree

from cqnnews.reading.parsers.tables import Table, cell_text, read_table


def table(html: str) -> Table:
    root = etree.fromstring(f"<html><body>{html}</body></html>".encode(), etree.HTMLParser(encoding="utf-8"))
    return read_table(root.find(".//table"))


def td(text: str, **spans: int) -> str:
    attrs = "".join(f' {k}="{v}"' for k, v in spans.items())
    return f'<td{attrs} valign="top"><p class="MsoNormal" align="center"><span>{text}</span></p></td>'


# A national notice as pasted from Word: a caption row across the table, a maker failing two items on two
# rows (its cells merged down), a value split into fragments, a cell of two paragraphs, "/" for none.
NOTICE = (
    '<table class="MsoNormalTable" border="1">'
    f"<tr>{td('食品监督抽检不合格产品信息', colspan=6)}</tr>"
    f"<tr>{td('序号')}{td('标称生产企业名称')}{td('食品名称')}{td('不合格项目')}{td('检验结果')}{td('备注')}</tr>"
    f"<tr>{td('1', rowspan=2)}{td('聊城市奥祥禽业有限公司', rowspan=2)}{td('鸡蛋', rowspan=2)}"
    "<td><p class=MsoNormal><span>呋喃唑酮</span><span>代谢物</span></p></td>"
    f"{td('3.2μg/kg')}{td('经山东省市场监管局核实，该产品并非来自聊城市奥祥禽业有限公司。', rowspan=2)}</tr>"
    f"<tr>{td('恩诺沙星')}{td('126μg/kg')}</tr>"
    f"<tr>{td('2')}{td('/')}{td('大米&nbsp;')}{td('镉（以Cd计）')}"
    "<td><p>0.35mg/kg</p><p>（标准值≤0.2）</p></td>"
    f"{td('　')}</tr>"
    "</table>"
)


def test_a_word_notice_reads_as_shown_on_screen() -> None:
    t = table(NOTICE)
    assert t.caption == "食品监督抽检不合格产品信息"
    assert t.header == ["序号", "标称生产企业名称", "食品名称", "不合格项目", "检验结果", "备注"]
    note = "经山东省市场监管局核实，该产品并非来自聊城市奥祥禽业有限公司。"
    assert t.rows == [
        ["1", "聊城市奥祥禽业有限公司", "鸡蛋", "呋喃唑酮代谢物", "3.2μg/kg", note],
        ["1", "聊城市奥祥禽业有限公司", "鸡蛋", "恩诺沙星", "126μg/kg", note],  # the merged cells, repeated
        ["2", "/", "大米", "镉（以Cd计）", "0.35mg/kg （标准值≤0.2）", ""],
    ]
    assert t.lines()[:2] == ["食品监督抽检不合格产品信息", "序号\t标称生产企业名称\t食品名称\t不合格项目\t检验结果\t备注"]


def test_a_two_row_header_joins_its_names() -> None:
    t = table("<table>"
              f"<tr>{td('序号', rowspan=2)}{td('产品名称', rowspan=2)}{td('检验结果', colspan=2)}</tr>"
              f"<tr>{td('实测值')}{td('标准值')}</tr>"
              f"<tr>{td('1')}{td('电线')}{td('12')}{td('≤10')}</tr></table>")
    assert t.caption is None
    assert t.header == ["序号", "产品名称", "检验结果/实测值", "检验结果/标准值"]
    assert t.rows == [["1", "电线", "12", "≤10"]]


def test_a_merge_across_and_down_fills_every_cell_it_covers() -> None:
    t = table("<table>"
              f"<tr>{td('a')}{td('b')}{td('c')}</tr>"
              f"<tr>{td('X', rowspan=2, colspan=2)}{td('1')}</tr>"
              f"<tr>{td('2')}</tr>"
              f"<tr>{td('3')}{td('4')}</tr></table>")  # a short row: padded to the width
    assert t.rows == [["X", "X", "1"], ["X", "X", "2"], ["3", "4", ""]]


def test_word_line_breaks_inside_chinese_close_and_spaces_elsewhere_stay() -> None:
    root = etree.fromstring("<td><span>呋喃唑酮\r\n  </span><span>代谢物</span> <span>n=5, c=2</span>"
                            "<span>电线 电缆</span>&nbsp;</td>".encode(), etree.HTMLParser(encoding="utf-8"))
    assert cell_text(root.find(".//td")) == "呋喃唑酮代谢物 n=5, c=2电线 电缆"


def test_nested_tables_and_absurd_spans_do_not_break_the_grid() -> None:
    t = table("<table>"
              f"<tr>{td('a')}{td('b')}</tr>"
              f"<tr>{td('1', rowspan=9999)}<td><table><tr><td>inner</td></tr></table></td></tr>"
              f"<tr>{td('2')}</tr></table>")
    assert t.header == ["a", "b"]
    assert t.rows == [["1", "inner"], ["1", "2"]]
