"""Recall notices of the replica (民生>>召回, reposted under 汽车>>汽车召回), and the record each recall gives.

The notices are written the ways the site reposts them: the regulator's own wording (a
company "根据《缺陷汽车产品召回管理条例》…向国家市场监督管理总局备案了召回计划，自…起，召回…
生产的部分…，共计…辆", or the consumer-product form under 《消费品召回管理暂行规定》, and
《儿童玩具召回管理规定》 before it), a newspaper's report (本报讯, 中国质量新闻网讯 据…消息),
a rewrite with the count in its headline and a hook first, a weekly digest of unrelated recalls,
and a notice whose details sit in a table; vehicles and consumer products, one or several
models and production ranges, counts in several units, totals written and not. Some mention an
earlier recall in passing (its dates are not this recall's); some articles of the listing only
talk about recalls and announce none.  :func:`make_recall_story` draws one from the article's
own random stream (new articles: no existing article changes) and keeps every recall's record.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from tests.replica.content import Block, Story

STYLES = ("regulator", "consumer", "newspaper", "wire", "rewrite", "digest", "table", "mention")


@dataclass(frozen=True)
class Maker:
    companies: tuple[str, ...]
    short: str  # how the notice names it afterwards
    brand: str
    models: tuple[str, ...]
    product: str  # 汽车, or the consumer product
    unit: str
    imported: bool = False
    origin: str | None = None


VEHICLES = (
    Maker(("梅赛德斯-奔驰（中国）汽车销售有限公司",), "奔驰中国", "奔驰", ("GLE", "GLS", "S级"), "汽车", "辆", True, "德国"),
    Maker(("一汽-大众汽车有限公司",), "一汽-大众", "奥迪", ("A6L", "Q5L", "A4L"), "汽车", "辆"),
    Maker(("华晨宝马汽车有限公司",), "华晨宝马", "宝马", ("X1", "3系", "5系"), "汽车", "辆"),
    Maker(("上汽通用汽车有限公司",), "上汽通用", "别克", ("GL8", "英朗", "君威"), "汽车", "辆"),
    Maker(("丰田汽车（中国）投资有限公司",), "丰田中国", "雷克萨斯", ("ES", "RX", "NX"), "汽车", "辆", True, "日本"),
    Maker(("特斯拉汽车（北京）有限公司",), "特斯拉", "特斯拉", ("Model S", "Model X"), "汽车", "辆", True, "美国"),
    Maker(("大众汽车（中国）销售有限公司", "上汽大众汽车有限公司"), "大众汽车", "大众", ("途观", "帕萨特", "途昂"), "汽车",
          "辆"),
    Maker(("长城汽车股份有限公司",), "长城汽车", "哈弗", ("H6", "M6"), "汽车", "辆"),
    Maker(("沃尔沃汽车（亚太）投资控股有限公司",), "沃尔沃亚太", "沃尔沃", ("XC90", "S90"), "汽车", "辆", True, "瑞典"),
)
CONSUMER = (
    Maker(("佛山市顺德区美的洗涤电器制造有限公司",), "美的", "美的", ("WQP8-3906", "WQP12-7201"), "洗碗机", "台"),
    Maker(("青岛海尔洗衣机有限公司",), "海尔", "海尔", ("XQB80-Z1269", "XQB90-BM1269"), "波轮洗衣机", "台"),
    Maker(("好孩子儿童用品有限公司",), "好孩子", "好孩子", ("GB058", "C400"), "婴儿推车", "辆"),
    Maker(("雅迪科技集团有限公司",), "雅迪", "雅迪", ("TDT1201Z", "TDT2280Z"), "电动自行车", "辆"),
    Maker(("安踏（中国）有限公司",), "安踏", "安踏", ("A35948901", "A35948902"), "儿童羽绒服", "件"),
    Maker(("戴森贸易（上海）有限公司",), "戴森", "戴森", ("HD01", "HD03"), "电吹风", "台", True, "马来西亚"),
    Maker(("小米通讯技术有限公司",), "小米", "米家", ("PLM01ZM", "PLM02ZM"), "移动电源", "个"),
    Maker(("宁波华宇玩具有限公司",), "华宇玩具", "华宇", ("HY-2016", "HY-3021"), "电动玩具车", "只"),
)
TOYS = (CONSUMER[-1],)  # 《儿童玩具召回管理规定》: before 2016 the consumer rule was the toys' one
VEHICLE_DEFECTS = (
    ("安全气囊气体发生器在长期高温高湿环境下可能发生异常", "气囊展开时壳体可能破裂，碎片飞出伤及车内人员"),
    ("燃油泵叶轮可能变形", "导致燃油泵失效，车辆行驶中可能熄火"),
    ("后悬架控制臂焊接强度不足", "极端情况下控制臂可能断裂，影响车辆操控"),
    ("电子驻车制动控制软件存在缺陷", "车辆停放时驻车制动可能无法正常施加，增加溜车风险"),
    ("动力电池模组内部电芯可能存在异物", "极端情况下可能导致电芯内部短路，引发热失控"),
)
VEHICLE_FIXES = (  # by defect
    "更换改进后的气体发生器", "更换燃油泵", "检查并更换后悬架控制臂", "升级车辆控制软件", "更换动力电池模组")
CONSUMER_DEFECTS = (
    ("电源线与外壳连接处设计缺陷", "长期使用后电源线可能破损", "触电"),
    ("折叠锁止机构强度不足", "使用中车架可能意外折叠", "夹伤"),
    ("电池保护电路设计缺陷", "充电时可能过热", "起火"),
    ("拉链头与拉链连接不牢固", "拉链头可能脱落被儿童误吞", "窒息"),
)
CONSUMER_FIXES = ("更换电源线组件", "更换加强型锁止机构", "更换电池保护板", "更换加固后的拉链头")  # by defect
CONTACT = "用户可拨打客户服务热线咨询本次召回的相关信息，也可登录国家市场监督管理总局缺陷产品管理中心网站反映问题。"
REPORTERS = ("张井", "孙霞云", "何可", "冯铁飞", "方鹏")


def _regulator(day: date) -> str:
    return "国家质检总局" if day < date(2018, 4, 10) else "国家市场监督管理总局"


def _day(d: date, year: bool = True) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if year else f"{d.month}月{d.day}日"


class _Recall:
    """One recall being written: its text's parts and the record a correct reader makes of it."""

    def __init__(self, rng: random.Random, maker: Maker, published: date, start_year: bool = True) -> None:
        self.rng, self.maker, self.published = rng, maker, published
        self.models = list(rng.sample(maker.models, k=rng.randint(1, min(3, len(maker.models)))))
        self.clauses = self._clauses()
        self.total_written = len(self.clauses) == 1 or rng.random() < 0.6
        self.flags: list[str] = []
        if rng.random() < 0.2:
            self.start_text, self.start = "即日", published.isoformat()
            self.flags.append("recall_start_is_publication_day")
        else:
            start = published + timedelta(days=rng.randint(0, 20))
            self.start_text, self.start = _day(start, start_year), start.isoformat()
        self.end: str | None = None
        self.ids: list[str] = []
        self.issue = rng.randrange(len(VEHICLE_DEFECTS if maker.product == "汽车" else CONSUMER_DEFECTS))

    def _clauses(self) -> list[dict[str, Any]]:
        """Each production range, the models made in it and their count."""
        groups = [self.models] if len(self.models) == 1 or self.rng.random() < 0.4 else [[m] for m in self.models]
        out = []
        for models in groups:
            begin = self.published - timedelta(days=self.rng.randint(400, 1500))
            end = begin + timedelta(days=self.rng.randint(40, 300))
            form = self.rng.choice(["day", "day", "month", "same_year"])
            if form == "month":
                text, lo, hi = f"{begin.year}年{begin.month}月至{end.year}年{end.month}月", f"{begin:%Y-%m}", f"{end:%Y-%m}"
            elif form == "same_year" and begin.year == end.year:
                text, lo, hi = f"{_day(begin)}至{_day(end, False)}", begin.isoformat(), end.isoformat()
            else:
                text, lo, hi = f"{_day(begin)}至{_day(end)}", begin.isoformat(), end.isoformat()
            count = self.rng.choice([self.rng.randint(3, 999), self.rng.randint(1000, 99999), self.rng.randint(2, 60) * 1000])
            out.append({"models": models, "range": {"from": lo, "to": hi, "text": text}, "count": count,
                        "between": self.rng.choice(["期间", ""])})
        return out

    @property
    def total(self) -> int:
        return sum(c["count"] for c in self.clauses)

    def count(self, n: int) -> str:
        if n % 1000 == 0 and n >= 10000 and self.rng.random() < 0.5:
            return f"{n / 10000:g}万{self.maker.unit}"
        return f"{n:,}{self.maker.unit}" if n >= 1000 and self.rng.random() < 0.7 else f"{n}{self.maker.unit}"

    def object(self, models: list[str]) -> str:
        m = self.maker
        if m.product == "汽车":
            return f"部分{'进口' if m.imported else ''}{m.brand}{'、'.join(models)}汽车"
        return f"{'部分进口' if m.imported else ''}{m.brand}牌{m.product}（型号：{'、'.join(models)}）"

    def recall_clause(self, with_total: bool) -> str:
        """召回<range>生产的<object>，共计N辆 / ...；<range>...N辆，合计T辆."""
        if len(self.clauses) == 1:
            c = self.clauses[0]
            return f"召回{c['range']['text']}{c['between']}生产的{self.object(c['models'])}，共计{self.count(c['count'])}"
        parts = [f"{c['range']['text']}{c['between']}生产的{self.object(c['models'])}{self.count(c['count'])}"
                 for c in self.clauses]
        return "召回" + "；".join(parts) + (f"，合计{self.count(self.total)}" if with_total else "")

    def origin(self) -> str:
        return f"（原产国：{self.maker.origin}）" if self.maker.origin and self.rng.random() < 0.5 else ""

    def defect(self, lead: str) -> str:
        if self.maker.product == "汽车":
            cause, effect = VEHICLE_DEFECTS[self.issue]
            return f"{lead}{cause}，{effect}，存在安全隐患。"
        cause, effect, hazard = CONSUMER_DEFECTS[self.issue]
        return f"{lead}{cause}，{effect}，存在{hazard}风险。"

    def remedy(self) -> str:
        if self.maker.product == "汽车":
            return f"{self.maker.short}将为召回范围内的车辆免费{VEHICLE_FIXES[self.issue]}，以消除安全隐患。"
        return f"{self.maker.short}将为召回范围内的产品免费{CONSUMER_FIXES[self.issue]}，以消除安全隐患。"

    def earlier(self) -> str:
        """An earlier recall mentioned in passing: its dates are not this one's."""
        before = self.published - timedelta(days=self.rng.randint(500, 1500))
        return (f"此前，{self.maker.short}已于{_day(before)}起召回{before.year - 2}年生产的"
                f"{self.object(self.models[:1])}。")

    def record(self, raw: list[str], defect: str | None, remedy: str | None, regulations: list[str],
               quantity_written: bool) -> dict[str, Any]:
        m = self.maker
        several = len(self.clauses) > 1
        origin = m.origin if any(f"原产国：{m.origin}" in p for p in raw) else None
        return {
            "recallers": list(m.companies), "brands": [m.brand], "product": m.product,
            "models": [x for c in self.clauses for x in c["models"]],
            "production": [c["range"] for c in self.clauses],
            "quantity": self.total if quantity_written else None, "unit": m.unit,
            "quantities": [{"count": c["count"], "unit": m.unit, "models": c["models"]} for c in self.clauses]
            if several else [],
            "recall_start": self.start, "recall_end": self.end, "defect": defect, "remedy": remedy,
            "regulations": regulations, "imported": m.imported, "origin_country": origin,
            "recall_ids": self.ids, "flags": self.flags, "raw": raw,
        }


