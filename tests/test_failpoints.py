"""Failpoints (cqnnews/failpoints.py): a worker held at a named point until the test lets it go on."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from cqnnews import failpoints


def test_a_pause_point_holds_the_process_until_its_marker_is_removed(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CQN_PAUSEPOINT", "switch_taken")
    monkeypatch.setenv("CQN_PAUSE_DIR", str(tmp_path))
    monkeypatch.setattr(failpoints, "_held", set())
    let_go: list[Path] = []

    def test_side() -> None:  # waits for the marker (the condition), then lets the process go on
        while not (markers := list(tmp_path.glob("switch_taken.*"))):
            threading.Event().wait(0.01)
        let_go.extend(markers)
        markers[0].unlink()

    helper = threading.Thread(target=test_side)
    helper.start()
    failpoints.reached("crawl_joined")  # another point: passes
    failpoints.reached("switch_taken")  # held until the helper removed the marker
    helper.join(timeout=30)
    assert [p.name.split(".")[0] for p in let_go] == ["switch_taken"]
    failpoints.reached("switch_taken")  # held once: the second time passes at once
    assert list(tmp_path.iterdir()) == []


def test_every_redis_step_is_named() -> None:
    assert set(failpoints.REDIS_POINTS).isdisjoint(failpoints.POINTS)
    assert {"run_opened", "switch_taken", "requeued_one", "crawl_finishing"} <= set(failpoints.REDIS_POINTS)
