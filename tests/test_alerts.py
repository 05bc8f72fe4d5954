"""Alerts (cqnnews/outputs/alerts.py) against a local webhook receiver and a local SMTP server."""

from __future__ import annotations

import logging

import pytest
from scrapy.settings import Settings

from cqnnews.outputs.alerts import Alert, check_alert_settings, send
from tests.alert_servers import PASSWORD, smtp_server, webhook_receiver

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")

ALERT = Alert("yaowen", False, ["monitor: field coverage fell", "3 articles failed"], "feeds/yaowen/a.summary.json",
              "feeds/yaowen/a.report.html", "feeds/yaowen/a.jsonl")


def settings(**values: str) -> Settings:
    return Settings({"CQN_ALERT_ALWAYS": "false", **values})


def test_an_unhealthy_run_is_posted_and_mailed_and_no_secret_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with webhook_receiver() as hook, smtp_server() as mail:
        failures = send(settings(CQN_ALERT_WEBHOOK=hook.url, CQN_ALERT_EMAIL="a@example.org, b@example.org",
                                 CQN_SMTP_URL=mail.url, CQN_ALERT_FROM="cqnnews@example.org"), ALERT)
    assert failures == []
    [post] = hook.posts
    assert post["text"].startswith("[cqnnews] yaowen UNHEALTHY: monitor: field coverage fell")
    assert post["cqnnews"]["problems"] == ALERT.problems and post["cqnnews"]["report"] == ALERT.report
    assert post["attachments"][0]["color"] == "danger"
    [message] = mail.messages
    assert mail.envelopes == [("cqnnews@example.org", ["a@example.org", "b@example.org"])] and mail.logins
    assert message["Subject"] == ALERT.subject
    body = message.get_payload(decode=True).decode()
    assert "- 3 articles failed" in body and "feeds/yaowen/a.summary.json" in body
    assert PASSWORD not in caplog.text and "secret-token" not in caplog.text


def test_a_healthy_run_alerts_only_when_asked() -> None:
    healthy = Alert("yaowen", True, [], "s.json", None, None)
    with webhook_receiver() as hook:
        assert send(settings(CQN_ALERT_WEBHOOK=hook.url), healthy) == []
        assert hook.posts == []
        assert send(settings(CQN_ALERT_WEBHOOK=hook.url, CQN_ALERT_ALWAYS="true"), healthy) == []
        assert hook.posts[0]["text"] == "[cqnnews] yaowen healthy"


def test_an_alert_not_accepted_is_one_line_without_its_secret(caplog: pytest.LogCaptureFixture) -> None:
    with webhook_receiver(status=500) as hook, smtp_server() as mail:
        wrong = mail.url.replace(PASSWORD, "wrong-pass")
        failures = send(settings(CQN_ALERT_WEBHOOK=hook.url, CQN_ALERT_EMAIL="a@example.org", CQN_SMTP_URL=wrong),
                        ALERT)
    assert len(failures) == 2 and "HTTP 500" in failures[0] and "secret-token" not in failures[0]
    assert "wrong-pass" not in failures[1] and "***" in failures[1]
    assert "wrong-pass" not in caplog.text and "secret-token" not in caplog.text
    assert mail.messages == []


@pytest.mark.parametrize(("values", "says"), [
    ({"CQN_ALERT_WEBHOOK": "ftp://x/y"}, "CQN_ALERT_WEBHOOK must be an http(s):// URL"),
    ({"CQN_ALERT_EMAIL": "a@example.org"}, "CQN_ALERT_EMAIL needs CQN_SMTP_URL"),
    ({"CQN_ALERT_EMAIL": "a@example.org", "CQN_SMTP_URL": "smtp://u:pw@/"}, "got smtp://u:***@/"),
])
def test_alert_settings_that_cannot_work_are_one_line(values: dict[str, str], says: str) -> None:
    problem = check_alert_settings(Settings(values))
    assert problem is not None and says in problem and "pw" not in problem