def _companies(maker: Maker) -> str:
    return "和".join(maker.companies)


def make_recall_story(rng: random.Random, published: date, tables: bool) -> tuple[Story, list[dict[str, Any]]]:
    """A recall article published on ``published`` (Beijing time) and the record of each recall it announces
    (without the article's own fields); ``tables``: the page can carry a table (not the old or generic layout)."""
    style = rng.choice([s for s in STYLES if tables or s != "table"])
    vehicle = style in ("regulator", "rewrite", "table") or (style != "consumer" and rng.random() < 0.6)
    makers = VEHICLES if vehicle else TOYS if published < date(2016, 1, 1) else CONSUMER
    maker = rng.choice(makers)
    regulator = _regulator(published)
    editor = rng.choice(["语安", "王宇", "李岩"])
    if style == "mention":
        return _mention(rng, maker, published, editor), []
    if style == "digest":
        return _digest(rng, published, editor)
    r = _Recall(rng, maker, published, start_year=style not in ("newspaper", "wire"))
    paragraphs: list[str] = []
    raw: list[str] = []
    regulations: list[str] = []
    title = f"{maker.short}召回部分{maker.brand}{maker.product}" if vehicle else f"{maker.short}召回部分{maker.brand}牌{maker.product}"
    byline, prefix, source, authors = "none", "", f"{regulator}网站", []
    quantity_written = r.total_written
    if style in ("regulator", "consumer", "table"):
        if vehicle:
            regulations = ["《缺陷汽车产品召回管理条例》", "《缺陷汽车产品召回管理条例实施办法》"]
        else:
            regulations = ["《儿童玩具召回管理规定》" if published < date(2016, 1, 1) else "《消费品召回管理暂行规定》"]
        rules = "和".join(regulations)
        if rng.random() < 0.3:
            r.end = (published + timedelta(days=rng.randint(90, 365))).isoformat()
        end = f"至{_day(date.fromisoformat(r.end))}止" if r.end else ""
        if style == "table":
            lead = (f"{_companies(maker)}根据{rules}的要求，向{regulator}备案了召回计划，自{r.start_text}起{end}，"
                    f"召回以下{'进口' if maker.imported else ''}{maker.product}" + (f"，共计{r.count(r.total)}。" if r.total_written else "。"))
        else:
            lead = (f"{_companies(maker)}根据{rules}的要求，向{regulator}备案了召回计划。自{r.start_text}起{end}，"
                    f"{r.recall_clause(r.total_written)}{r.origin()}。")
        if rng.random() < 0.4:
            r.ids = [f"S{published.year}{'M' if vehicle else 'C'}{rng.randint(1, 999):04d}{'I' if maker.imported else 'D'}"]
            lead += f"召回编号：{r.ids[0]}。"
        paragraphs.append(lead)
        raw.append(lead)
    elif style in ("newspaper", "wire"):
        lead = (f"日前，{_companies(maker)}向{regulator}备案了召回计划，决定自{r.start_text}起，"
                f"{r.recall_clause(r.total_written)}{r.origin()}。")
        if style == "wire":
            lead = f"据{regulator}网站消息，{lead.removeprefix('日前，')}"
            byline, prefix, source = "lead", "中国质量新闻网讯 ", "中国质量新闻网"
        else:
            byline, prefix, source = "lead", "本报讯", "中国质量新闻网-中国质量报"
        authors = [rng.choice(REPORTERS)]
        paragraphs.append(lead)
        raw.append(lead)
    else:  # rewrite: the count in the headline, a hook first, the total nowhere else
        quantity_written = rng.random() < 0.7
        headline = r.count(r.total) if quantity_written else f"超{r.total // 100 * 100 or r.total}{maker.unit}"
        title = f"涉及{headline}！{maker.short}召回部分{maker.brand}{maker.product}"
        if not quantity_written and len(r.clauses) == 1:
            quantity_written = True  # one count written in the body is the total
        paragraphs.append("近日，又有车企因安全隐患启动召回，涉及多款热销车型。")
        lead = f"记者从{regulator}获悉，{_companies(maker)}日前备案了召回计划，将自{r.start_text}起，{r.recall_clause(False)}。"
        paragraphs.append(lead)
        raw.append(lead)
        source, byline, authors = "中国质量新闻网", "trailing", [rng.choice(REPORTERS)]
    blocks = [Block("p", text=p) for p in paragraphs]
    if style == "table":
        header = ["品牌", "车型", "生产日期", f"召回数量（{maker.unit}）"]
        rows = [[maker.brand, "、".join(c["models"]), c["range"]["text"], f"{c['count']:,}"] for c in r.clauses]
        blocks.append(Block("table", rows=[header, *rows]))
        raw.extend("\t".join(row) for row in [header, *rows])
    if rng.random() < 0.3:
        blocks.append(Block("p", text=r.earlier()))
    defect = r.defect(rng.choice(["本次召回范围内部分车辆由于" if vehicle else "本次召回范围内的产品由于", "据了解，本次召回是由于"]))
    remedy = r.remedy()
    blocks += [Block("p", text=defect), Block("p", text=remedy), Block("p", text=CONTACT)]
    raw += [defect, remedy]
    record = r.record(raw, defect, remedy, regulations, quantity_written)
    story = Story(title=title, subtitle=None, source=source, authors=authors, editor=editor, keywords=[maker.brand, "召回"],
                  blocks=blocks, byline=byline, lead_prefix=prefix)
    return story, [record]


