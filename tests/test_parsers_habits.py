"""Body habits of SITE.md, one at a time, on small hand-written bodies."""

from __future__ import annotations

import lxml.html
import pytest

from cqnnews.reading.parsers.habits import interpret, parse_names
from cqnnews.reading.parsers.units import flatten

PAGE = "http://127.0.0.1:8000/qt/content/2018-08/03/content_6121542.htm"


def canon(url: str) -> str:
    return url.replace("http://127.0.0.1:8000", "https://www.cqn.com.cn")


def read(body: str, title: str = "标题"):
    return interpret(flatten(lxml.html.fragment_fromstring(body, create_parent="div")), title, PAGE, canon)


@pytest.mark.parametrize(("who", "names"), [
    ("张井", ["张井"]),
    ("张井 李明", ["张井", "李明"]),
    ("孙霞云 记者何 可", ["孙霞云", "何可"]),
    ("记者冯铁飞", ["冯铁飞"]),
    ("本报记者 张文礼", ["张文礼"]),
    ("记者 张三、通讯员 李四", ["张三", "李四"]),
    ("完", None),
    ("国家标准委", None),
    ("据新华社", None),
    ("以上数据截至10月底", None),
])
def test_names_in_bylines(who: str, names: list[str] | None) -> None:
    assert parse_names(who) == names


def test_trailing_byline_and_editor_line() -> None:
    body = read("<p>会议召开。</p><p>共计110余人参加了会议。(张井)</p><p>(责任编辑:语安)</p>")
    assert body.text == "会议召开。\n共计110余人参加了会议。"
    assert body.authors == ["张井"] and body.editor == "语安"


def test_byline_on_its_own_line_full_width() -> None:
    body = read("<p>正文。</p><p align='right'>（张井 李明）</p><p>（责任编辑：语安）</p>")
    assert body.text == "正文。" and body.authors == ["张井", "李明"]


def test_parenthesis_that_is_not_a_byline_stays() -> None:
    body = read("<p>发布了新标准（国家标准委）</p>")
    assert body.text == "发布了新标准（国家标准委）" and body.authors == []


def test_reprint_title_subtitle_and_boxed_byline() -> None:
    body = read("<p align='center'><strong>标题</strong></p><p align='center'>副标题在此</p>"
                "<p>□ 本报记者 张文礼</p><p>正文。</p>")
    assert body.text == "正文。" and body.subtitle == "副标题在此" and body.authors == ["张文礼"]


def test_reprint_lead_byline_with_padded_name() -> None:
    body = read("<p align='center'>标题</p><p>本报讯 （孙霞云 记者何 可）近日，正文。</p>")
    assert body.text == "近日，正文。" and body.authors == ["孙霞云", "何可"] and body.subtitle is None


@pytest.mark.parametrize(("lead", "author"), [("中国消费者报太原讯(记者冯铁飞)", "冯铁飞"), ("中国质量新闻网讯 (方鹏)", "方鹏")])
def test_repost_dateline_lead(lead: str, author: str) -> None:
    body = read(f"<p>{lead}近日，正文。</p>")
    assert body.text == "近日，正文。" and body.authors == [author]


def test_caption_goes_to_images_not_body() -> None:
    body = read('<p align="center"><img src="../../../img/2018-08/03/1_ab.jpg"></p>'
                '<p align="center">与会代表观看成果展</p><p>正文。</p>'
                '<p><img src="/qt/img/2018-08/03/2_cd.jpg"></p><p>不居中的一段，不是图片说明。</p>')
    assert body.images == [
        {"url": "https://www.cqn.com.cn/qt/img/2018-08/03/1_ab.jpg", "caption": "与会代表观看成果展"},
        {"url": "https://www.cqn.com.cn/qt/img/2018-08/03/2_cd.jpg", "caption": None},
    ]
    assert body.text == "正文。\n不居中的一段，不是图片说明。"


def test_attachments_label_and_links() -> None:
    body = read('<p>正文。</p><p>附件：</p><p><a href="../../../attach/a.pdf">1.合格名单.pdf</a></p>'
                '<p>附件2：<a href="/ms/attach/b.xls">不合格名单</a></p><p>见<a href="/qt/node_1.htm">专题</a>。</p>')
    assert [(a["url"], a["title"]) for a in body.attachments] == [
        ("https://www.cqn.com.cn/qt/attach/a.pdf", "1.合格名单.pdf"),
        ("https://www.cqn.com.cn/ms/attach/b.xls", "不合格名单"),
    ]
    assert all(a["path"] is None and a["checksum"] is None for a in body.attachments)  # not downloaded yet
    assert body.text == "正文。\n见专题。"


def test_word_table_rows_are_tab_separated_lines() -> None:
    body = read('<p>结果如下：</p><table class="MsoNormalTable"><tr><td><p>序号</p></td><td>产品</td></tr>'
                "<tr><td>1</td><td><span>电线 电缆</span></td></tr></table><p>完。</p>")
    assert body.text == "结果如下：\n序号\t产品\n1\t电线 电缆\n完。"


def test_br_splits_paragraphs_and_spaces_are_normalised() -> None:
    body = read("<p>\u3000\u3000第一段。<br/>第二段&nbsp;。</p>")
    assert body.text == "第一段。\n第二段 。"
