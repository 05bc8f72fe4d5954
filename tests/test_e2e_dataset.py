"""Three daily runs of minsheng on the replica's clock, each updating the dataset (CQN_DATASET_AUTO=true): every
article once at its latest revision, the spot-check records of that revision, read by DuckDB and pandas."""

from __future__ import annotations

import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest

from cqnnews.outputs.dataset import CURRENT, DATABASE
from cqnnews.outputs.feeds import article_feeds
from tests.conftest import NOW, SCALE, SEED
from tests.crawl import read_feed, run_crawl
from tests.redis_server import free_port
from tests.replica.process import running_replica
from tests.replica.site import Site
from tests.replica.truth import expected_feed, expected_spotchecks, leaves_of

TOMORROW = NOW + timedelta(days=1)


def crawl(url: str, workdir: Path, *args: str, now: Any) -> subprocess.CompletedProcess[str]:
    return run_crawl("minsheng", url, workdir, *args, CQN_NOW=now.isoformat(), CQN_DATASET_AUTO="true")


@pytest.fixture(scope="module")
def days(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Today, tomorrow, tomorrow again with recheck_days=3 (corrected articles: their second revision)."""
    workdir = tmp_path_factory.mktemp("dataset")
    port = free_port()
    out: dict[str, Any] = {"workdir": workdir, "port": port}
    with running_replica(seed=SEED, scale=SCALE, now=NOW, port=port) as today:
        out["runs"] = [crawl(today.url, workdir, now=NOW)]
    with running_replica(seed=SEED, scale=SCALE, now=TOMORROW, port=port) as tomorrow:
        out["runs"].append(crawl(tomorrow.url, workdir, now=TOMORROW))
        out["runs"].append(crawl(tomorrow.url, workdir, "-a", "recheck_days=3", now=TOMORROW))
    return out


def test_each_run_updated_the_dataset(days: dict[str, Any]) -> None:
    for n, run in enumerate(days["runs"], start=1):
        assert run.returncode == 0, run.stdout[-500:] + run.stderr[-2000:]
        assert f"cqnnews: dataset generation {n}: 1 new feeds" in run.stdout


def test_every_article_once_at_its_latest_revision(days: dict[str, Any]) -> None:
    site = Site(SEED, SCALE, TOMORROW)
    truth = expected_feed(site, leaves_of(site, "民生"))
    lines = [r for f in article_feeds(days["workdir"] / "feeds" / "minsheng") for r in read_feed(f)]
    assert any(r["revision"] == 2 for r in lines), "the recheck found corrected articles"
    frame = pd.read_parquet(days["workdir"] / "dataset" / CURRENT / "articles")
    assert frame.article_id.is_unique and set(frame.article_id) == set(truth)
    assert set(frame.origin) == {f"127.0.0.1_{days['port']}"}  # the origin crawled, from each run's summary
    for row in frame.to_dict("records"):
        want = truth[row["article_id"]]
        latest = max(r["revision"] for r in lines if r["article_id"] == row["article_id"])
        assert (row["revision"], row["revisions"], row["title"], row["body"]) == (
            latest, latest, want["title"], want["body"])
        assert row["first_seen"] <= row["last_seen"] and row["published_at"].isoformat() == want["published_at"]
    assert str(frame.published_at.dtype).endswith(", Asia/Shanghai]")  # Parquet keeps ms at least


def test_the_spotchecks_are_those_of_each_notices_latest_revision(days: dict[str, Any]) -> None:
    site = Site(SEED, SCALE, TOMORROW)
    con = duckdb.connect(str(days["workdir"] / "dataset" / DATABASE), read_only=True)
    try:
        got = con.execute("SELECT article_id, source, \"table\", row, product, manufacturer, batch FROM spotchecks "
                          "ORDER BY 1, 2, 3, 4").fetchall()
        ids = [aid for (aid,) in con.execute("SELECT article_id FROM articles ORDER BY 1").fetchall()]
        # a ready query of the README: failed batches by issuer and month
        by_month = con.execute("SELECT issuer, strftime(published_at AT TIME ZONE 'Asia/Shanghai', '%Y-%m') AS m, "
                               "count(*) FROM spotchecks GROUP BY ALL").fetchall()
    finally:
        con.close()
    want = sorted((r["article_id"], r["source"], r["table"], r["row"], r["product"], r["manufacturer"], r["batch"])
                  for aid in ids for r in expected_spotchecks(site, site.article(aid)))
    assert want and got == want
    assert sum(n for _, _, n in by_month) == len(want)


def test_the_recalls_are_those_of_each_articles_latest_revision(days: dict[str, Any]) -> None:
    """Each daily run wrote ``.recalls.jsonl`` beside its feed; the dataset's ``recalls`` table holds the recalls of
    each article's latest line, ``quantity`` an integer and each production range a struct."""
    from tests.replica.recalls import expected_recalls

    feeds = article_feeds(days["workdir"] / "feeds" / "minsheng")
    assert all(f.with_name(f.stem + ".recalls.jsonl").exists() for f in feeds)
    site = Site(SEED, SCALE, TOMORROW)
    con = duckdb.connect(str(days["workdir"] / "dataset" / DATABASE), read_only=True)
    try:
        got = con.execute("SELECT article_id, recall, quantity, production, recallers FROM recalls ORDER BY 1, 2").fetchall()
        types = dict(con.execute("SELECT column_name, column_type FROM (DESCRIBE recalls)").fetchall())
        ids = [aid for (aid,) in con.execute("SELECT article_id FROM articles ORDER BY 1").fetchall()]
        vehicles = con.execute("SELECT sum(quantity) FROM recalls WHERE product = '汽车' AND unit = '辆'").fetchone()
    finally:
        con.close()
    assert types["quantity"] == "BIGINT" and types["production"].startswith("STRUCT(") and types["production"].endswith("[]")
    want = sorted((r["article_id"], r["recall"], r["quantity"], r["production"], r["recallers"])
                  for aid in ids for r in expected_recalls(site, site.article(aid)))
    assert want and got == want
    assert vehicles is not None and isinstance(vehicles[0], int) and vehicles[0] > 0


def test_the_recheck_runs_report_lists_its_revised_articles_with_their_diff(days: dict[str, Any]) -> None:
    feeds = article_feeds(days["workdir"] / "feeds" / "minsheng")
    revised = sorted(r["article_id"] for r in read_feed(feeds[-1]) if r["revision"] > 1)
    assert revised, "the recheck found corrected articles"
    report = feeds[-1].with_name(feeds[-1].stem + ".report.html").read_text(encoding="utf-8")
    section = report.split("<h2>Revised articles</h2>", 1)[1].split("<h2>", 1)[0]
    assert all(f"<td>{aid}</td>" in section for aid in revised) and "1 → 2" in section
