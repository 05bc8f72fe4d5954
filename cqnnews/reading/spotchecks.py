"""Spot-check records: one per failed batch, from every table whose header speaks the spot-check vocabulary.

Columns are mapped by their header text, never by position (SITE.md: 9 to 14 columns in
different orders and names).  A batch is the run of rows that repeat its batch-level cells
(the merged cells of one maker failing several items, expanded by the table reader); its
failed items are its rows, or one cell listing several (``菌落总数、大肠菌群`` over
``3.7×104、4.6×102``).  Several parties in one cell (``委托方：…；受委托方：…``,
``出品商：…；生产商：…``, ``进口商：…（原产国：…）``) and two institutes
(``初检机构：…；复检机构：…``) are split, each name with its role as written (an unknown or
misspelt role too): no name of a cell is lost.  ``/`` and empty cells are null.
Columns the vocabulary does not know are kept in ``extra``; every cell of the batch's first
row in ``raw``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from cqnnews.text import compact

SCHEMA_VERSION = "1.0.0"

# field -> words of its header, tried in this order (the first field whose words a header holds wins):
# addresses before names, the standard before the result (检验结果/标准值 is a standard), the batch
# before the maker (生产日期 is not a maker)
VOCABULARY: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("seq", ("序号",)),
    ("manufacturer_address", ("生产企业地址", "生产单位地址", "生产者地址", "生产商地址", "企业地址", "生产地址")),
    ("sampled_unit_address", ("抽样单位地址", "经营单位地址", "销售单位地址", "抽查单位地址", "单位地址")),
    ("batch", ("生产日期", "批号", "批次", "生产批")),
    ("manufacturer", ("生产企业", "生产单位", "生产者", "生产商", "制造商", "标称企业", "委托方")),
    ("sampled_unit", ("被抽样单位", "被抽查单位", "经营单位", "销售单位", "被检单位", "受检单位")),
    ("product", ("样品名称", "食品名称", "产品名称", "商品名称", "器械名称")),
    ("model", ("规格型号", "型号规格", "规格", "型号")),
    ("trademark", ("商标", "品牌")),
    ("item", ("不合格项目", "不符合标准规定项目", "检验项目", "检测项目", "抽检项目", "不合格指标")),
    ("standard", ("标准值", "标准要求", "标准规定", "标准指标", "标准限值")),
    ("result", ("检验结果", "实测值", "检测结果", "检验值")),
    ("agency", ("检验机构", "检测机构", "承检机构", "检验单位")),
    ("note", ("备注",)),
)
BATCH_FIELDS = ("product", "model", "trademark", "batch", "manufacturer", "manufacturer_address", "sampled_unit",
                "sampled_unit_address", "agency", "note")
_NONE = frozenset({"", "/", "／", "-", "—", "无", "\\"})
_SEPARATORS = re.compile(r"\s*[、；;]\s*")
# one named party of a cell: ``role：name`` (the role as written, a misspelling too) or a bare name; segments are
# split at ；/; and at a comma or space before the next ``role：``
_SEGMENTS = re.compile(r"\s*[；;]\s*|[，,\s]+(?=[\u4e00-\u9fff]{2,6}\s*[:：])")
_ROLE = re.compile(r"^(?P<role>[\u4e00-\u9fff]{2,6})\s*[:：]\s*(?P<name>.+)$")
_ORIGIN = re.compile(r"[（(]\s*原产(?:国|地)\s*[:：]\s*(?P<country>[^）)]+?)\s*[）)]")
# the roles read as the party that made (or brought in) the product, in this order: the cell's ``manufacturer``
MAKERS = ("受委托方", "受托方", "生产商", "生产者", "生产企业", "制造商", "被委托方", "进口商")
# roles this reader knows (the others are kept as written all the same)
ROLES = frozenset({*MAKERS, "委托方", "委托商", "出品商", "出品方", "经销商", "销售商", "代理商", "总经销", "总经销商",
                   "分装商", "初检机构", "复检机构", "检验机构", "承检机构", "检测机构"})
_DENIES = re.compile(r"并非(?:来自|由|该|其)|无任何关系|不是(?:该|其)?(?:企业|公司)?生产|否认|系假冒|冒用")
_ISSUER = re.compile(r"^\s*(?P<issuer>[^：:，,。\s]{2,24})\s*[：:]")


def column_fields(header: list[str]) -> dict[int, str]:
    """Column index -> field, for the columns the vocabulary knows (each field once, the first column wins)."""
    found: dict[int, str] = {}
    taken: set[str] = set()
    for i, name in enumerate(header):
        words = compact(name)
        for field, synonyms in VOCABULARY:
            if field not in taken and any(s in words for s in synonyms):
                found[i] = field
                taken.add(field)
                break
    return found


def is_spot_check(header: list[str]) -> bool:
    """A table of failed batches: it names the product, a party (maker or sampled unit) and the failed item."""
    fields = set(column_fields(header).values())
    return {"product", "item"} <= fields and bool(fields & {"manufacturer", "sampled_unit"})


def _value(text: str | None) -> str | None:
    text = (text or "").strip()
    return None if text in _NONE else text


def named(cell: str | None) -> list[dict[str, str | None]]:
    """Every name of a cell, each with its role as written before it (``初检结构：X`` keeps 初检结构), or null for a
    bare name; ``（原产国：…）`` is not a name.  ``/`` and an empty cell name none."""
    value = _value(cell)
    if value is None:
        return []
    out: list[dict[str, str | None]] = []
    for segment in _SEGMENTS.split(_ORIGIN.sub("", value)):
        segment = segment.strip()
        if not segment or segment in _NONE:
            continue
        m = _ROLE.match(segment)
        role, name = (m["role"], m["name"].strip()) if m else (None, segment)
        if name and name not in _NONE:
            out.append({"role": role, "name": name})
    return out


def parties(cell: str | None) -> tuple[str | None, list[dict[str, str | None]], str | None]:
    """(maker, every party with its role, country of origin) of a maker's cell.

    A plain name is the maker and lists no party.  Of several (``出品商：A；生产商：B``,
    ``委托方：A；受委托方：B``), each is a party and the maker is the one that made or imported the product
    (the first of :data:`MAKERS` named), else the first named: ``manufacturer`` keeps its meaning, the company
    that made it; the brand owner (出品商, 委托方) and the sellers are in ``parties``, never lost."""
    value = _value(cell)
    if value is None:
        return None, [], None
    origin = m["country"] if (m := _ORIGIN.search(value)) else None
    found = named(value)
    if not found:
        return None, [], origin
    if len(found) == 1 and found[0]["role"] is None:
        return found[0]["name"], [], origin
    maker = next((p["name"] for role in MAKERS for p in found if p["role"] == role), found[0]["name"])
    return maker, found, origin


def sampled_units(cell: str | None) -> tuple[str | None, list[dict[str, str | None]]]:
    """(the sampled unit, its parties) of a sampled unit's cell: a plain name is the unit and lists no party;
    of several (``经销商：A；网店：B``) the first is the unit and each is a party."""
    found = named(cell)
    if len(found) == 1 and found[0]["role"] is None:
        return found[0]["name"], []
    return (found[0]["name"] if found else None), found


def agencies(cell: str | None) -> list[dict[str, str | None]]:
    """Every testing institute of an agency cell with its role as written (初检机构, 复检机构, a misspelt
    初检结构 too), or null for a bare name."""
    return named(cell)


def _split(cell: str | None, n: int) -> list[str | None] | None:
    """A cell of the item's columns split into ``n`` values (None for a column the table lacks)."""
    if cell is None:
        return [None] * n
    parts = _SEPARATORS.split(cell)
    return list(parts) if len(parts) == n else None


