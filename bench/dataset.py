"""``scrapy dataset`` over 1,000,000 generated feed lines, then one new day of 10,000 lines.

Generates 100 feeds of 10,000 article lines each (published over 12 years, so about 150 months;
5% of the lines are second revisions of articles of earlier feeds; 2% are spot-check notices with
five records each, in the ``.spotchecks.jsonl`` beside), then times ``scrapy dataset`` on all of
them in a process of its own and reads its peak RSS (``wait4``).  Then one more feed of 10,000
lines, a day's worth (this month's and last month's articles, and corrections of the last days),
and the update again: its time should follow the 10,000 new lines, not the 1,000,000 ingested.
The baseline, in the same command, is the SQL an analyst would type into DuckDB for the same job, run
in a process of its own with DuckDB's defaults (:data:`ANALYST_SQL`: the latest revision of each
article with ``row_number()``, its revision count, first and last fetch, written as Parquet partitioned
by month); also reported, reading the same lines into one Arrow table with ``read_feeds`` (what
``cqnnews.schema.arrow`` offered before the dataset).

    PYTHONPATH=. .venv/bin/python -m bench.dataset [--lines 1000000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from bench import write_results
from cqnnews.outputs.feeds import article_feeds
from cqnnews.schema.arrow import read_feeds

ROOT = Path(__file__).resolve().parents[1]
PER_FEED = 10_000
SHANGHAI = timezone(timedelta(hours=8))
START = datetime(2014, 11, 1, tzinfo=SHANGHAI)
END = datetime(2026, 11, 28, tzinfo=SHANGHAI)
WORDS = "质量监督抽查市场监管总局发布产品标准认证检验检测食品安全消费者权益企业生产销售"


def _text(rng: random.Random, size: int) -> str:
    return "".join(rng.choice(WORDS) for _ in range(size))


def _line(rng: random.Random, aid: int, revision: int, published: datetime, fetched: datetime,
          notice: bool) -> dict[str, Any]:
    return {
        "url": f"https://www.cqn.com.cn/ms/content/{published:%Y-%m/%d}/content_{aid}.htm", "article_id": aid,
        "revision": revision, "channel": "ms", "breadcrumb": ["新闻中心", "民生", "抽查公告" if notice else "健康"],
        "sections": ["抽查公告" if notice else "健康"], "title": _text(rng, 20), "subtitle": None,
        "published_at": published.isoformat(), "source": "中国质量新闻网", "authors": [_text(rng, 3)],
        "editor": _text(rng, 2), "keywords": [_text(rng, 2), _text(rng, 2)],
        "body": "\n".join(_text(rng, 100) for _ in range(4)),
        "images": [{"url": f"https://www.cqn.com.cn/ms/img/{aid}.jpg", "caption": None}] if aid % 3 == 0 else [],
        "attachments": [], "tables": [], "layout": "current", "pages": 1,
        "fetched_at": fetched.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), "flags": [],
    }


def _records(rng: random.Random, line: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"article_id": line["article_id"], "url": line["url"], "published_at": line["published_at"],
             "issuer": "市场监管总局", "scope": "national", "source": "page", "file_checksum": None, "table": 0,
             "row": row, "product": _text(rng, 4), "model": None, "trademark": None, "batch": "2026-01-01",
             "manufacturer": _text(rng, 8), "manufacturer_address": None, "sampled_unit": _text(rng, 6),
             "sampled_unit_address": None, "parties": [], "origin_country": None,
             "failed_items": [{"item": _text(rng, 4), "result": "1", "standard": "2"}],
             "agencies": [{"role": None, "name": _text(rng, 8)}], "note": None, "maker_denies": False,
             "extra": {}, "raw": {"样品名称": "x"}} for row in range(5)]


def write_feed(folder: Path, stamp: datetime, lines: list[dict[str, Any]], rng: random.Random) -> int:
    """One feed and its spot-check records; its size in bytes."""
    name = f"{stamp.astimezone(timezone.utc):%Y%m%dT%H%M%SZ}"
    path = folder / f"{name}.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for line in lines:
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
    notices = [r for line in lines if line["breadcrumb"][-1] == "抽查公告" for r in _records(rng, line)]
    if notices:
        with (folder / f"{name}.spotchecks.jsonl").open("w", encoding="utf-8") as out:
            for record in notices:
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path.stat().st_size


def generate(feeds: Path, total: int) -> tuple[int, list[tuple[int, datetime]]]:
    """``total`` lines in feeds of PER_FEED under ``feeds/minsheng``; their bytes, and (id, published) of all."""
    rng = random.Random(1)
    folder = feeds / "minsheng"
    folder.mkdir(parents=True)
    span = (END - START).total_seconds()
    published = sorted(START + timedelta(seconds=int(rng.random() * span)) for _ in range(total))
    articles = [(9_000_000 + n, when) for n, when in enumerate(published)]
    size, at = 0, 0
    for day in range(total // PER_FEED):
        lines = []
        while len(lines) < PER_FEED and at < len(articles):
            if at > 1000 and rng.random() < 0.05:  # a correction of an article of an earlier feed
                aid, when = articles[rng.randrange(0, at)]
                lines.append(_line(rng, aid, 2, when, when + timedelta(days=30), False))
                continue
            aid, when = articles[at]
            lines.append(_line(rng, aid, 1, when, when + timedelta(hours=1), rng.random() < 0.02))
            at += 1
        size += write_feed(folder, START + timedelta(days=day), lines, rng)
    return size, articles[:at]


def a_new_day(feeds: Path, articles: list[tuple[int, datetime]]) -> None:
    """PER_FEED lines of one more day: new articles of this month and last, and corrections of the last days."""
    rng = random.Random(2)
    lines = []
    recent = [a for a in articles if a[1] >= END - timedelta(days=3)]
    for n in range(PER_FEED):
        if recent and rng.random() < 0.05:
            aid, when = rng.choice(recent)
            lines.append(_line(rng, aid, 3, when, END + timedelta(days=1), False))
        else:
            when = END - timedelta(days=40) + timedelta(seconds=int(rng.random() * 40 * 86400))
            lines.append(_line(rng, 20_000_000 + n, 1, when, END + timedelta(days=1), rng.random() < 0.02))
    write_feed(feeds / "minsheng", END + timedelta(days=1), lines, rng)


def _high_water_mb(pid: int) -> float | None:
    """The process's peak resident memory so far (``VmHWM``: of its own image, reset by exec)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return None


