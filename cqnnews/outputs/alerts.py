"""Alerts that reach someone: a JSON POST to ``CQN_ALERT_WEBHOOK`` and an e-mail to ``CQN_ALERT_EMAIL``.

Sent after an unhealthy run (and after every run with ``CQN_ALERT_ALWAYS=true``), once the
summary is written.  The webhook gets a Slack-compatible payload (``text`` and ``attachments``
for Slack and Mattermost; ``cqnnews`` with the spider, the problems and the paths of the summary
and the report, for anything else).  The e-mail goes through ``CQN_SMTP_URL``
(``smtp://user:password@host:port``; ``smtps://`` for TLS from the start; ``?starttls=true`` to
upgrade a plain connection) from ``CQN_ALERT_FROM``.  No password, token or webhook path appears
in a log line: webhook URLs are logged as their host only, SMTP URLs without their password.
"""

from __future__ import annotations

import json
import logging
import smtplib
import socket
import ssl
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from cqnnews.urls import redact, webhook_host

logger = logging.getLogger(__name__)
TIMEOUT = 15.0  # seconds for each alert to be accepted


@dataclass
class Alert:
    spider: str
    healthy: bool
    problems: list[str]
    summary: str | None  # where the run's summary is
    report: str | None  # where its report is
    feed: str | None

    @property
    def subject(self) -> str:
        state = "healthy" if self.healthy else "UNHEALTHY"
        first = f": {self.problems[0]}" if self.problems else ""
        more = f" (+{len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
        return f"[cqnnews] {self.spider} {state}{first}{more}"[:250]

    def text(self) -> str:
        lines = [self.subject, ""]
        lines += [f"- {p}" for p in self.problems] or ["no problem"]
        lines += ["", f"summary: {self.summary or 'not written'}", f"report: {self.report or 'not written'}",
                  f"feed: {self.feed or 'none'}"]
        return "\n".join(lines) + "\n"

    def payload(self) -> dict[str, Any]:
        """Slack's incoming-webhook message, with the alert's own fields beside it."""
        return {
            "text": self.subject,
            "attachments": [{"color": "good" if self.healthy else "danger", "text": "\n".join(self.problems),
                             "fields": [{"title": "summary", "value": self.summary or "not written", "short": False},
                                        {"title": "report", "value": self.report or "not written", "short": False}]}],
            "cqnnews": {"spider": self.spider, "healthy": self.healthy, "problems": self.problems,
                        "summary": self.summary, "report": self.report, "feed": self.feed},
        }


def post_webhook(url: str, alert: Alert) -> None:
    """POST the payload; OSError (with the host only) if it was not accepted."""
    request = urllib.request.Request(url, data=json.dumps(alert.payload(), ensure_ascii=False).encode(),
                                     headers={"Content-Type": "application/json; charset=utf-8",
                                              "User-Agent": "cqnnews-alerts"}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310 (http(s) checked)
            response.read()
    except urllib.error.HTTPError as exc:
        raise OSError(f"{webhook_host(url)} answered HTTP {exc.code}") from None
    except (urllib.error.URLError, TimeoutError, socket.timeout) as exc:
        reason = getattr(exc, "reason", exc)
        raise OSError(f"{webhook_host(url)} could not be reached ({reason})") from None


def send_email(smtp_url: str, sender: str, recipients: list[str], alert: Alert) -> None:
    """Send the alert as a plain-text e-mail; OSError (the URL without its password) if it was not accepted."""
    parts = urlsplit(smtp_url)
    options = {k: v[-1].lower() for k, v in parse_qs(parts.query).items()}
    message = EmailMessage()
    message["Subject"], message["From"], message["To"] = alert.subject, sender, ", ".join(recipients)
    message.set_content(alert.text())
    where = redact(smtp_url)
    try:
        if parts.scheme == "smtps":
            client: smtplib.SMTP = smtplib.SMTP_SSL(parts.hostname or "localhost", parts.port or 465,
                                                    timeout=TIMEOUT, context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(parts.hostname or "localhost", parts.port or 25, timeout=TIMEOUT)
        with client:
            if options.get("starttls") in ("true", "1", "yes"):
                client.starttls(context=ssl.create_default_context())
            if parts.username:
                client.login(unquote(parts.username), unquote(parts.password or ""))
            client.send_message(message)
    except (smtplib.SMTPException, OSError) as exc:
        reason = exc.smtp_error.decode(errors="replace") if isinstance(exc, smtplib.SMTPResponseException) \
            else (exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__)
        raise OSError(f"{where}: {reason}") from None


def check_alert_settings(settings: Any) -> str | None:
    """What is wrong with the alert settings, in one line; None when they can be used (or are unset)."""
    hook = settings.get("CQN_ALERT_WEBHOOK") or ""
    if hook and urlsplit(hook).scheme not in ("http", "https"):
        return f"CQN_ALERT_WEBHOOK must be an http(s):// URL, got {webhook_host(hook)}"
    if settings.get("CQN_ALERT_EMAIL"):
        smtp = settings.get("CQN_SMTP_URL") or ""
        if urlsplit(smtp).scheme not in ("smtp", "smtps") or not urlsplit(smtp).hostname:
            return ("CQN_ALERT_EMAIL needs CQN_SMTP_URL as smtp://user:password@host:port (smtps:// for TLS, "
                    f"?starttls=true to upgrade), got {redact(smtp) if smtp else 'nothing'}")
    return None


def send(settings: Any, alert: Alert) -> list[str]:
    """Every alert asked for by the settings; the problems sending them, one line each ([] if all went)."""
    if alert.healthy and not settings.getbool("CQN_ALERT_ALWAYS"):
        return []
    failures = []
    if hook := settings.get("CQN_ALERT_WEBHOOK"):
        try:
            post_webhook(hook, alert)
            logger.info("alert posted to %s", webhook_host(hook))
        except OSError as exc:
            failures.append(f"the webhook alert was not sent: {exc}")
    if recipients := [r.strip() for r in (settings.get("CQN_ALERT_EMAIL") or "").split(",") if r.strip()]:
        sender = settings.get("CQN_ALERT_FROM") or f"cqnnews@{socket.gethostname()}"
        try:
            send_email(settings.get("CQN_SMTP_URL") or "", sender, recipients, alert)
            logger.info("alert mailed to %s", ", ".join(recipients))
        except OSError as exc:
            failures.append(f"the e-mail alert was not sent: {exc}")
    for failure in failures:
        logger.error(failure)
    return failures