def _digest(rng: random.Random, published: date, editor: str) -> tuple[Story, list[dict[str, Any]]]:
    """A weekly digest: an intro, then each recall in a numbered paragraph of its own (years left out)."""
    makers = rng.sample([*VEHICLES, *(CONSUMER if published >= date(2016, 1, 1) else TOYS)], k=rng.randint(2, 4))
    week = published - timedelta(days=6)
    blocks = [Block("p", text=f"本周（{_day(week, False)}至{_day(published, False)}），{_regulator(published)}"
                              f"共发布{len(makers)}起召回信息，汇总如下。")]
    records = []
    chinese = rng.random() < 0.5  # items numbered 一、二、 or 1. 2.
    for n, maker in enumerate(makers, start=1):
        r = _Recall(rng, maker, published, start_year=False)
        head = f"{'一二三四五'[n - 1]}、" if chinese else f"{n}. "
        what = f"部分{maker.brand}{maker.product}" if maker.product == "汽车" else f"部分{maker.brand}牌{maker.product}"
        defect, remedy = r.defect("召回原因："), r.remedy()
        text = (f"{head}{_companies(maker)}召回{what}。{maker.short}自{r.start_text}起，{r.recall_clause(r.total_written)}。"
                f"{defect}{remedy}")
        blocks.append(Block("p", text=text))
        records.append(r.record([text], defect, remedy, [], r.total_written))
    title = f"召回周报：本周{len(makers)}起召回（{_day(week, False)}至{_day(published, False)}）"
    return Story(title=title, subtitle=None, source="中国质量新闻网", authors=[], editor=editor, keywords=["召回"],
                 blocks=blocks, byline="none"), records


