"""The dataset's repost index at scale: a first build over many articles, then an update of a few more.

``python -m bench.repost_index`` (about 5 minutes at 1,000,000 articles): writes month Parquet files of
generated articles (the alphabet and length of ``bench.dataset``'s lines; 5% of them reposts of an article of
the thousand before, 2% of their characters changed) and runs :func:`cqnnews.outputs.dataset.clusters.update` over them
in a process of its own, then again for ``--new`` articles more, reporting seconds (wall and CPU), peak RSS and
how many planted reposts were found.  ``--copies``: every article a window of one long text instead, so that
every LSH bucket holds thousands of near-copies (what the index must survive: a template's notices, a text
posted over and over).  Results: ``bench/results/repost_index[_copies].json``.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from bench import write_results
from bench.dataset import ROOT, WORDS, _high_water_mb

PER_MONTH = 10_000
START = datetime(2015, 1, 1, tzinfo=timezone.utc)
SHARE_REPOSTED = 0.05

_RUN = """
import json, resource, sys, time
from pathlib import Path
import duckdb
from cqnnews.outputs.dataset import clusters
root, step = Path(sys.argv[1]), sys.argv[2]
con = duckdb.connect()
con.execute("SET enable_progress_bar = false")
cpu = time.process_time()
if step == "full":
    out = clusters.update(con, None, root / "gen1", 1, None, None, 0.6)
    (root / "manifest.json").write_text(json.dumps(out.manifest(0.6)))
else:
    out = clusters.update(con, root / "gen1", root / "gen2", 2, ["new"],
                          json.loads((root / "manifest.json").read_text()), 0.6)
print(json.dumps({"cpu_seconds": round(time.process_time() - cpu, 1), "new": out.new, "reposts": out.reposts}))
"""


def generate(root: Path, articles: int, new: int, copies: bool) -> int:
    """The month files of ``gen1`` (``articles``) and ``gen2`` (``new`` more, month ``new``); the reposts planted."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = random.Random(20261203)
    long_text = "".join(rng.choice(WORDS) for _ in range(20_000))
    recent: dict[int, str] = {}
    planted = 0

    def body(i: int) -> str:
        nonlocal planted
        if copies:
            start = rng.randrange(0, len(long_text) - 500)
            return long_text[start:start + 400]
        if i > 1000 and rng.random() < SHARE_REPOSTED:
            chars = list(recent[rng.randrange(i - 1000, i)])
            for _ in range(len(chars) // 50):
                chars[rng.randrange(len(chars))] = rng.choice(WORDS)
            planted += 1
            text = "".join(chars)
        else:
            text = "\n".join("".join(rng.choice(WORDS) for _ in range(100)) for _ in range(4))
        recent[i] = text
        recent.pop(i - 1001, None)
        return text

    def write(folder: Path, ids: range) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.table({"origin": ["www.cqn.com.cn"] * len(ids), "article_id": list(ids),
                                 "published_at": [START + timedelta(minutes=i) for i in ids],
                                 "title": [f"标题{i}" for i in ids], "body": [body(i) for i in ids]}),
                       folder / "part.parquet")

    for month, first in enumerate(range(0, articles, PER_MONTH)):
        write(root / "gen1" / "articles" / f"month=m{month:04d}", range(first, min(first + PER_MONTH, articles)))
    write(root / "gen2" / "articles" / "month=new", range(articles, articles + new))
    return planted


def timed(root: Path, step: str) -> dict[str, float]:
    """One step in a process of its own: wall seconds, peak RSS (MB) and what it said."""
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-c", _RUN, str(root), step], cwd=ROOT,
                               env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    peak = 0.0
    while process.poll() is None:
        peak = max(peak, _high_water_mb(process.pid) or 0.0)
        time.sleep(0.05)
    out, err = process.communicate()
    if process.returncode != 0:
        raise SystemExit(f"{step} failed: {err.decode().strip()}")
    return {"seconds": round(time.perf_counter() - started, 1), "peak_rss_mb": round(peak), **json.loads(out.decode().strip().splitlines()[-1])}


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.repost_index", description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--new", type=int, default=10_000)
    parser.add_argument("--copies", action="store_true", help="every article a near-copy of many others")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="cqnnews-bench-reposts-"))
    try:
        planted = generate(work, args.articles, args.new, args.copies)
        full = timed(work, "full")
        print(f"first build, {args.articles} articles: {full}")
        update = timed(work, "update")
        print(f"update, {args.new} articles more: {update}")
        write_results("repost_index_copies" if args.copies else "repost_index",
                      {"articles": args.articles, "new": args.new, "copies": args.copies,
                       "planted_reposts": None if args.copies else planted, "full": full, "update": update,
                       "update_share_of_full_cpu": round(update["cpu_seconds"] / max(full["cpu_seconds"], 0.1), 3)})
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
