"""``make bench-extract``: ms per page and field accuracy of cqnnews, trafilatura and GNE.

All three read the same replica article pages (every layout era, encoding and variant;
articles split over pages are left out, as the others read one page).  Accuracy is
against the replica's ground truth, field by field: title, published_at (the same
instant), authors and body (lines compared with whitespace folded).  cqnnews is timed
from raw bytes, decoding included; the others get the page already decoded.
"""

from __future__ import annotations

import gc
import statistics
import sys
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from bench import tables, write_results, zh_news
from cqnnews.reading.dates import parse_datetime
from cqnnews.reading.decoding import decode_page
from cqnnews.reading.parsers import extract_bytes
from cqnnews.text import clean
from cqnnews.urls import SiteUrls
from tests.conftest import NOW
from tests.replica import render
from tests.replica.site import Site
from tests.replica.truth import expected_fields

FIELDS = ("title", "published_at", "authors", "body")
ORIGIN = "https://www.cqn.com.cn"
URLS = SiteUrls(ORIGIN)

Page = dict[str, Any]
Reader = Callable[[Page], dict[str, Any]]


def pages(seed: int = 1, scale: int = 30) -> list[Page]:
    site = Site(seed=seed, scale=scale, now=NOW)
    out = []
    for ref in site.articles():
        if site.variant(ref).pages != 1:
            continue
        page = render.article(site, ref)
        assert page is not None
        out.append({"bytes": page.body, "content_type": page.content_type, "url": ORIGIN + ref.path,
                    "text": decode_page(page.body, page.content_type).text, "truth": expected_fields(site, ref)})
    return out


def read_cqnnews(page: Page) -> dict[str, Any]:
    a = extract_bytes(page["bytes"], page["content_type"], page["url"], URLS)
    return {"title": a.title, "published_at": a.published_at, "authors": a.authors, "body": a.body}


def read_trafilatura(page: Page) -> dict[str, Any]:
    import trafilatura

    doc = trafilatura.bare_extraction(page["text"], url=page["url"], with_metadata=True, include_comments=False)
    data = (doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)) if doc is not None else {}
    author = data.get("author")
    return {"title": data.get("title"), "published_at": data.get("date"),
            "authors": [a.strip() for a in author.split(";")] if author else [], "body": data.get("text") or ""}


def read_gne(page: Page) -> dict[str, Any]:
    from gne import GeneralNewsExtractor

    data = GeneralNewsExtractor().extract(page["text"])
    author = data.get("author")
    return {"title": data.get("title"), "published_at": data.get("publish_time"),
            "authors": [author] if author else [], "body": data.get("content") or ""}


def _instant(value: Any) -> datetime | None:
    return parse_datetime(str(value)) if value else None


def _lines(text: str) -> list[str]:
    return [line for line in (clean(x) for x in (text or "").splitlines()) if line]


def correct(field: str, got: Any, want: Any) -> bool:
    if field == "published_at":
        return want is not None and _instant(got) == _instant(want)
    if field == "body":
        return _lines(got) == _lines(want)
    if field == "title":
        return clean(got or "") == want
    return list(got or []) == want


def accuracy(outputs: list[dict[str, Any]], sample: list[Page]) -> dict[str, Any]:
    per_field = {f: sum(correct(f, o[f], p["truth"][f]) for o, p in zip(outputs, sample)) / len(sample)
                 for f in FIELDS}
    return {"field_accuracy": round(sum(per_field.values()) / len(FIELDS), 4),
            "per_field": {f: round(v, 4) for f, v in per_field.items()}}


def _timed(reader: Reader, pages: list[Page]) -> tuple[float, list[dict[str, Any]]]:
    """Seconds ``reader`` takes over ``pages``, with the garbage collector off (as in ``timeit``:
    otherwise one reader pays for collecting the cycles another left behind), and its outputs."""
    gc.collect()
    gc.disable()
    start = time.perf_counter()
    outputs = [reader(page) for page in pages]
    spent = time.perf_counter() - start
    gc.enable()
    return spent, outputs


