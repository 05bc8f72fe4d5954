"""Recall records: one per recall an article announces, from its text and its tables.

A recall is announced by a sentence that recalls something (召回) made in a production range or from a
start day (自…起): the regulator's wording ("XX有限公司根据《缺陷汽车产品召回管理条例》…备案了召回计划，
自2019年5月31日起，召回2016年4月11日至2017年3月5日期间生产的部分进口XX汽车，共计12,345辆"), the
consumer-product form (《消费品召回管理暂行规定》), a newspaper's report, a rewrite (the total in its
headline), a notice whose models, ranges and counts sit in a table.  A digest of several recalls, each in
a numbered paragraph (一、 / 1.), gives one record per paragraph; any other article gives one record for
all it announces (several companies, models and ranges in its lists).  Sentences about an earlier recall
(此前…已于…召回, 曾于…) are not read: their dates are not this recall's; an article that only mentions
recalls (statistics, meetings) announces none.

``quantity`` is the total as written: the one count, or the count after 共计/合计/总计 (or in the headline)
when there are several; null when only the parts' counts are written (each is in ``quantities`` with its
models).  ``recall_start`` is ``自…起``'s day; ``自即日起`` is the day of publication, flagged
``recall_start_is_publication_day``.  ``raw`` holds the lines read, in the article's order.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from cqnnews.reading import recall_text as rt

SCHEMA_VERSION = "1.0.0"
_SENTENCE = re.compile(r"(?<=[。！？!?])")
_PASSING = re.compile(r"此前|曾于|曾经|曾在|上一次|上次|前次|已于\s*\d{4}年")
_NUMBERED = re.compile(r"^\s*(?:[一二三四五六七八九十]{1,3}、|\d{1,2}\s*[.．、]\s*|[（(]\d{1,2}[)）])")
_DEFECT = re.compile(r"由于|原因[:：]|原因是|存在.{0,20}(?:隐患|风险)|缺陷情况")
_REMEDY = re.compile(r"免费|退货|退款|更换|维修|升级|召回措施|补救措施")
_CONSUMER = re.compile(r"^(?:部分|全部)?(?:进口|国产)?(?P<brand>[^，。；、（()\s]{1,12}?)牌(?P<product>[^，。；（()\d\s]{1,16})")
_MODELS = re.compile(r"型号\s*(?:为|是|[:：])?\s*(?P<models>[^）)，。；;]+)")
_VEHICLE = re.compile(rf"(?P<body>[^，。；（()]+?)(?P<noun>{'|'.join(rt.VEHICLE_NOUNS)})")
_TABLE_COLUMNS = (("brand", ("品牌", "商标")), ("models", ("车型", "型号", "产品名称")),
                  ("range", ("生产日期", "生产时间", "生产期间", "生产起止", "制造日期")), ("count", ("数量",)))


def _sentences(paragraph: str) -> list[str]:
    return [s for s in _SENTENCE.split(paragraph) if s.strip()]


def _announces(sentence: str) -> bool:
    """A sentence that recalls something made in a range or from a start day, and is not about an earlier one."""
    return ("召回" in sentence and not _PASSING.search(sentence)
            and bool(rt.START.search(sentence) or rt.RANGE.search(sentence) or rt.ONE.search(sentence)))


def _units(lines: list[str]) -> list[list[int]]:
    """The lines of each recall: one unit per numbered paragraph of a digest announcing two or more, else one."""
    numbered = [i for i, line in enumerate(lines) if _NUMBERED.match(line)]
    announcing = [i for i in numbered if any(_announces(s) for s in _sentences(lines[i]))]
    if len(announcing) < 2:
        return [list(range(len(lines)))]
    bounds = [*numbered, len(lines)]
    return [list(range(start, bounds[bounds.index(start) + 1])) for start in announcing]


def _table(tables: list[Mapping[str, Any]]) -> tuple[Mapping[str, Any], dict[str, int], str | None] | None:
    """The first table listing what is recalled (a model column and a count column), its columns, its unit."""
    for table in tables:
        header = [re.sub(r"\s+", "", h) for h in table.get("header") or []]
        columns = {}
        for field, words in _TABLE_COLUMNS:
            found = next((i for i, h in enumerate(header) if any(w in h for w in words) and i not in columns.values()), None)
            if found is not None:
                columns[field] = found
        if "models" in columns and "count" in columns:
            unit = re.search(rf"(?:{rt.UNITS})", header[columns["count"]])
            return table, columns, unit.group() if unit else None
    return None


class _Reader:
    """One recall's fields, read from its lines (sentences in order)."""

    def __init__(self, lines: list[str], published: date | None) -> None:
        self.lines, self.published = lines, published
        self.read: set[int] = set()
        self.record: dict[str, Any] = {
            "recallers": [], "brands": [], "product": None, "models": [], "production": [], "quantity": None,
            "unit": None, "quantities": [], "recall_start": None, "recall_end": None, "defect": None, "remedy": None,
            "regulations": [], "imported": False, "origin_country": None, "recall_ids": [], "flags": []}
        self.counts: list[tuple[int, str, bool, list[str]]] = []  # value, unit, after a total word, its models

    def add(self, key: str, values: list[str]) -> None:
        self.record[key] += [v for v in values if v and v not in self.record[key]]

    def sentences(self, indexes: list[int]) -> list[tuple[int, str]]:
        return [(i, s) for i in indexes for s in _sentences(self.lines[i]) if not _PASSING.search(s)]

    def clause(self, part: str, around: date) -> None:
        """One part of an announcing sentence: its ranges, what it recalls, its counts."""
        taken = []
        for m in rt.RANGE.finditer(part):
            span = rt.production_range(m["a"], m["b"], around)
            if span is not None:
                self.record["production"].append({**span, "text": part[m.start("a"):m.end("b")]})
                taken.append(m.span())
        for m in rt.ONE.finditer(part):
            if not any(a <= m.start() < b for a, b in taken) and (y := rt.date_parts(m["a"]))[0] is not None:
                value = rt.iso(y[0], y[1], y[2])  # type: ignore[arg-type]
                self.record["production"].append({"from": value, "to": value, "text": m["a"]})
        after = part[part.rfind("生产的") + 3:] if "生产的" in part else part[part.rfind("召回") + 2:]
        models: list[str] = []
        self.record["imported"] = self.record["imported"] or bool(re.match(r"(?:以下|部分|全部)?进口", after))
        if m := _CONSUMER.search(after):
            self.add("brands", [m["brand"]])
            self.record["product"] = self.record["product"] or m["product"]
            if mm := _MODELS.search(after):
                models = [x.strip() for x in re.split(r"[、/]|及|和", mm["models"]) if x.strip()]
        elif m := _VEHICLE.search(after):
            body = re.sub(r"^以下", "", m["body"])
            self.record["product"] = self.record["product"] or m["noun"]
            if body:
                brand, models = rt.brand_and_models(body)
                self.add("brands", [brand] if brand else [])
        self.add("models", models)
        for value, unit, total, _ in rt.counts(part):
            self.counts.append((value, unit, total, models))

    def table(self, table: Mapping[str, Any], columns: dict[str, int], unit: str | None, around: date) -> None:
        for row in table.get("rows") or []:
            cell = {k: (row[i].strip() if i < len(row) else "") for k, i in columns.items()}
            if not cell["models"] or cell["models"] in ("合计", "总计") or not re.search(r"\d", cell["count"]):
                continue
            models = [x.strip() for x in re.split(r"[、/]", cell["models"]) if x.strip()]
            self.add("brands", [cell.get("brand", "")])
            self.add("models", models)
            if m := re.search(rf"(?P<a>{rt.DATE})\s*(?:至|到|—|－|-|~|～)\s*(?P<b>{rt.DATE})", cell.get("range", "")):
                span = rt.production_range(m["a"], m["b"], around)
                if span is not None:
                    self.record["production"].append({**span, "text": m.group()})
            found = rt.counts(cell["count"] + (unit or "")) if unit else rt.counts(cell["count"])
            if found:
                self.counts.append((found[0][0], found[0][1], False, models))

    def totals(self, title_counts: list[tuple[int, str, bool, int]]) -> None:
        """``quantity``: the one count, or the total written after the parts' counts (or in the headline)."""
        counts = list(self.counts)
        if title_counts and counts:
            counts.append((title_counts[0][0], title_counts[0][1], True, []))
        if not counts:
            return
        marked = [c for c in counts if c[2]]
        total = counts[0] if len(counts) == 1 else marked[0] if len(marked) == 1 else \
            marked[-1] if marked and marked[-1][0] == sum(c[0] for c in counts if c is not marked[-1]) else None
        if total is not None:
            parts = [c for c in counts if c is not total]
            self.record["quantity"], self.record["unit"] = total[0], total[1]
        else:
            parts = counts
            units = {c[1] for c in counts}
            self.record["unit"] = units.pop() if len(units) == 1 else None
        if len(parts) > 1:
            self.record["quantities"] = [{"count": v, "unit": u, "models": list(m)} for v, u, _, m in parts]


