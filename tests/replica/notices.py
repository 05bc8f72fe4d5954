"""Spot-check tables of the replica's notices, in every variant SITE.md records, and what each says.

A notice lists failed batches in a Word paste (SITE.md, "Spot-check notices"): 9 to 14
columns in different orders under different header names, an optional caption row, one
maker failing several items on several rows (its cells merged down with ``rowspan``) or in
one cell, cell text split over ``<span>`` fragments (with Word's line breaks between them),
``/`` for none, several parties in one cell, two testing institutes in one cell, a 备注 in
which the named maker denies the product, and the medical-device tables of 国家药监局.
:class:`SpotTable` renders the HTML and knows the table a person reads and every batch.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from html import escape
from typing import Any

# column key -> the header names it is printed under (SITE.md's headers seen, and their synonyms)
HEADERS: dict[str, tuple[str, ...]] = {
    "seq": ("序号",),
    "manufacturer": ("标称生产企业名称", "生产企业", "标称生产者"),
    "manufacturer_address": ("标称生产企业地址", "生产企业地址", "标称生产者地址"),
    "sampled_unit": ("被抽样单位名称", "被抽样单位", "经营单位"),
    "sampled_unit_address": ("被抽样单位地址", "经营单位地址"),
    "product": ("样品名称", "食品名称", "产品名称"),
    "model": ("规格型号", "型号规格"),
    "trademark": ("商标",),
    "batch": ("生产日期/批号", "生产批号", "生产日期"),
    "item": ("不合格项目", "检验项目"),
    "result": ("检验结果", "实测值"),
    "standard": ("标准值", "标准要求", "标准规定"),
    "agency": ("检验机构",),
    "note": ("备注",),
}
# 国家药监局's medical-device notices
MEDICAL_HEADERS = {"seq": "序号", "product": "产品名称", "manufacturer": "标示生产单位", "sampled_unit": "被抽样单位",
                   "model": "型号规格", "batch": "生产批号", "item": "不符合标准规定项目", "agency": "检验机构",
                   "note": "备注"}
UNKNOWN_COLUMN = "任务来源"  # a column the vocabulary does not know: the record keeps it in ``extra``
BATCH_COLUMNS = ("seq", "manufacturer", "manufacturer_address", "sampled_unit", "sampled_unit_address", "product",
                 "model", "trademark", "batch", "agency", "note")
ITEM_COLUMNS = ("item", "result", "standard")
CITIES = ["山东省聊城市", "浙江省宁波市", "广东省佛山市", "江苏省苏州市", "四川省成都市", "河北省保定市"]
SHOPS = ["天猫", "京东", "拼多多"]
FAILURES = [("菌落总数", "3.7×104 CFU/g", "≤1×104 CFU/g"), ("大肠菌群", "4.6×102 CFU/g", "≤10 CFU/g"),
            ("呋喃唑酮代谢物", "3.2μg/kg", "不得检出"), ("恩诺沙星", "126μg/kg", "≤100μg/kg"),
            ("镉（以Cd计）", "0.35mg/kg", "≤0.2mg/kg"), ("导体电阻", "9.12Ω/km", "≤7.41Ω/km"),
            ("绝缘厚度", "0.52mm", "≥0.7mm"), ("标志和说明", "不合格", "/")]
DEVICE_FAILURES = ["无菌", "环氧乙烷残留量", "标签和使用说明书", "电磁兼容性"]
AGENCIES = ["成都市食品药品检验研究院", "中国测试技术研究院", "山东省产品质量检验研究院", "广州海关技术中心"]


@dataclass
class Batch:
    """One failed batch as a correct reader records it (None where the table prints ``/`` or nothing)."""

    product: str
    model: str | None = None
    trademark: str | None = None
    batch: str | None = None
    manufacturer: str | None = None
    manufacturer_address: str | None = None
    sampled_unit: str | None = None
    sampled_unit_address: str | None = None
    failed_items: list[dict[str, str | None]] = field(default_factory=list)  # {item, result, standard}
    agencies: list[dict[str, str | None]] = field(default_factory=list)  # {role, name}
    parties: list[dict[str, str]] = field(default_factory=list)  # {role, name}: several in the maker's cell
    origin_country: str | None = None
    note: str | None = None
    maker_denies: bool = False
    extra: dict[str, str] = field(default_factory=dict)
    cells: dict[str, str] = field(default_factory=dict)  # key -> the text printed in its batch-level cell


@dataclass
class SpotTable:
    caption: str | None
    columns: list[str]  # column keys, in order
    headers: list[str]  # the names printed over them
    batches: list[Batch]
    items_in_rows: bool  # several failed items on several rows (merged cells) or in one cell
    fragmented: bool  # cell text split over <span>s, with Word's line breaks between some
    seed: int = 0  # of the fragments' cuts: the same HTML every time the page is served

    def rows(self) -> list[list[str]]:
        """The table's rows as a person reads them on screen: merged cells repeated."""
        out = []
        for batch in self.batches:
            items = batch.failed_items if self.items_in_rows else [_joined(batch.failed_items)]
            for item in items:
                out.append([item.get(key) or "/" if key in ITEM_COLUMNS else batch.cells.get(key, "")
                            for key in self.columns])
        return out

    def table(self) -> dict[str, Any]:
        """The table a person reads (cqnnews's ``tables``): caption, header, rows with merged cells repeated."""
        return {"caption": self.caption, "header": list(self.headers), "rows": self.rows()}

    def lines(self) -> list[str]:
        """The table in the body's text: its caption, its header and rows as tab-separated cells."""
        return [*([self.caption] if self.caption else []), "\t".join(self.headers),
                *("\t".join(row) for row in self.rows())]

    def html(self) -> str:
        rng = random.Random(self.seed)
        width = len(self.columns)
        out = ['<table class="MsoNormalTable" border="1" cellspacing="0" cellpadding="0" '
               'style="border-collapse:collapse;border:none"><tbody>']
        if self.caption:
            out.append(f'<tr><td colspan="{width}" valign="top">{self._cell(self.caption, rng)}</td></tr>')
        out.append("<tr>" + "".join(f'<td valign="top">{self._cell(h, rng)}</td>' for h in self.headers) + "</tr>")
        for batch in self.batches:
            items = batch.failed_items if self.items_in_rows else [_joined(batch.failed_items)]
            for n, item in enumerate(items):
                cells = []
                for key in self.columns:
                    if key in ITEM_COLUMNS:
                        cells.append(f'<td valign="top">{self._cell(item.get(key) or "/", rng)}</td>')
                    elif n == 0:
                        span = f' rowspan="{len(items)}"' if len(items) > 1 else ""
                        cells.append(f'<td{span} valign="top">{self._cell(batch.cells.get(key, ""), rng)}</td>')
                out.append("<tr>" + "".join(cells) + "</tr>")
        out.append("</tbody></table>")
        return "".join(out)

    def _layout(self) -> tuple[list[tuple[int, int, int, int, str]], int]:
        """The table as spreadsheet cells: (first row, last row, first column, last column, text), rows from 0,
        merged where the HTML merges them; and the number of rows."""
        out: list[tuple[int, int, int, int, str]] = []
        r = 0
        if self.caption:
            out.append((0, 0, 0, len(self.columns) - 1, self.caption))
            r = 1
        out += [(r, r, c, c, h) for c, h in enumerate(self.headers)]
        r += 1
        for batch in self.batches:
            items = batch.failed_items if self.items_in_rows else [_joined(batch.failed_items)]
            for c, key in enumerate(self.columns):
                if key in ITEM_COLUMNS:
                    out += [(r + n, r + n, c, c, item.get(key) or "/") for n, item in enumerate(items)]
                else:
                    out.append((r, r + len(items) - 1, c, c, batch.cells.get(key, "")))
            r += len(items)
        return out, r

    def xlsx(self) -> bytes:
        """The table as an .xlsx file, merged cells merged (as a notice's 附件 would hold it)."""
        import io

        import openpyxl

        workbook = openpyxl.Workbook()
        sheet = workbook.active
        for r0, r1, c0, c1, text in self._layout()[0]:
            sheet.cell(r0 + 1, c0 + 1, int(text) if text.isdigit() and len(text) < 6 else text)
            if r1 > r0 or c1 > c0:
                sheet.merge_cells(start_row=r0 + 1, start_column=c0 + 1, end_row=r1 + 1, end_column=c1 + 1)
        out = io.BytesIO()
        workbook.save(out)
        return _same_bytes_every_time(out.getvalue())

    def xls(self) -> bytes:
        """The table as an .xls file (Excel 97-2003), merged cells merged."""
        import io

        import xlwt

        workbook = xlwt.Workbook(encoding="utf-8")
        sheet = workbook.add_sheet("Sheet1")
        for r0, r1, c0, c1, text in self._layout()[0]:
            value: object = float(text) if text.isdigit() and len(text) < 6 else text
            if r1 > r0 or c1 > c0:
                sheet.write_merge(r0, r1, c0, c1, value)
            else:
                sheet.write(r0, c0, value)
        out = io.BytesIO()
        workbook.save(out)
        return out.getvalue()

    def _cell(self, text: str, rng: random.Random) -> str:
        if not text:
            return '<p class="MsoNormal" align="center"><span>&nbsp;</span></p>'
        if not self.fragmented or len(text) < 4 or not all("\u4e00" <= c <= "\u9fff" for c in text[:4]):
            return f'<p class="MsoNormal" align="center"><span>{escape(text)}</span></p>'
        cut = rng.randint(1, min(len(text) - 1, 6))
        seam = "\r\n" if rng.random() < 0.5 else ""
        return (f'<p class="MsoNormal" align="center"><span lang="EN-US">{escape(text[:cut])}{seam}</span>'
                f'<span style="font-family:宋体">{escape(text[cut:])}</span></p>')


