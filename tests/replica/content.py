"""Deterministic article content for the replica: what a story says and how it is dressed.

A :class:`Story` holds the facts (title, authors, paragraphs, images...) and the habits
the page is written with (byline form, reprint header, paren style...).  The renderer
turns it into HTML; :func:`tests.replica.truth.expected_fields` turns it into the fields a
correct crawler must output.  Both read the same Story, so the ground truth never comes
from the crawler.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any, Literal

from tests.replica.notices import SpotTable, make_table

REGIONS = ["北京市", "上海市", "浙江省", "广东省", "江苏省", "山东省", "四川省", "内蒙古自治区",
           "包头市", "太原市", "杭州市", "宁波市", "深圳市", "青岛市", "成都市", "武汉市"]
AGENCIES = ["市场监管局", "质监局", "标准化研究院", "产品质量监督检验院", "消费者协会", "计量测试研究院"]
PRODUCTS = ["电动自行车", "儿童玩具", "燃气灶具", "电线电缆", "食品相关产品", "化妆品", "汽车轮胎",
            "家用电器", "学生用品", "消防产品", "建筑用钢筋", "空气净化器", "电热毯", "安全帽"]
TOPICS = ["质量提升", "标准化建设", "计量监管", "认证认可", "检验检测", "知识产权保护",
          "质量基础设施", "消费品召回", "特种设备安全", "价格监管"]
ACTIONS = ["召开", "部署", "开展", "启动", "推进", "印发"]
EVENTS = ["工作会议", "专项行动", "推进会", "培训班", "座谈会", "质量月活动"]
GROUPS = ["消费者", "企业", "基层监管人员", "行业协会", "检验检测机构"]
NAMES = ["张井", "张文礼", "孙霞云", "何可", "冯铁飞", "方鹏", "李明", "王芳", "刘洋", "陈静",
         "赵磊", "周婷", "吴昊", "郑洁", "邓林", "史凯"]
EDITORS = ["语安", "王宇", "李岩", "孟凡", "宋佳"]
OUTLETS = ["国家药监局网站", "中国消费网", "中国消费者报", "人民网", "新华网"]
BRANDS = ["一汽-大众", "广汽本田", "上汽通用", "长城汽车", "比亚迪", "吉利汽车", "奇瑞汽车"]
OWN_SOURCE = "中国质量新闻网"
PAPER_SOURCE = "中国质量新闻网-中国质量报"

Kind = Literal["news", "paper", "notice", "auto", "recall"]
Parens = Literal["full", "ascii"]


@dataclass
class Image:
    src: str  # path on the site, e.g. /qt/img/2018-08/03/1_<hex>.jpg
    caption: str | None


@dataclass
class Attachment:
    href: str
    title: str
    spot: SpotTable | None = None  # a spreadsheet (.xls/.xlsx) holding this spot-check table; else a placeholder


@dataclass
class Block:
    """One body element, in page order."""

    kind: Literal["p", "image", "table"]
    text: str = ""
    image: Image | None = None
    rows: list[list[str]] = field(default_factory=list)
    spot: SpotTable | None = None  # a spot-check table (notices): its HTML, the table read and every batch


@dataclass
class Story:
    title: str
    subtitle: str | None
    source: str
    authors: list[str]
    editor: str | None
    keywords: list[str]
    blocks: list[Block]
    attachments: list[Attachment] = field(default_factory=list)
    # habits: how the page writes the facts above
    parens: Parens = "full"
    byline: Literal["trailing", "own_line", "lead", "paper_box", "paper_lead", "none"] = "trailing"
    lead_prefix: str = ""  # dateline before the lead byline, e.g. 中国消费者报太原讯
    repeat_title: bool = False  # 中国质量报 reprints repeat the title as the first line
    recalls: list[dict[str, Any]] = field(default_factory=list)  # each recall announced, as a reader records it


def paren(text: str, style: Parens) -> str:
    return f"（{text}）" if style == "full" else f"({text})"


def colon(style: Parens) -> str:
    return "：" if style == "full" else ":"


def _sentence(rng: random.Random, product: str, topic: str) -> str:
    region = rng.choice(REGIONS)
    group = rng.choice(GROUPS)
    templates = [
        f"{region}{rng.choice(AGENCIES)}围绕{topic}重点任务，对{product}生产企业开展了监督检查，"
        f"共检查企业{rng.randint(12, 480)}家，发现问题{rng.randint(2, 60)}个，已全部督促整改。",
        f"会议指出，要进一步压实企业主体责任，强化{product}质量安全监管，切实保障{group}合法权益。",
        f"据介绍，今年以来{region}累计制修订地方标准{rng.randint(10, 300)}项，"
        f"新增{topic}试点示范项目{rng.randint(3, 90)}个，{group}满意度明显提升。",
        f"下一步，{region}将持续深化{topic}改革，完善{product}质量追溯体系，"
        f"推动监管方式由事后处置向事前预防转变。",
        f"与会代表围绕{topic}进行了深入交流，{group}代表结合工作实际提出了意见建议。",
        f"抽查发现，部分{product}存在标志和说明不规范、安全性能不达标等问题，"
        f"不合格产品发现率为{rng.randint(1, 25)}.{rng.randint(0, 9)}%。",
    ]
    return rng.choice(templates)


def _paragraphs(rng: random.Random, product: str, topic: str, count: int) -> list[str]:
    return [
        "".join(_sentence(rng, product, topic) for _ in range(rng.randint(1, 3)))
        for _ in range(count)
    ]


def _image(rng: random.Random, img_dir: str, n: int, product: str) -> Image:
    caption = rng.choice([
        f"检查人员在企业现场查看{product}生产情况",
        f"与会代表参观{rng.choice(TOPICS)}成果展",
        f"{rng.choice(REGIONS)}{rng.choice(AGENCIES)}执法人员开展检查",
        None,
    ])
    return Image(src=f"{img_dir}{n}_{rng.getrandbits(128):032x}.jpg", caption=caption)


FAILED_LIST = "抽查不合格产品及企业名单"
IN_FILE_SHARE = 0.35  # notices giving only a summary on the page, the batches in a spreadsheet under 附件


def _file_the_table(rng: random.Random, spot: SpotTable, blocks: list[Block], attachments: list[Attachment],
                    attach_dir: str, product: str) -> None:
    """The failed-batch list attached as a real spreadsheet: the page's table again (``.xls``), or, in some
    notices, the only place the batches are (``.xls`` or ``.xlsx``; the page says so instead of the table)."""
    listed = next((a for a in attachments if FAILED_LIST in a.title), None)
    if rng.random() >= IN_FILE_SHARE:
        if listed is not None:
            listed.spot = spot
        return
    ext = rng.choice(["xls", "xlsx"])
    if listed is None:
        n = len(attachments) + 1
        listed = Attachment(f"{attach_dir}{n}_{rng.getrandbits(64):016x}.xls", f"{n}.{product}{FAILED_LIST}.xls")
        attachments.append(listed)
    listed.href = listed.href.rsplit(".", 1)[0] + "." + ext
    listed.title = listed.title.rsplit(".", 1)[0] + "." + ext
    listed.spot = spot
    at = next(i for i, b in enumerate(blocks) if b.spot is spot)
    blocks[at] = Block("p", text=f"抽查发现的{len(spot.batches)}批次不合格产品具体情况见附件。")


def make_story(rng: random.Random, kind: Kind, img_dir: str, attach_dir: str) -> Story:
    """A story of ``kind``; ``img_dir``/``attach_dir`` are site paths ending in ``/``."""
    product = rng.choice(PRODUCTS)
    topic = rng.choice(TOPICS)
    region = rng.choice(REGIONS)
    parens: Parens = "full" if rng.random() < 0.7 else "ascii"
    keywords = rng.sample([product, topic, region, rng.choice(EVENTS)], k=rng.randint(1, 3))
    editor = rng.choice(EDITORS) if rng.random() < 0.85 else None
    paragraphs = _paragraphs(rng, product, topic, rng.randint(2, 6))
    blocks = [Block("p", text=p) for p in paragraphs]

    if kind == "notice":
        agency = f"{region}{rng.choice(AGENCIES)}"
        title = f"{agency}{colon(parens)}{rng.randint(2019, 2026)}年{product}产品质量监督抽查结果"
        medical = rng.random() < 0.2
        if medical:  # 国家药监局's medical-device notices
            product = rng.choice(["一次性使用无菌注射器", "医用外科口罩", "电子血压计"])
        spot = make_table(rng, product, medical)
        blocks.insert(1, Block("table", spot=spot))
        attachments = [
            Attachment(f"{attach_dir}{n}_{rng.getrandbits(64):016x}.{ext}", f"{n}.{product}{label}.{ext}")
            for n, (label, ext) in enumerate(
                rng.sample([("抽查合格产品及企业名单", "pdf"), ("抽查不合格产品及企业名单", "xls"),
                            ("抽查实施细则", "docx")], k=rng.randint(1, 3)), start=1)
        ]
        _file_the_table(rng, spot, blocks, attachments, attach_dir, product)
        return Story(title=title, subtitle=None, source=f"{agency}网站", authors=[], editor=editor,
                     keywords=keywords, blocks=blocks, attachments=attachments, parens=parens,
                     byline="none")

    if kind == "auto":
        title = f"{rng.choice(BRANDS)}召回部分{rng.choice(['轿车', 'SUV', '新能源汽车'])}"
    else:
        title = f"{region}{rng.choice(ACTIONS)}{product}{topic}{rng.choice(EVENTS)}"

    if rng.random() < 0.5:
        blocks.insert(rng.randint(0, len(blocks)), Block("image", image=_image(rng, img_dir, 1, product)))
        if rng.random() < 0.4:
            blocks.append(Block("image", image=_image(rng, img_dir, 2, product)))
    authors = rng.sample(NAMES, k=rng.randint(1, 2))

    if kind == "paper":
        subtitle = f"{rng.choice(REGIONS)}{topic}工作取得新进展" if rng.random() < 0.6 else None
        style = rng.choice(["paper_box", "paper_lead"])
        return Story(title=title, subtitle=subtitle, source=PAPER_SOURCE, authors=authors,
                     editor=editor, keywords=keywords, blocks=blocks, parens=parens,
                     byline=style, repeat_title=True)

    roll = rng.random()
    if roll < 0.25:  # a repost from another outlet with a dateline lead
        outlet = rng.choice(OUTLETS)
        city = rng.choice(["太原", "北京", "杭州", "成都"])
        return Story(title=title, subtitle=None, source=outlet, authors=authors[:1], editor=editor,
                     keywords=keywords, blocks=blocks, parens=parens, byline="lead",
                     lead_prefix=f"{outlet.removesuffix('网站')}{city}讯")
    if roll < 0.35:  # own wire story: 中国质量新闻网讯 (方鹏)
        return Story(title=title, subtitle=None, source=OWN_SOURCE, authors=authors[:1], editor=editor,
                     keywords=keywords, blocks=blocks, parens=parens, byline="lead",
                     lead_prefix="中国质量新闻网讯 ")
    if roll < 0.45:
        return Story(title=title, subtitle=None, source=OWN_SOURCE, authors=authors, editor=editor,
                     keywords=keywords, blocks=blocks, parens=parens, byline="own_line")
    if roll < 0.5:
        return Story(title=title, subtitle=None, source=rng.choice(OUTLETS), authors=[], editor=editor,
                     keywords=keywords, blocks=blocks, parens=parens, byline="none")
    return Story(title=title, subtitle=None, source=OWN_SOURCE, authors=authors, editor=editor,
                 keywords=keywords, blocks=blocks, parens=parens, byline="trailing")
