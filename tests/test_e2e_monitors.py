"""Three daily runs of yaowen on the replica, then a day on which every article page is redesigned and shows only
its day of publication (``--articles redesign-date``): the monitors find the run read by the generic reader and
fallbacks, and the time of day gone; the run is unhealthy, and one alert reaches the webhook receiver and the SMTP
server, naming those problems."""

from __future__ import annotations

import json
from datetime import timedelta
from html import unescape
from pathlib import Path
from typing import Any

import pytest

from cqnnews.outputs.feeds import article_feeds
from tests.alert_servers import PASSWORD, smtp_server, webhook_receiver
from tests.browser import render
from tests.conftest import NOW, SCALE, SEED
from tests.crawl import run_crawl
from tests.redis_server import free_port
from tests.replica.process import running_replica

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")


@pytest.fixture(scope="module")
def days(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    workdir = tmp_path_factory.mktemp("monitors")
    port = free_port()
    out: dict[str, Any] = {"runs": [], "summaries": [], "workdir": workdir}
    with webhook_receiver() as hook, smtp_server() as mail:
        env = {"CQN_ALERT_WEBHOOK": hook.url, "CQN_ALERT_EMAIL": "desk@example.org", "CQN_SMTP_URL": mail.url}
        for day, articles in enumerate(("current", "current", "current", "redesign-date")):
            now = NOW + timedelta(days=day)
            with running_replica(seed=SEED, scale=SCALE, now=now, port=port, articles=articles) as replica:
                out["runs"].append(run_crawl("yaowen", replica.url, workdir, CQN_NOW=now.isoformat(), **env))
            feed = article_feeds(workdir / "feeds" / "yaowen")[-1]
            out["summaries"].append(json.loads(feed.with_name(feed.stem + ".summary.json").read_text("utf-8")))
        out["posts"], out["mails"] = hook.posts, mail.messages
    return out


def test_runs_like_their_history_are_healthy_and_alert_no_one(days: dict[str, Any]) -> None:
    for run, summary in zip(days["runs"][:3], days["summaries"][:3]):
        assert run.returncode == 0, run.stderr[-2000:]
        assert summary["monitors"]["problems"] == [] and summary["monitors"]["profile"]["articles_read"] >= 5
    assert len(days["posts"]) == 1 and len(days["mails"]) == 1  # the redesigned day's alert only


def test_the_redesigned_day_is_unhealthy_by_its_readers_and_its_coverage(days: dict[str, Any]) -> None:
    run, summary = days["runs"][3], days["summaries"][3]
    assert run.returncode == 1
    coverage, readers = summary["problems"]
    assert coverage.startswith("monitor: field coverage fell")
    assert "publication time with its time of day: 0% of articles against 100%" in coverage
    assert readers.startswith("monitor: more articles read by a fallback") and "generic reader: 100%" in readers
    assert summary["monitors"]["problems"] == summary["problems"]
    assert summary["monitors"]["profile"]["shares"]["generic"] == 1.0
    assert PASSWORD not in run.stderr and "secret-token" not in run.stderr
    assert "secret-token" not in json.dumps(summary)


def test_the_alert_names_the_problems_and_where_to_look(days: dict[str, Any]) -> None:
    summary = days["summaries"][3]
    [post], [mail] = days["posts"], days["mails"]
    assert post["cqnnews"]["spider"] == "yaowen" and post["cqnnews"]["problems"] == summary["problems"]
    assert post["cqnnews"]["summary"].endswith(".summary.json") and post["text"].startswith("[cqnnews] yaowen UNHEALTHY")
    assert mail["To"] == "desk@example.org" and "UNHEALTHY" in mail["Subject"]
    assert summary["problems"][0] in mail.get_payload(decode=True).decode()


def test_the_report_and_the_history_page_render_in_chromium(days: dict[str, Any], tmp_path: Path) -> None:
    folder = days["workdir"] / "feeds" / "yaowen"
    [report] = sorted(folder.glob("*.report.html"))[-1:]
    page = render(report, tmp_path / "report.png")
    assert page.console_errors == [] and page.requests == [report.absolute().as_uri()]  # self-contained
    assert len(page.plots) == 2 and all(box["width"] > 300 and box["height"] > 150 for box in page.plots)
    assert all(marks > 20 for marks in page.plot_marks)  # bars, lines and markers drawn, not an empty frame
    assert page.tables >= 5 and page.rows >= 10
    assert (tmp_path / "report.png").stat().st_size > 20_000
    html = report.read_text(encoding="utf-8")
    assert "UNHEALTHY" in html and days["summaries"][3]["problems"][0] in unescape(html)
    history = render(folder / "index.html", tmp_path / "index.png")
    assert history.console_errors == [] and len(history.requests) == 1
    assert len(history.plots) == 2 and all(marks > 10 for marks in history.plot_marks)
    assert history.rows == 4  # one row per run, each linking its summary and report
    index = (folder / "index.html").read_text(encoding="utf-8")
    assert all(f'href="{r.name}"' in index for r in folder.glob("*.report.html"))