ANALYST_SQL = """
COPY (
    SELECT * EXCLUDE (n), coalesce(strftime(published_at AT TIME ZONE 'Asia/Shanghai', '%Y-%m'), 'none') AS month
    FROM (SELECT *, row_number() OVER (PARTITION BY article_id ORDER BY revision DESC, fetched_at DESC) AS n,
                 count(*) OVER (PARTITION BY article_id) AS revision_count,
                 min(fetched_at) OVER (PARTITION BY article_id) AS first_fetched,
                 max(fetched_at) OVER (PARTITION BY article_id) AS last_fetched
          FROM read_json(getvariable('feeds'), format = 'newline_delimited'))
    WHERE n = 1
) TO '{out}' (FORMAT parquet, PARTITION_BY (month))
"""
_ANALYST = """
import duckdb, json, sys
con = duckdb.connect()
con.execute("SET enable_progress_bar = false")
con.execute("SET VARIABLE feeds = ?", [json.loads(sys.argv[1])])
print(con.execute(sys.argv[2]).fetchone()[0])
"""


def timed_analyst_sql(feeds: Path, out: Path) -> tuple[float, float, str]:
    """:data:`ANALYST_SQL` over the feeds (not the ``.spotchecks.jsonl``) in a process of its own."""
    files = json.dumps([str(f) for f in article_feeds(feeds, recursive=True)])
    sql = ANALYST_SQL.format(out=str(out).replace("'", "''"))
    return timed([sys.executable, "-c", _ANALYST, files, sql], "DuckDB")


def timed_update(feeds: Path, dataset: Path) -> tuple[float, float, str]:
    """``scrapy dataset`` in a process of its own: seconds, peak RSS in MB, its line."""
    return timed([sys.executable, "-m", "scrapy", "dataset", "--feeds", str(feeds), "--dataset", str(dataset)],
                 "scrapy dataset")


