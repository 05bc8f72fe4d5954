"""cqnnews/atomic.py: a file appears whole under its name or not at all, and nothing is left beside it."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from cqnnews.atomic import rename_into_place, sync_file, write_atomic


def test_text_and_bytes_replace_the_file_whole_and_leave_nothing_beside(tmp_path: Path) -> None:
    path = tmp_path / "spider.prom"
    path.write_text("old\n", encoding="utf-8")
    write_atomic(path, "新的\n")
    assert path.read_text(encoding="utf-8") == "新的\n"
    write_atomic(path, b"\x00bytes", durable=True)
    assert path.read_bytes() == b"\x00bytes"
    assert [p.name for p in tmp_path.iterdir()] == ["spider.prom"]


def test_a_new_file_gets_the_mode_open_gives_or_the_one_asked_for(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        write_atomic(tmp_path / "plain", "x")
        write_atomic(tmp_path / "private", "x", mode=0o600)
    finally:
        os.umask(umask)
    assert stat.S_IMODE((tmp_path / "plain").stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "private").stat().st_mode) == 0o600


def test_a_failed_rename_keeps_the_old_file_and_removes_the_temporary(tmp_path: Path) -> None:
    folder = tmp_path / "taken"
    folder.mkdir()
    (folder / "inside").write_text("kept", encoding="utf-8")
    with pytest.raises(OSError):
        write_atomic(folder, "never seen")  # a non-empty folder cannot be replaced by a file
    assert (folder / "inside").read_text(encoding="utf-8") == "kept"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken"]


def test_a_file_written_in_full_is_synced_then_renamed_over_the_old(tmp_path: Path) -> None:
    part, final = tmp_path / "feed.jsonl.part", tmp_path / "feed.jsonl"
    final.write_text("old\n", encoding="utf-8")
    with part.open("w", encoding="utf-8") as file:
        file.write("new\n")
        sync_file(file)
    rename_into_place(part, final, durable=True)
    assert final.read_text(encoding="utf-8") == "new\n" and not part.exists()
