from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path

from scrapy.settings import Settings

from cqnnews.outputs.feeds import AtomicFileFeedStorage, apply_default_feed, default_feed_path

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


class FakeSpider:
    name = "yaowen"


def test_atomic_storage_shows_nothing_under_the_final_name_until_stored(tmp_path: Path) -> None:
    final = tmp_path / "feeds" / "x.jsonl"
    storage = AtomicFileFeedStorage(str(final), feed_options={"overwrite": True})
    file = storage.open(FakeSpider())  # type: ignore[arg-type]
    file.write(b'{"a": 1}\n')
    [part] = (tmp_path / "feeds").glob("x.jsonl.*.part")
    assert not final.exists() and part.name.startswith("x.jsonl.yaowen.") and f".{os.getpid()}." in part.name
    storage.store(file)
    assert final.read_bytes() == b'{"a": 1}\n' and not part.exists()


def test_a_failed_write_marks_the_feed_failed_and_it_is_never_stored(tmp_path: Path) -> None:
    final = tmp_path / "x.jsonl"
    storage = AtomicFileFeedStorage(str(final), feed_options={"overwrite": True})
    file = storage.open(FakeSpider())  # type: ignore[arg-type]
    file.write(b'{"a": 1}\n')
    [part] = tmp_path.glob("x.jsonl.*.part")
    file.file.close()
    file.file = open("/dev/full", "wb", buffering=0)  # noqa: SIM115  every write: ENOSPC
    assert file.write(b'{"b": 2}\n') == 9  # taken, and dropped: the feed is failed
    assert isinstance(file.error, OSError) and file.error.errno == 28
    file.write(b'{"c": 3}\n')
    storage.store(file)  # type: ignore[arg-type]
    assert not final.exists() and not part.exists()


def test_atomic_storage_appends_for_dash_o(tmp_path: Path) -> None:
    final = tmp_path / "x.jsonl"
    final.write_bytes(b"old\n")
    storage = AtomicFileFeedStorage(str(final), feed_options={"overwrite": False})
    file = storage.open(FakeSpider())  # type: ignore[arg-type]
    file.write(b"new\n")
    assert final.read_bytes() == b"old\n"
    storage.store(file)
    assert final.read_bytes() == b"old\nnew\n"


def test_dead_runs_parts_and_old_feeds_are_removed_and_nothing_else(tmp_path: Path) -> None:
    import subprocess
    import sys
    import time

    from cqnnews.outputs.feeds import _HOST, tidy_feed_dir

    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(done.stdout)  # that process has exited
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        names = {
            "dead": f"a.jsonl.yaowen.{_HOST}.{dead_pid}.20261129T000000Z.part",
            "alive": f"b.jsonl.yaowen.{_HOST}.{alive.pid}.20261129T000000Z.part",
            "other_host": f"c.jsonl.yaowen.elsewhere-host.{dead_pid}.20261129T000000Z.part",
            "old_feed": "20261001T000000Z.jsonl", "old_summary": "20261001T000000Z.summary.json",
            "old_signatures": "20261001T000000Z.signatures", "new_feed": "20261129T000000Z.jsonl", "stranger": "notes.txt",
        }
        for name in names.values():
            (tmp_path / name).write_text("x")
        month_ago = time.time() - 40 * 86400
        for key in ("old_feed", "old_summary", "old_signatures", "stranger"):
            os.utime(tmp_path / names[key], (month_ago, month_ago))
        assert {p.name for p in tidy_feed_dir(tmp_path, keep_days=0)} == {names["dead"]}
        assert {p.name for p in tidy_feed_dir(tmp_path, keep_days=30)} == {names["old_feed"], names["old_summary"],
                                                                          names["old_signatures"]}
        assert {p.name for p in tmp_path.iterdir()} == {names[k] for k in ("alive", "other_host", "new_feed",
                                                                           "stranger")}
    finally:
        alive.kill()
        alive.wait()