def _read_unit(lines: list[str], indexes: list[int], published: date | None, title: str | None,
               tables: list[Mapping[str, Any]]) -> tuple[dict[str, Any], set[int]] | None:
    reader = _Reader(lines, published)
    sentences = reader.sentences([i for i in indexes if "\t" not in lines[i]])
    announcing = [(i, s) for i, s in sentences if _announces(s)]
    if not announcing:
        return None
    around = published or date.today()
    record = reader.record
    first = sentences.index(announcing[0])
    for i, s in sentences[:first + 1]:
        if found := rt.companies(s):
            reader.add("recallers", found)
            reader.read.add(i)
    for i, s in announcing:
        reader.read.add(i)
        if record["recall_start"] is None and (m := rt.START.search(s)):
            if m["s"] == "即日":
                record["recall_start"] = published.isoformat() if published else None
                record["flags"].append("recall_start_is_publication_day")
            else:
                record["recall_start"] = rt.near(m["s"], around)
        for part in re.split(r"[；;]", s):
            reader.clause(part, around)
    found_table = _table(tables)
    if found_table is not None:
        reader.table(*found_table, around)
        reader.read.update(i for i in indexes if "\t" in lines[i])
    for i, s in sentences:
        if (i, s) in announcing:
            continue
        if re.search(r"本次召回.{0,16}(?:共|合计|总计)", s) and (found := rt.counts(s)):
            reader.counts.append((found[-1][0], found[-1][1], True, []))
            reader.read.add(i)
        elif record["defect"] is None and _DEFECT.search(s):
            record["defect"] = s.strip()
            reader.read.add(i)
        elif record["remedy"] is None and _REMEDY.search(s) and "将" in s:
            record["remedy"] = s.strip()
            reader.read.add(i)
    for i, s in sentences:
        if m := rt.END.search(s):
            if "召回" in s and record["recall_end"] is None:
                record["recall_end"] = rt.near(m["e"] or m["e2"], around)
                reader.read.add(i)
        regulations = [m.group() for m in rt.REGULATION.finditer(s)]
        ids = [m["id"] for m in rt.RECALL_ID.finditer(s)]
        origin = rt.ORIGIN.search(s)
        if regulations or ids or origin:
            reader.add("regulations", regulations)
            reader.add("recall_ids", ids)
            record["origin_country"] = record["origin_country"] or (origin["country"] if origin else None)
            reader.read.add(i)
    title_counts = [c for c in rt.counts(title or "") if "召回" in (title or "")]
    reader.totals(title_counts)
    return record, reader.read


def records(article: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every recall record of an article (its feed record: ``body``, ``tables``, ``title``, ``published_at``...)."""
    lines = [line.strip() for line in (article.get("body") or "").split("\n") if line.strip()]
    published = rt.published_day(article.get("published_at"))
    units = _units(lines)
    out = []
    for unit in units:
        whole = len(units) == 1
        read = _read_unit(lines, unit, published, article.get("title") if whole else None,
                          list(article.get("tables") or []) if whole else [])
        if read is None:
            continue
        record, used = read
        out.append({"article_id": article.get("article_id"), "url": article.get("url"),
                    "published_at": article.get("published_at"), "recall": len(out), **record,
                    "raw": [lines[i] for i in sorted(used)]})
    return out
