"""The automatic dataset update (cqnnews/extensions/dataset_update.py), from an outcome made by hand."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy.settings import Settings

from cqnnews.extensions.dataset_update import DatasetUpdate
from cqnnews.extras import installed
from tests.outcomes import outcome


def update(tmp_path: Path, auto: str = "true", dataset: Path | None = None) -> DatasetUpdate:
    return DatasetUpdate(Settings({"CQN_DATASET_AUTO": auto, "CQN_FEED_DIR": str(tmp_path),
                                   "CQN_DATASET_DIR": str(dataset or tmp_path / "dataset"), "CQN_STATE_DIR": ""}))


def test_only_when_asked_and_articles_were_committed(tmp_path: Path) -> None:
    assert update(tmp_path, auto="false").run_finished(outcome(tmp_path)) is None
    assert update(tmp_path).run_finished(outcome(tmp_path, committed=0)) is None
    assert not (tmp_path / "dataset").exists()


@pytest.mark.skipif(not installed("dataset"), reason="the dataset extra (pyarrow, duckdb)")
def test_a_run_that_committed_articles_updates_the_dataset(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert update(tmp_path).run_finished(outcome(tmp_path)) is None
    assert (tmp_path / "dataset" / "current").exists()
    assert "cqnnews: " in capsys.readouterr().out


@pytest.mark.skipif(not installed("dataset"), reason="the dataset extra (pyarrow, duckdb)")
def test_a_dataset_that_cannot_be_updated_is_a_problem_of_the_run(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "blocked").write_text("a file where the dataset folder goes")
    done = update(tmp_path, dataset=tmp_path / "blocked").run_finished(outcome(tmp_path))
    assert done is not None and not done.healthy and "was not updated" in done.problems[0]
    assert "not updated" in capsys.readouterr().err