def _items(cells: Mapping[str, str]) -> list[dict[str, str | None]]:
    """The failed items of one row: one, or several listed in one cell (results and standards listed alike)."""
    item, result, standard = (cells.get(k) for k in ("item", "result", "standard"))
    if _value(item) is None:
        return []
    names = [n for n in _SEPARATORS.split(item or "") if n]
    if len(names) > 1 and (results := _split(result, len(names))) is not None \
            and (standards := _split(standard, len(names))) is not None:
        return [{"item": _value(n), "result": _value(r), "standard": _value(s)}
                for n, r, s in zip(names, results, standards)]
    return [{"item": _value(item), "result": _value(result), "standard": _value(standard)}]


def table_records(header: list[str], rows: list[list[str]]) -> list[dict[str, Any]]:
    """The records of one table (without the article's fields): one per failed batch."""
    mapping = column_fields(header)
    records: list[dict[str, Any]] = []
    key_columns = [i for i, f in mapping.items() if f in ("seq", *BATCH_FIELDS)]
    previous: tuple[str, ...] | None = None
    for r, row in enumerate(rows):
        cells = {field: row[i] for i, field in mapping.items() if i < len(row)}
        key = tuple(row[i] if i < len(row) else "" for i in key_columns)
        if records and key == previous:  # the same batch, its next failed item
            records[-1]["failed_items"].extend(_items(cells))
            continue
        previous = key
        maker, makers, origin = parties(cells.get("manufacturer"))
        sampled, sellers = sampled_units(cells.get("sampled_unit"))
        note = _value(cells.get("note"))
        records.append({
            "row": r,
            "product": _value(cells.get("product")),
            "model": _value(cells.get("model")),
            "trademark": _value(cells.get("trademark")),
            "batch": _value(cells.get("batch")),
            "manufacturer": maker,
            "manufacturer_address": _value(cells.get("manufacturer_address")),
            "sampled_unit": sampled,
            "sampled_unit_address": _value(cells.get("sampled_unit_address")),
            "parties": makers + sellers,
            "origin_country": origin,
            "failed_items": _items(cells),
            "agencies": agencies(cells.get("agency")),
            "note": note,
            "maker_denies": bool(note and _DENIES.search(note)),
            "extra": {header[i]: _value(row[i]) for i in range(min(len(header), len(row))) if i not in mapping},
            "raw": {header[i]: row[i] for i in range(min(len(header), len(row)))},
        })
    return records


