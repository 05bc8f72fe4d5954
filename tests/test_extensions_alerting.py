"""Alerts after a run (cqnnews/extensions/alerting.py), from an outcome made by hand, to a local receiver."""

from __future__ import annotations

from pathlib import Path

from scrapy.settings import Settings

from cqnnews.extensions.alerting import Alerting
from tests.alert_servers import webhook_receiver
from tests.outcomes import outcome


def alerting(url: str, always: str = "false") -> Alerting:
    return Alerting(Settings({"CQN_ALERT_WEBHOOK": url, "CQN_ALERT_ALWAYS": always}))


def test_an_unhealthy_run_is_posted_with_every_problem_so_far(tmp_path: Path) -> None:
    page = tmp_path / "yaowen" / "20261130T061000Z.report.html"
    made = outcome(tmp_path, problems=("3 articles failed", "coverage fell"), report_page=page)
    with webhook_receiver() as hook:
        assert alerting(hook.url).run_finished(made) == made  # sent: nothing added
    [post] = hook.posts
    assert post["cqnnews"]["problems"] == ["3 articles failed", "coverage fell"]
    assert post["cqnnews"]["report"] == str(page) and post["cqnnews"]["summary"] == str(made.summary_path)


def test_an_alert_not_accepted_is_a_problem_of_the_run(tmp_path: Path) -> None:
    with webhook_receiver(status=500) as hook:
        done = alerting(hook.url).run_finished(outcome(tmp_path, problems=("3 articles failed",)))
    assert done is not None and len(done.problems) == 2 and "HTTP 500" in done.problems[1]


def test_a_healthy_run_alerts_only_when_asked(tmp_path: Path) -> None:
    with webhook_receiver() as hook:
        alerting(hook.url).run_finished(outcome(tmp_path))
        assert hook.posts == []
        alerting(hook.url, always="true").run_finished(outcome(tmp_path))
        assert hook.posts[0]["text"] == "[cqnnews] yaowen healthy"


def test_without_a_feed_no_alert_is_sent(tmp_path: Path) -> None:
    with webhook_receiver() as hook:
        assert alerting(hook.url).run_finished(outcome(tmp_path, feed=False, problems=("x",))) is None
    assert hook.posts == []