def _mention(rng: random.Random, maker: Maker, published: date, editor: str) -> Story:
    """An article that talks about recalls and announces none."""
    year = published.year - 1
    texts = [
        f"{_regulator(published)}近日召开缺陷产品召回工作座谈会，总结{year}年召回工作。",
        f"据统计，{year}年全国共实施汽车召回{rng.randint(150, 260)}次，涉及车辆{rng.randint(300, 900)}.{rng.randint(1, 9)}万辆；"
        f"实施消费品召回{rng.randint(500, 900)}次，涉及产品{rng.randint(200, 900)}万件。",
        f"此前，{maker.short}曾于{year}年召回部分{maker.brand}{maker.product}，消费者反映的问题已得到解决。",
        "会议要求，各地要进一步强化企业召回主体责任，督促企业主动召回缺陷产品，切实保障消费者合法权益。",
    ]
    return Story(title=f"{year}年缺陷产品召回工作取得新进展", subtitle=None, source="中国质量新闻网",
                 authors=[rng.choice(REPORTERS)], editor=editor, keywords=["召回"],
                 blocks=[Block("p", text=t) for t in texts], byline="trailing")


def expected_recalls(site: Any, ref: Any) -> list[dict[str, Any]]:
    """Every recall record of the article (cqnnews/schema/recall.schema.json), as a correct reader makes them."""
    from tests.replica.truth import expected_fields

    recalls = site._story(ref).recalls
    if not recalls:
        return []
    fields = expected_fields(site, ref)
    return [{"article_id": ref.article_id, "url": fields["url"], "published_at": fields["published_at"], "recall": n,
             **record} for n, record in enumerate(recalls)]
