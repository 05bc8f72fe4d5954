"""The server files under deploy/, checked by the tools that read them: systemd-analyze and logrotate."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.crawl import ROOT

DEPLOY = ROOT / "deploy"


def rendered(source: Path, target: Path, base: Path) -> Path:
    """The file with /opt/cqnnews replaced by a real checkout, as its installer would."""
    target.write_text(source.read_text(encoding="utf-8").replace("/opt/cqnnews", str(base)), encoding="utf-8")
    return target


def test_the_systemd_service_and_timer_verify(tmp_path: Path) -> None:
    tool = shutil.which("systemd-analyze")
    if tool is None:
        pytest.skip("systemd-analyze is not on this machine")
    checkout = tmp_path / "cqnnews"
    (checkout / ".venv" / "bin").mkdir(parents=True)
    scrapy = checkout / ".venv" / "bin" / "scrapy"
    scrapy.write_text("#!/bin/sh\n")
    scrapy.chmod(0o755)
    units = tmp_path / "units"
    units.mkdir()
    for name in ("cqnnews@.service", "cqnnews@.timer"):
        rendered(DEPLOY / "systemd" / name, units / name.replace("@", "@yaowen"), checkout)
    done = subprocess.run([tool, "verify", str(units / "cqnnews@yaowen.service"), str(units / "cqnnews@yaowen.timer")],
                          capture_output=True, text=True, env={**os.environ, "SYSTEMD_LOG_LEVEL": "warning"})
    # systemd-analyze exits 0 even for a unit it had to ignore lines of: what it says about ours is what counts
    problems = [line for line in done.stderr.splitlines() if "cqnnews" in line]
    assert done.returncode == 0 and problems == [], done.stderr


def test_the_logrotate_example_parses_and_would_rotate(tmp_path: Path) -> None:
    tool = shutil.which("logrotate") or "/usr/sbin/logrotate"
    assert Path(tool).exists(), "make test installs logrotate (scripts/tools.sh)"
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "yaowen.log").write_text("2026-11-29 06:30:00 [scrapy.core.engine] INFO: Spider opened\n")
    config = rendered(DEPLOY / "logrotate" / "cqnnews", tmp_path / "cqnnews.conf", tmp_path)
    done = subprocess.run([tool, "-d", "-f", "-s", str(tmp_path / "status"), str(config)], capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr
    assert "yaowen.log" in done.stderr + done.stdout and "error" not in (done.stderr + done.stdout).lower()
