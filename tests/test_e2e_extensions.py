"""The after-run jobs are extensions: a crawl with some of them switched off in EXTENSIONS does without them, and
the others still run."""

from __future__ import annotations

import json
from pathlib import Path

from cqnnews import settings as project
from tests.alert_servers import webhook_receiver
from tests.conftest import NOW
from tests.crawl import run_crawl
from tests.replica.process import RunningReplica

OFF = ("cqnnews.extensions.run_report.RunReport", "cqnnews.extensions.alerting.Alerting")


def test_a_crawl_without_the_report_and_the_alerts_writes_its_summary_and_sends_nothing(
        replica: RunningReplica, tmp_path: Path) -> None:
    extensions = {**project.EXTENSIONS, **dict.fromkeys(OFF)}  # -s replaces the whole dict: the others as they are
    with webhook_receiver() as hook:
        done = run_crawl("yaowen", replica.url, tmp_path, settings={
            "EXTENSIONS": json.dumps(extensions), "CQN_ALERT_WEBHOOK": hook.url, "CQN_ALERT_ALWAYS": "true",
            "CQN_PROMETHEUS_DIR": str(tmp_path / "prom")}, timeout=300, CQN_NOW=NOW.isoformat())
    assert done.returncode == 0, done.stderr[-3000:]
    assert hook.posts == []
    folder = tmp_path / "feeds" / "yaowen"
    [summary_path] = folder.glob("*.summary.json")
    summary = json.loads(summary_path.read_text(encoding="utf-8"))
    assert summary["healthy"] and summary["exported"] > 0 and summary["monitors"]["profile"] is not None
    assert list(folder.glob("*.report.html")) == [] and not (folder / "index.html").exists()
    assert 'cqnnews_last_run_healthy{spider="yaowen"} 1' in (tmp_path / "prom" / "yaowen.prom").read_text()
    [last] = [line for line in done.stderr.splitlines() if "run summary: " in line]
    assert "run summary: healthy" in last and last.endswith(f"summary feeds/yaowen/{summary_path.name}")