def scope(breadcrumb: Iterable[str]) -> str | None:
    crumbs = list(breadcrumb)
    return "national" if "国家抽查" in crumbs else "local" if "地方抽查" in crumbs else None


def issuer(title: str, source: str) -> str:
    """The title's ``发布机构：`` prefix (``市场监管总局：8批次食品不合格…``), else the source."""
    m = _ISSUER.match(title)
    return m["issuer"] if m else source


def _batch_key(record: Mapping[str, Any]) -> tuple[Any, ...]:
    return tuple(record[k] for k in ("product", "model", "batch", "manufacturer", "sampled_unit"))


def records(article: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every spot-check record of an article (its feed record: ``tables``, ``title``, ``breadcrumb``...): those
    of its page's tables, then those of each spreadsheet attachment's (``source`` says which; ``table`` counts
    the tables of the page, or of the one file).

    One record per failed batch: a notice that prints its table and attaches it too gives each batch once,
    from the page; an attachment's batch is added only if no page record names the same product, model,
    batch, maker and sampled unit (and a file attached twice is read once)."""
    common = {"article_id": article["article_id"], "url": article["url"], "published_at": article["published_at"],
              "issuer": issuer(article["title"], article["source"]), "scope": scope(article["breadcrumb"])}
    out = [{**common, "source": "page", "file_checksum": None, "table": t, **record}
           for t, table in enumerate(article.get("tables") or []) if is_spot_check(table["header"])
           for record in table_records(table["header"], table["rows"])]
    on_page = {_batch_key(r) for r in out}
    read: set[str] = set()
    for attachment in article.get("attachments") or []:
        if not attachment.get("tables") or attachment["checksum"] in read:
            continue
        read.add(attachment["checksum"])
        out.extend({**common, "source": "attachment", "file_checksum": attachment["checksum"], "table": t, **record}
                   for t, table in enumerate(attachment["tables"]) if is_spot_check(table["header"])
                   for record in table_records(table["header"], table["rows"])
                   if _batch_key(record) not in on_page)
    return out
