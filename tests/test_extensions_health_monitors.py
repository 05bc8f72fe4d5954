"""The monitors after a run (cqnnews/extensions/health_monitors.py), from an outcome made by hand and a real state."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from scrapy.settings import Settings

from cqnnews.extensions.health_monitors import HealthMonitors
from cqnnews.state.store import StateStore
from tests.outcomes import outcome, profile


@pytest.fixture
def state(tmp_path: Path) -> Iterator[StateStore]:
    store = StateStore.open(tmp_path / "state", "yaowen")
    for day in range(20, 27):
        store.record_run(profile(day=f"2026-11-{day}", read=40))
    yield store
    store.close()


def monitors() -> HealthMonitors:
    settings = Settings()
    settings.setmodule("cqnnews.settings")
    return HealthMonitors(settings)


def test_a_run_like_its_history_passes_and_is_recorded_healthy(tmp_path: Path, state: StateStore) -> None:
    done = monitors().run_finished(outcome(tmp_path, profile=profile(read=40)), state)
    assert done is not None and done.healthy and done.monitor_problems == ()
    assert len(done.history) == 7 and done.profile is not None and done.profile["healthy"] is True
    assert state.runs(1)[0]["day"] == "2026-11-30" and state.runs(1)[0]["healthy"] is True


def test_a_redesign_is_a_problem_of_the_run_and_recorded_unhealthy(tmp_path: Path, state: StateStore) -> None:
    done = monitors().run_finished(outcome(tmp_path, profile=profile(read=40, time_of_day=0.0),
                                           problems=("3 articles failed",)), state)
    assert done is not None and len(done.monitor_problems) == 1
    assert "time of day: 0% of articles against 100%" in done.monitor_problems[0]
    assert done.problems == ("3 articles failed", *done.monitor_problems)
    assert state.runs(1)[0]["healthy"] is False and done.profile is not None and done.profile["healthy"] is False


def test_the_problems_so_far_make_the_recorded_run_unhealthy(tmp_path: Path, state: StateStore) -> None:
    done = monitors().run_finished(outcome(tmp_path, profile=profile(read=40), problems=("a feed could not be "
                                                                                          "stored",)), state)
    assert done is not None and done.monitor_problems == () and state.runs(1)[0]["healthy"] is False


def test_without_a_profile_nothing_is_checked_or_recorded(tmp_path: Path, state: StateStore) -> None:
    assert monitors().run_finished(outcome(tmp_path), state) is None
    assert len(state.runs(30)) == 7


def test_a_history_that_cannot_be_read_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    class Broken:
        recorded: list[dict[str, Any]] = []

        def runs(self, last: int) -> list[dict[str, Any]]:
            raise OSError("disk I/O error")

        def record_run(self, record: dict[str, Any]) -> None:
            self.recorded.append(record)

    broken = Broken()
    done = monitors().run_finished(outcome(tmp_path, profile=profile()), broken)  # type: ignore[arg-type]
    assert done is not None and done.problems == ("the monitors could not run (OSError)",)
    assert broken.recorded[0]["healthy"] is False
