"""``scrapy smoke``: on the replica and each of its variants, the table, ``smoke.json`` and the exit status."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from cqnnews.outputs.smoke_findings import Sample, SpiderReport, table
from tests.conftest import NOW, SEED
from tests.crawl import POLITE_SETTINGS, crawl_env
from tests.replica.process import running_replica

SCALE = 6


def smoke(base_url: str, cwd: Path, *spiders: str) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    import sys

    cmd = [sys.executable, "-m", "scrapy", "smoke", *spiders]
    for key, value in POLITE_SETTINGS.items():
        cmd += ["-s", f"{key}={value}"]
    result = subprocess.run(cmd, cwd=cwd, env=crawl_env(base_url), capture_output=True, text=True, timeout=300)
    report = json.loads((cwd / "smoke.json").read_text(encoding="utf-8")) if (cwd / "smoke.json").exists() else {}
    return result, report


@pytest.mark.parametrize(("home", "articles"), [("current", "current"), ("2018", "current"), ("current", "redesign"),
                                                ("2018", "redesign")])
def test_smoke_passes_on_every_variant_of_the_replica(tmp_path: Path, home: str, articles: str) -> None:
    with running_replica(seed=SEED, scale=SCALE, now=NOW, home=home, articles=articles) as replica:
        result, report = smoke(replica.url, tmp_path, "yaowen", "minsheng")
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    assert report["ok"] and [s["spider"] for s in report["spiders"]] == ["yaowen", "minsheng"]
    yaowen = report["spiders"][0]
    assert set(yaowen["routes"]) == {"要闻一", "要闻二"}
    assert len(yaowen["samples"]) == 4 and all(not s["failed"] for s in yaowen["samples"])
    assert {s["layout"] for s in yaowen["samples"]} == ({"generic"} if articles == "redesign" else {"current"})
    lines = result.stdout.splitlines()
    assert lines[0].split()[:4] == ["spider", "listing", "route", "linked"]
    assert any(line.split()[:3] == ["yaowen", "要闻一", "menu" if home == "2018" else "channel"] for line in lines)
    assert not list(tmp_path.glob("feeds")) and not list(tmp_path.glob(".cqnnews"))  # no feed, no crawl state


def test_smoke_fails_naming_a_listing_taken_off_the_site(tmp_path: Path) -> None:
    with running_replica(seed=SEED, scale=SCALE, now=NOW, without="健康") as replica:
        result, report = smoke(replica.url, tmp_path, "minsheng")
    assert result.returncode == 1
    assert report["ok"] is False and report["spiders"][0]["missing"] == ["民生>>健康"]
    assert "minsheng: listing 民生>>健康: no route found it" in result.stderr
    assert any(line.split()[:3] == ["minsheng", "民生>>健康", "MISSING"] for line in result.stdout.splitlines())


def test_smoke_refuses_an_unknown_spider(tmp_path: Path) -> None:
    result, _ = smoke("http://127.0.0.1:9", tmp_path, "nosuch")
    assert result.returncode == 2 and "unknown spider 'nosuch'" in result.stderr and "Traceback" not in result.stderr


def test_a_sample_without_a_time_of_day_fails_and_the_table_says_why() -> None:
    report = SpiderReport("yaowen", home=True, routes={"要闻一": "node_id"}, first_pages={"要闻一": 20})
    report.samples = [Sample("u1", ["要闻一"], "generic", {"body": "generic"}, ["authors", "time_of_day"]),
                      Sample("u2", ["要闻一"], "current")]
    report.judge()
    assert report.problems == ["article u1 (要闻一): no time_of_day"] and not report.ok
    [_, row] = table([report]).splitlines()
    assert row.split()[:5] == ["yaowen", "要闻一", "node_id", "20", "1/2"]
    assert "generic body:generic" in row and "authors, time_of_day" in row
