from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from scrapy.settings import Settings

from cqnnews.feeds import apply_default_feed, default_feed_path

STARTED = datetime(2026, 11, 25, 6, 30, 5, tzinfo=timezone.utc)


def test_default_feed_path_is_spider_and_utc_start_time(tmp_path: Path) -> None:
    assert default_feed_path(tmp_path, "yaowen", STARTED) == tmp_path / "yaowen" / "20261125T063005Z.jsonl"


def test_runs_in_the_same_second_get_new_names(tmp_path: Path) -> None:
    first = default_feed_path(tmp_path, "yaowen", STARTED)
    first.parent.mkdir(parents=True)
    first.touch()
    second = default_feed_path(tmp_path, "yaowen", STARTED)
    assert second.name == "20261125T063005Z-2.jsonl"


def test_default_feed_honours_cqn_feed_dir(tmp_path: Path) -> None:
    settings = Settings({"CQN_FEED_DIR": str(tmp_path / "out")})
    apply_default_feed(settings, "yaowen")
    [(uri, options)] = settings.getdict("FEEDS").items()
    assert Path(uri).parent == tmp_path / "out" / "yaowen"
    assert options["format"] == "jsonlines" and options["encoding"] == "utf-8"


def test_command_line_feed_wins(tmp_path: Path) -> None:
    settings = Settings()
    settings.set("FEEDS", {"mine.jsonl": {"format": "jsonlines"}}, priority="cmdline")
    apply_default_feed(settings, "yaowen")
    assert list(settings.getdict("FEEDS")) == ["mine.jsonl"]