def _same_bytes_every_time(xlsx: bytes) -> bytes:
    """The .xlsx with its save time and its zip entries' times fixed: a file served twice has one checksum."""
    import io
    import re
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as packed:
        for entry in source.infolist():
            data = source.read(entry.filename)
            if entry.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>2024-01-01T00:00:00Z", data)
            packed.writestr(zipfile.ZipInfo(entry.filename, date_time=(2024, 1, 1, 0, 0, 0)), data,
                            compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _joined(items: list[dict[str, str | None]]) -> dict[str, str | None]:
    """Several failed items written in one cell each: 菌落总数、大肠菌群 over 3.7×104、4.6×102."""
    return {key: "、".join(i.get(key) or "/" for i in items) for key in ITEM_COLUMNS}


def _company(rng: random.Random) -> str:
    return f"{rng.choice(CITIES)[3:]}{rng.choice(['奥祥', '恒泰', '鑫源', '德福', '华美'])}" \
           f"{rng.choice(['禽业', '食品', '电缆', '实业', '医疗器械'])}有限公司"


def _address(rng: random.Random) -> str:
    return f"{rng.choice(CITIES)}{rng.choice(['经济开发区', '高新区', '工业园'])}{rng.randint(1, 300)}号"


MORE_PARTIES_SHARE = 0.2  # batches whose cells name parties in the forms below (from a stream of their own)


def _more_parties(rng: random.Random, b: Batch, maker: str) -> None:
    """The maker's cell naming its parties in one of the forms a reader loses a name in: the brand owner before
    the maker (出品商：A；生产商：B), a maker with its brand owner (生产者：B；委托商：A), a role no reader knows
    (监制：A；生产商：B); the importer's country kept."""
    other = _company(rng).replace("有限公司", "品牌管理有限公司")
    form = rng.choice(["brand_first", "maker_first", "unknown_role"])
    if form == "brand_first":
        b.parties = [{"role": "出品商", "name": other}, {"role": "生产商", "name": maker}]
    elif form == "maker_first":
        b.parties = [{"role": "生产者", "name": maker}, {"role": "委托商", "name": other}]
    else:
        b.parties = [{"role": "监制", "name": other}, {"role": "生产商", "name": maker}]
    b.manufacturer, b.origin_country = maker, None
    b.cells["manufacturer"] = "；".join(f"{p['role']}：{p['name']}" for p in b.parties)


def make_table(rng: random.Random, product: str, medical: bool) -> SpotTable:
    """A spot-check table of 1 to 4 failed batches, its variant drawn from ``rng``."""
    if medical:
        columns = list(MEDICAL_HEADERS)
        headers = [MEDICAL_HEADERS[k] for k in columns]
    else:
        optional = [k for k in HEADERS if k not in ("seq", "product", "manufacturer", "item")]
        chosen = set(rng.sample(optional, k=rng.randint(5, len(optional))))  # 9 to 14 columns
        order = [k for k in ("seq", "manufacturer", "manufacturer_address", "sampled_unit", "sampled_unit_address",
                             "product", "model", "trademark", "batch", "item", "result", "standard", "agency",
                             "note") if k in chosen or k in ("seq", "product", "manufacturer", "item")]
        if rng.random() < 0.5:  # product first, then the parties: another order seen
            order = ["seq", *(k for k in order if k in ("product", "model", "trademark", "batch")),
                     *(k for k in order if k not in ("seq", "product", "model", "trademark", "batch"))]
        columns = order
        headers = [rng.choice(HEADERS[k]) for k in columns]
        if rng.random() < 0.3 and len(columns) < 14:
            columns.insert(len(columns) - 1 if columns[-1] == "note" else len(columns), "unknown")
            headers.insert(columns.index("unknown"), UNKNOWN_COLUMN)
    batches = [_batch(rng, product, columns, medical, n) for n in range(1, rng.randint(1, 4) + 1)]
    caption = rng.choice([None, f"{product}监督抽查不合格产品信息", "医疗器械质量监督抽检不符合标准规定产品名单"
                          if medical else f"附件1 {product}抽查不合格产品及企业名单"])
    return SpotTable(caption, columns, headers, batches, items_in_rows=rng.random() < 0.6,
                     fragmented=rng.random() < 0.5, seed=rng.getrandbits(32))


def _batch(rng: random.Random, product: str, columns: list[str], medical: bool, seq: int) -> Batch:
    b = Batch(product=product)
    b.cells["seq"] = str(seq)
    b.cells["product"] = product
    if "model" in columns:
        b.model = rng.choice(["500g/袋", "BV-450/750V 2.5平方毫米", "20ml", None])
        b.cells["model"] = b.model or "/"
    if "trademark" in columns:
        b.trademark = rng.choice(["奥祥", "鑫源", None])
        b.cells["trademark"] = b.trademark or "/"
    if "batch" in columns:
        b.batch = rng.choice(["2024-03-12", "20240312", "批号：240312A", None])
        b.cells["batch"] = b.batch or "/"
    maker = _company(rng)
    form = rng.choice(["plain", "plain", "entrusted", "importer", "distributor"])
    if form == "plain":
        b.manufacturer = maker
        cell = maker
    elif form == "entrusted":
        brand = _company(rng)
        b.parties = [{"role": "委托方", "name": brand}, {"role": "受委托方", "name": maker}]
        b.manufacturer = maker
        cell = f"委托方：{brand}；受委托方：{maker}"
    elif form == "importer":
        importer = _company(rng).replace("有限公司", "进出口贸易有限公司")
        b.parties = [{"role": "进口商", "name": importer}]
        b.manufacturer, b.origin_country = importer, rng.choice(["意大利", "德国", "日本"])
        cell = f"进口商：{importer}（原产国：{b.origin_country}）"
    else:
        dealer = _company(rng).replace("有限公司", "商贸有限公司")
        b.parties = [{"role": "生产商", "name": maker}, {"role": "经销商", "name": dealer}]
        b.manufacturer = maker
        cell = f"生产商：{maker}；经销商：{dealer}"
    b.cells["manufacturer"] = cell
    more = random.Random(f"cells:{maker}:{seq}")  # its own stream: the draws above, and every other cell, unchanged
    if more.random() < MORE_PARTIES_SHARE:
        _more_parties(more, b, maker)
    if "manufacturer_address" in columns:
        b.manufacturer_address = _address(rng)
        b.cells["manufacturer_address"] = b.manufacturer_address
    if "sampled_unit" in columns:
        online = rng.random() < 0.25
        b.sampled_unit = f"{rng.choice(SHOPS)}{rng.choice(['旗舰店', '专营店'])}" if online else _company(rng)
        b.cells["sampled_unit"] = b.sampled_unit
        if online and more.random() < MORE_PARTIES_SHARE:  # the shop and the company behind it, by role
            operator = _company(random.Random(f"operator:{b.sampled_unit}:{seq}")).replace("有限公司", "电子商务有限公司")
            b.parties = [*b.parties, {"role": "网店", "name": b.sampled_unit}, {"role": "经营者", "name": operator}]
            b.cells["sampled_unit"] = f"网店：{b.sampled_unit}；经营者：{operator}"
        if "sampled_unit_address" in columns:
            b.sampled_unit_address = (f"https://item.example.com/{rng.randint(10**8, 10**9)}.htm" if online
                                      else _address(rng))
            b.cells["sampled_unit_address"] = b.sampled_unit_address
    elif "sampled_unit_address" in columns:
        b.sampled_unit_address = _address(rng)
        b.cells["sampled_unit_address"] = b.sampled_unit_address
    if medical:
        items = rng.sample(DEVICE_FAILURES, k=rng.randint(1, 2))
        b.failed_items = [{"item": i, "result": None, "standard": None} for i in items]
    else:
        picked = rng.sample(FAILURES, k=rng.randint(1, 3))
        b.failed_items = [{"item": i, "result": r if "result" in columns else None,
                           "standard": None if s == "/" or "standard" not in columns else s} for i, r, s in picked]
    if "agency" in columns:
        first, second = rng.sample(AGENCIES, k=2)
        if rng.random() < 0.3:
            b.agencies = [{"role": "初检机构", "name": first}, {"role": "复检机构", "name": second}]
            b.cells["agency"] = f"初检机构：{first}；复检机构：{second}"
        else:
            b.agencies = [{"role": None, "name": first}]
            b.cells["agency"] = first
        if more.random() < MORE_PARTIES_SHARE:  # a role misspelt in the source, or one no reader knows
            role = more.choice(["初检结构", "抽样检验机构", "检验单位"])
            b.agencies = [{"role": role, "name": first}, {"role": "复检机构", "name": second}]
            b.cells["agency"] = f"{role}：{first}；复检机构：{second}"
    if "note" in columns:
        roll = rng.random()
        if roll < 0.3 and b.manufacturer:
            b.note = f"经{rng.choice(CITIES)[:3]}市场监管局核实，该产品并非来自{b.manufacturer}。"
            b.maker_denies = True
        elif roll < 0.45 and b.manufacturer:
            b.note = f"标称生产企业称与{b.manufacturer}无任何关系。"
            b.maker_denies = True
        elif roll < 0.6:
            b.note = "复检维持初检结论"
        b.cells["note"] = b.note or ""
    if "unknown" in columns:
        b.extra = {UNKNOWN_COLUMN: rng.choice(["国家市场监督管理总局", "省级专项抽查"])}
        b.cells["unknown"] = b.extra[UNKNOWN_COLUMN]
    return b
