"""Table-heavy pages: what reading tables whole and their spot-check records costs next to a plain article.

Each plain replica article (current layout, UTF-8, one page) is measured as served and again with a
spot-check table of about 100 rows pasted into its body (the replica's Word paste: merged cells,
fragments, captions), the two taking turns page by page; the records of the table are timed apart,
and so is reading the same tables from the ``.xls`` and ``.xlsx`` files a notice attaches.
"""

from __future__ import annotations

import dataclasses
import gc
import random
import time
from typing import Any

from cqnnews.reading.parsers import extract_bytes
from cqnnews.reading.sheets import read_sheets
from cqnnews.reading.spotchecks import records
from cqnnews.urls import SiteUrls
from tests.conftest import NOW
from tests.replica import render
from tests.replica.notices import SpotTable, make_table
from tests.replica.site import Site

ORIGIN = "https://www.cqn.com.cn"
URLS = SiteUrls(ORIGIN)
ROWS = 100
SHEETS = 10  # files read of each kind


def big_table(rng: random.Random) -> SpotTable:
    """A spot-check table with about ``ROWS`` rows."""
    table = make_table(rng, "电线电缆", medical=False)
    while len(table.rows()) < ROWS:
        table.batches += make_table(rng, "电线电缆", medical=False).batches
    return table


def samples(count: int = 60) -> list[dict[str, Any]]:
    site = Site(seed=1, scale=30, now=NOW)
    rng = random.Random(1)
    out = []
    for ref in site.articles():
        variant = site.variant(ref)
        if variant.layout != "current" or variant.encoding != "utf-8" or variant.pages != 1 or variant.mojibake:
            continue
        page = render.article(site, ref)
        assert page is not None
        table = big_table(rng)
        notice = page.body.replace(b"<!--/enpcontent-->", table.html().encode() + b"<!--/enpcontent-->", 1)
        out.append({"url": ORIGIN + ref.path, "plain": page.body, "notice": notice, "rows": len(table.rows()),
                    "content_type": page.content_type, "table": table})
        if len(out) == count:
            break
    return out


def measure(rounds: int = 3) -> dict[str, Any]:
    sample = samples()
    spent = {"plain": 0.0, "notice": 0.0, "records": 0.0}
    found = 0
    gc.disable()
    for _ in range(rounds):
        for page in sample:
            for kind in ("plain", "notice"):
                start = time.perf_counter()
                article = extract_bytes(page[kind], page["content_type"], page["url"], URLS)
                spent[kind] += time.perf_counter() - start
            record = dataclasses.asdict(article)
            start = time.perf_counter()
            found += len(records(record))
            spent["records"] += time.perf_counter() - start
    files = {kind: [(getattr(p["table"], kind)(), p["url"] + "." + kind) for p in sample[:SHEETS]]
             for kind in ("xls", "xlsx")}
    for kind, sheets in files.items():
        start = time.perf_counter()
        for data, name in sheets:
            read_sheets(data, name)
        spent[kind] = (time.perf_counter() - start) * 1000 / len(sheets)
    gc.enable()
    n = rounds * len(sample)
    plain, notice, recs = (spent[k] * 1000 / n for k in ("plain", "notice", "records"))
    kib = {k: sum(len(p[k]) for p in sample) / len(sample) / 1024 for k in ("plain", "notice")}
    return {"pages": len(sample), "rows_per_table": round(sum(p["rows"] for p in sample) / len(sample), 1),
            "plain_kib": round(kib["plain"], 1), "notice_kib": round(kib["notice"], 1),
            "notice_times_plain_per_kib": round((notice / kib["notice"]) / (plain / kib["plain"]), 2),
            "records_per_page": round(found / n, 1), "plain_ms_per_page": round(plain, 3),
            "notice_ms_per_page": round(notice, 3), "records_ms_per_page": round(recs, 3),
            "notice_times_plain": round(notice / plain, 2),
            "notice_and_records_times_plain": round((notice + recs) / plain, 2),
            "xls_ms_per_file": round(spent["xls"], 2), "xlsx_ms_per_file": round(spent["xlsx"], 2),
            "xls_times_plain": round(spent["xls"] / plain, 1), "xlsx_times_plain": round(spent["xlsx"] / plain, 1)}


if __name__ == "__main__":
    import json

    print(json.dumps(measure(), indent=1))
