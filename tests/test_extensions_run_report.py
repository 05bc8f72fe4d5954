"""The run's report and the history page (cqnnews/extensions/run_report.py), from an outcome made by hand."""

from __future__ import annotations

from pathlib import Path

from scrapy.settings import Settings

from cqnnews.extensions.run_report import RunReport
from tests.outcomes import outcome, profile


def report(feed_dir: Path) -> RunReport:
    return RunReport(Settings({"CQN_FEED_DIR": str(feed_dir), "CQN_DATASET_DIR": ""}))


def test_the_report_and_the_history_page_show_the_run_before_its_summary_is_written(tmp_path: Path) -> None:
    made = outcome(tmp_path, profile=profile(), history=(profile(day="2026-11-29"),),
                   problems=("coverage fell",))
    done = report(tmp_path).run_finished(made)
    assert done is not None and done.healthy is False and done.problems == ("coverage fell",)
    assert done.report_page == tmp_path / "yaowen" / "20261130T061000Z.report.html"
    page = done.report_page.read_text(encoding="utf-8")
    assert "UNHEALTHY" in page and "coverage fell" in page and "<svg" in page
    index = (tmp_path / "yaowen" / "index.html").read_text(encoding="utf-8")
    assert "1 runs in" in index and 'href="20261130T061000Z.report.html"' in index and "coverage fell" in index
    assert made.summary_path is not None and not made.summary_path.exists()  # the summary extension's, later


def test_a_named_feeds_folder_gets_no_history_page(tmp_path: Path) -> None:
    done = report(tmp_path / "elsewhere").run_finished(outcome(tmp_path))
    assert done is not None and done.report_page is not None and done.report_page.exists()
    assert not (tmp_path / "yaowen" / "index.html").exists()


def test_a_report_that_cannot_be_written_is_a_problem_of_the_run(tmp_path: Path) -> None:
    made = outcome(tmp_path)
    (tmp_path / "yaowen" / "20261130T061000Z.report.html").write_text("<html>my own page</html>", encoding="utf-8")
    done = report(tmp_path).run_finished(made)
    assert done is not None and not done.healthy and done.report_page is None
    assert done.problems[0].startswith("the run report beside ") and "not written by cqnnews" in done.problems[0]


def test_without_a_feed_there_is_no_report(tmp_path: Path) -> None:
    assert report(tmp_path).run_finished(outcome(tmp_path, feed=False)) is None
    assert not (tmp_path / "yaowen").exists()
