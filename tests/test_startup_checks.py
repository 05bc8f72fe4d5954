"""Start-up checks of cqnnews/crawl/startup_checks.py: setting names, and every folder a run writes."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy.settings import Settings

from cqnnews.crawl.startup_checks import check_names, check_outputs, check_settings
from cqnnews.sections import BadArgument
from tests.conftest import project_settings


def settings(**overrides: object) -> Settings:
    return Settings(project_settings(**overrides))


@pytest.mark.parametrize(("typo", "closest"), [("CQN_FEEDDIR", "CQN_FEED_DIR"), ("CQN_STATEDIR", "CQN_STATE_DIR"),
                                               ("CQN_MAX_ERROR", "CQN_MAX_ERRORS")])
def test_a_typo_in_a_cqn_setting_names_the_closest_known_one(typo: str, closest: str) -> None:
    with pytest.raises(BadArgument, match=f"unknown setting {typo}: did you mean {closest}\\?"):
        check_names(settings(**{typo: "x"}))


def test_an_unknown_name_far_from_any_says_where_they_are_listed() -> None:
    with pytest.raises(BadArgument, match="unknown setting CQN_ZZZZZZZZZZZZZZZZZZ: the settings are listed"):
        check_settings(settings(CQN_ZZZZZZZZZZZZZZZZZZ="1"))


def test_the_default_settings_pass() -> None:
    check_settings(settings())


def test_a_feed_through_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x")
    given = settings(FEEDS={str(tmp_path / "afile" / "out.jsonl"): {"format": "jsonlines"}},
                     CQN_FILES_STORE=str(tmp_path / "files"))
    with pytest.raises(BadArgument, match="the feed folder .* is a file, not a folder"):
        check_outputs(given, "yaowen")


@pytest.mark.parametrize(("name", "what"), [("CQN_FEED_DIR", "the feed folder"), ("CQN_FILES_STORE", "the files store"),
                                            ("CQN_PROMETHEUS_DIR", "the Prometheus textfile folder"),
                                            ("CQN_DATASET_DIR", "the dataset folder")])
def test_each_folder_the_run_writes_is_checked(tmp_path: Path, name: str, what: str) -> None:
    (tmp_path / "afile").write_text("x")
    good = {"CQN_FEED_DIR": str(tmp_path / "feeds"), "CQN_FILES_STORE": str(tmp_path / "files"),
            "CQN_DATASET_AUTO": "true", "CQN_DATASET_DIR": str(tmp_path / "dataset")}
    check_outputs(settings(**good), "yaowen")
    with pytest.raises(BadArgument, match=f"{what} .*afile.* cannot be written .*; set {name}"):
        check_outputs(settings(**{**good, name: str(tmp_path / "afile" / "sub")}), "yaowen")


def test_a_template_feed_is_checked_up_to_its_first_placeholder(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x")
    feeds = {str(tmp_path / "afile" / "%(time)s.jsonl"): {"format": "jsonlines"}}
    with pytest.raises(BadArgument, match="is a file, not a folder"):
        check_outputs(settings(FEEDS=feeds, CQN_FILES_STORE=""), "yaowen")


def test_a_summary_of_someone_else_beside_the_named_feed_is_refused(tmp_path: Path) -> None:
    (tmp_path / "out.summary.json").write_text('{"mine": 1}')
    feeds = {str(tmp_path / "out.csv"): {"format": "csv"}}
    with pytest.raises(BadArgument, match="out.summary.json is there and was not written by cqnnews"):
        check_outputs(settings(FEEDS=feeds, CQN_FILES_STORE=""), "yaowen")
    (tmp_path / "out.summary.json").unlink()
    check_outputs(settings(FEEDS=feeds, CQN_FILES_STORE=""), "yaowen")


def test_a_feed_elsewhere_is_not_probed(tmp_path: Path) -> None:
    check_outputs(settings(FEEDS={"stdout:": {"format": "jsonlines"}, "s3://bucket/x.jsonl": {}},
                           CQN_FILES_STORE="s3://bucket/files", CQN_FEED_DIR=""), "yaowen")


def test_for_a_feed_elsewhere_the_feed_dir_holding_its_summary_is_checked(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x")
    with pytest.raises(BadArgument, match="set CQN_FEED_DIR"):
        check_outputs(settings(FEEDS={"stdout:": {"format": "jsonlines"}}, CQN_FILES_STORE="",
                               CQN_FEED_DIR=str(tmp_path / "afile")), "yaowen")
