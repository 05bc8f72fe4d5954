"""The Prometheus textfile after a run (cqnnews/extensions/prometheus_file.py), from an outcome made by hand."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from scrapy.settings import Settings

from cqnnews.extensions.prometheus_file import PrometheusFile
from tests.outcomes import outcome


def test_the_run_with_its_final_problems_is_in_the_textfile(tmp_path: Path) -> None:
    PrometheusFile(Settings({"CQN_PROMETHEUS_DIR": str(tmp_path / "prom")})).run_finished(
        outcome(tmp_path, problems=("3 articles failed", "the webhook alert was not sent")))
    lines = (tmp_path / "prom" / "yaowen.prom").read_text(encoding="utf-8").splitlines()
    assert 'cqnnews_last_run_healthy{spider="yaowen"} 0' in lines
    assert 'cqnnews_last_run_problems{spider="yaowen"} 2' in lines
    assert 'cqnnews_last_run_articles{spider="yaowen",outcome="new"} 2' in lines
    assert 'cqnnews_last_run_duration_seconds{spider="yaowen"} 120' in lines


def test_none_without_its_folder_or_a_feed(tmp_path: Path) -> None:
    PrometheusFile(Settings({"CQN_PROMETHEUS_DIR": ""})).run_finished(outcome(tmp_path))
    PrometheusFile(Settings({"CQN_PROMETHEUS_DIR": str(tmp_path / "prom")})).run_finished(outcome(tmp_path, feed=False))
    assert not (tmp_path / "prom").exists()


def test_a_folder_that_cannot_be_written_is_logged(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    (tmp_path / "prom").write_text("a file, not a folder")
    assert PrometheusFile(Settings({"CQN_PROMETHEUS_DIR": str(tmp_path / "prom")})).run_finished(
        outcome(tmp_path)) is None
    assert [r.levelno for r in caplog.records] == [logging.ERROR] and "Prometheus textfile" in caplog.text