def timed(command: list[str], what: str) -> tuple[float, float, str]:
    """``command`` in a process of its own: seconds, peak RSS in MB, its output.  The peak is read from ``/proc``
    every 50 ms (``VmHWM`` only grows): ``wait4``'s ``ru_maxrss`` would count the memory of this process, which the
    child shares from ``fork`` until its ``exec``."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    peak = 0.0
    while process.poll() is None:
        peak = max(peak, _high_water_mb(process.pid) or 0.0)
        time.sleep(0.05)
    seconds = time.perf_counter() - start
    out = process.stdout.read().decode() if process.stdout else ""
    err = process.stderr.read().decode() if process.stderr else ""
    if process.returncode != 0:
        raise SystemExit(f"{what} failed: {err.strip()}")
    return seconds, peak, out.strip()


def _reposts_seconds(said: str) -> float | None:
    """The seconds ``scrapy dataset`` says it spent indexing reposts."""
    found = re.search(r"\(reposts ([0-9.]+) s\)", said)
    return float(found.group(1)) if found else None


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.dataset", description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it (default: a temporary one)")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="cqnnews-bench-dataset-"))
    feeds, dataset = work / "feeds", work / "dataset"
    try:
        started = time.perf_counter()
        size, articles = generate(feeds, args.lines)
        print(f"generated {args.lines} lines ({size / 2**20:.0f} MiB) in {time.perf_counter() - started:.0f} s")
        gc.collect()
        start = time.perf_counter()
        baseline_rows = read_feeds(article_feeds(feeds, recursive=True)).num_rows
        baseline = time.perf_counter() - start
        print(f"baseline: read_feeds of {baseline_rows} lines into one Arrow table, {baseline:.1f} s")
        analyst, analyst_rss, rows = timed_analyst_sql(feeds, work / "analyst")
        print(f"DuckDB SQL of an analyst, {args.lines} lines: {analyst:.1f} s, peak RSS {analyst_rss:.0f} MB; "
              f"{rows} rows")
        shutil.rmtree(work / "analyst", ignore_errors=True)
        seconds_1m, rss_1m, said_1m = timed_update(feeds, dataset)
        print(f"scrapy dataset, {args.lines} lines: {seconds_1m:.1f} s, peak RSS {rss_1m:.0f} MB; {said_1m}")
        import duckdb

        counted = duckdb.sql(f"SELECT count(*), count(DISTINCT article_id) FROM read_parquet("
                              f"'{dataset}/current/articles/*/*.parquet')").fetchall()[0]
        print(f"the dataset: {counted[0]} rows for {counted[1]} articles; DuckDB's: {rows} rows")
        a_new_day(feeds, articles)
        seconds_10k, rss_10k, said = timed_update(feeds, dataset)
        print(f"scrapy dataset, {PER_FEED} new lines: {seconds_10k:.1f} s, peak RSS {rss_10k:.0f} MB; {said}")
        results = {
            "lines": args.lines, "feed_mib": round(size / 2**20), "seconds_1m": round(seconds_1m, 1),
            "peak_rss_mb_1m": round(rss_1m), "seconds_incremental_10k": round(seconds_10k, 2),
            "peak_rss_mb_incremental_10k": round(rss_10k), "baseline_read_feeds_seconds_1m": round(baseline, 1),
            "dataset_times_read_feeds": round(seconds_1m / baseline, 2),
            "duckdb_sql_seconds_1m": round(analyst, 1), "duckdb_sql_peak_rss_mb_1m": round(analyst_rss),
            "dataset_over_duckdb": round(seconds_1m / analyst, 2),
            "dataset_rows": counted[0], "dataset_articles": counted[1], "duckdb_sql_rows": int(rows),
            "incremental_share_of_1m": round(seconds_10k / seconds_1m, 3),
            "reposts_seconds_1m": _reposts_seconds(said_1m), "reposts_seconds_incremental_10k": _reposts_seconds(said),
            "new_lines_share": round(PER_FEED / args.lines, 3),
        }
        write_results("dataset", results)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
