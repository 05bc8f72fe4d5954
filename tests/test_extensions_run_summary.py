"""The run's summary file (cqnnews/extensions/run_summary.py), from an outcome made by hand."""

from __future__ import annotations

import json
from pathlib import Path

from cqnnews.extensions.run_summary import RunSummary
from tests.outcomes import outcome, profile


def test_the_summary_holds_every_problem_found_before_it(tmp_path: Path) -> None:
    made = outcome(tmp_path, profile=profile(), problems=("3 articles failed", "coverage fell"),
                   monitor_problems=("coverage fell",))
    assert RunSummary().run_finished(made) is None
    assert made.summary_path is not None
    summary = json.loads(made.summary_path.read_text(encoding="utf-8"))
    assert summary["healthy"] is False and summary["exit_status"] == 1
    assert summary["problems"] == ["3 articles failed", "coverage fell"]
    assert summary["monitors"] == {"profile": profile(), "problems": ["coverage fell"]}
    assert summary["totals"]["new"] == 2 and summary["totals"]["failed"] == 0 and summary["sections"]["要闻"]["new"] == 2
    assert summary["started_at"] == "2026-11-30T06:10:00Z" and summary["duration_seconds"] == 120.0
    assert summary["run"] == {"origin": "https://www.cqn.com.cn"} and summary["state"] == {"committed": 2, "pending": 0}
    assert summary["spotchecks"] == {"feed": None, "records": 0, "invalid": 0}


def test_a_healthy_run_says_so(tmp_path: Path) -> None:
    made = outcome(tmp_path)
    RunSummary().run_finished(made)
    assert made.summary_path is not None
    summary = json.loads(made.summary_path.read_text(encoding="utf-8"))
    assert summary["healthy"] is True and summary["exit_status"] == 0 and summary["problems"] == []


def test_a_summary_that_cannot_be_written_is_a_problem_and_someone_elses_file_is_left(tmp_path: Path) -> None:
    made = outcome(tmp_path)
    assert made.summary_path is not None
    made.summary_path.write_text('{"mine": true}\n', encoding="utf-8")
    done = RunSummary().run_finished(made)
    assert done is not None and not done.healthy and "was not written by cqnnews" in done.problems[0]
    assert made.summary_path.read_text(encoding="utf-8") == '{"mine": true}\n'


def test_without_a_place_for_it_nothing_is_written(tmp_path: Path) -> None:
    assert RunSummary().run_finished(outcome(tmp_path, feed=False, summary_path=None)) is None