def measure(readers: dict[str, Reader], sample: list[Page], rounds: int = 3, chunk: int = 40,
            block_rounds: int = 3) -> dict[str, dict[str, Any]]:
    """Milliseconds per page of each reader, three ways, and its accuracy.

    These machines are shared and their speed drifts by a third within seconds, so how the
    readers' turns are laid out in time decides what drift each one sees:

    ``ms_per_page`` (the figure the goals are checked on): the readers take turns on chunks
    of ``chunk`` pages, the order rotating, ``rounds`` times over the sample, and each
    reader's time is summed.  A turn lasts from a few milliseconds to half a second, so
    every reader sees the same drift, and only its first page of a chunk finds the
    processor's caches full of another reader's data.

    ``ms_per_page_blocks``: each reader reads the whole sample in turn, ``block_rounds``
    times, the order rotating; the median round.  The fastest reader's turn is shortest,
    so a moment's drift moves its figure most.

    ``ms_per_page_interleaved``: the readers take turns on every page, so each page starts
    with cold caches; this costs the fastest reader most.
    """
    for reader in readers.values():  # warm up: imports, caches, on every layout
        for layout in {p["truth"]["layout"] for p in sample}:
            reader(next(p for p in sample if p["truth"]["layout"] == layout))
    names = list(readers)
    spent = dict.fromkeys(names, 0.0)
    outputs: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
    turn = 0
    for n in range(rounds):
        for first in range(0, len(sample), chunk):
            pages = sample[first:first + chunk]
            turn += 1
            for name in names[turn % len(names):] + names[:turn % len(names)]:
                seconds, out = _timed(readers[name], pages)
                spent[name] += seconds
                if n == 0:
                    outputs[name] += out
    blocks: dict[str, list[float]] = {name: [] for name in names}
    for n in range(block_rounds):
        for name in names[n % len(names):] + names[:n % len(names)]:
            seconds, _ = _timed(readers[name], sample)
            blocks[name].append(seconds * 1000 / len(sample))
    interleaved = dict.fromkeys(names, 0.0)
    clock = time.perf_counter
    gc.collect()
    gc.disable()
    for page in sample:
        for name, reader in readers.items():
            start = clock()
            reader(page)
            interleaved[name] += clock() - start
    gc.enable()
    return {name: {"ms_per_page": round(spent[name] * 1000 / (rounds * len(sample)), 3),
                   "ms_per_page_blocks": round(statistics.median(blocks[name]), 3),
                   "ms_per_page_block_rounds": [round(t, 3) for t in blocks[name]],
                   "ms_per_page_interleaved": round(interleaved[name] * 1000 / len(sample), 3),
                   **accuracy(outputs[name], sample)} for name in names}


def main() -> int:
    sample = pages()
    readers: dict[str, Reader] = {"cqnnews": read_cqnnews, "trafilatura": read_trafilatura, "gne": read_gne}
    results = measure(readers, sample)
    ours = results["cqnnews"]
    for r in results.values():
        for key in ("ms_per_page", "ms_per_page_blocks", "ms_per_page_interleaved"):
            r[key.replace("ms_per_page", "times_slower_than_cqnnews")] = round(r[key] / ours[key], 1)
    size = sum(len(p["bytes"]) for p in sample) / len(sample) / 1024
    print(f"{len(sample)} replica article pages, {size:.1f} KiB on average (every layout, encoding and variant; "
          "seed 1, scale 30)")
    print(f"{'extractor':<12} {'ms/page':>8} {'vs ours':>8} {'blocks':>8} {'vs ours':>8} {'per page':>9} "
          f"{'vs ours':>8} {'accuracy':>9}  " + "  ".join(f"{f:>12}" for f in FIELDS))
    for name, r in results.items():
        print(f"{name:<12} {r['ms_per_page']:>8.3f} {r['times_slower_than_cqnnews']:>7.1f}x "
              f"{r['ms_per_page_blocks']:>8.3f} {r['times_slower_than_cqnnews_blocks']:>7.1f}x "
              f"{r['ms_per_page_interleaved']:>9.3f} {r['times_slower_than_cqnnews_interleaved']:>7.1f}x "
              f"{r['field_accuracy']:>9.1%}  " + "  ".join(f"{r['per_field'][f]:>12.1%}" for f in FIELDS))
    print("ms/page: turns on chunks of 40 pages; blocks: the whole sample in turn; per page: turns on every page")
    if zh_news.EVAL.is_dir():
        results["zh_news"] = zh_news.measure()
        print("35 real Chinese news pages (../shared/eval/zh-news), body character F1 against hand-made gold:")
        for name, r in results["zh_news"].items():
            print(f"{name:<12} extracted {r['extracted']}/{r['pages']}  body F1 {r['body_f1']:.3f}  "
                  f"dates right {r['dates_right']}")
    else:
        print(f"no {zh_news.EVAL}: the zh-news measurement is left out")
    results["tables"] = tables.measure()
    t = results["tables"]
    print(f"pages with a {t['rows_per_table']:.0f}-row spot-check table ({t['notice_kib']:.0f} KiB against "
          f"{t['plain_kib']:.0f}): {t['notice_ms_per_page']:.2f} ms against {t['plain_ms_per_page']:.2f} for the "
          f"plain article ({t['notice_times_plain']:.1f}x; {t['notice_times_plain_per_kib']:.2f}x per KiB), "
          f"records {t['records_ms_per_page']:.2f} ms more ({t['records_per_page']:.0f} a page); the same table "
          f"from an attached .xls {t['xls_ms_per_file']:.1f} ms, .xlsx {t['xlsx_ms_per_file']:.1f} ms")
    write_results("extract", results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
