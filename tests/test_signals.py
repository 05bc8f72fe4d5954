"""run_finished and its outcome (cqnnews/signals.py): frozen, and sent to each listener in turn."""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path

import pytest
from scrapy.signalmanager import SignalManager

from cqnnews.signals import RunOutcome, frozen, run_finished, send_in_turn, thawed
from tests.outcomes import outcome


def test_the_outcome_cannot_be_changed_only_added_to(tmp_path: Path) -> None:
    made = outcome(tmp_path)
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.problems = ("x",)  # type: ignore[misc]
    with pytest.raises(TypeError):
        made.tally["要闻"]["new"] = 3  # type: ignore[index]
    later = made.adding(["a monitor failed"], monitor_problems=["a monitor failed"])
    assert made.healthy and made.problems == () and not later.healthy
    assert later.problems == ("a monitor failed",) and later.monitor_problems == ("a monitor failed",)


def test_frozen_values_thaw_back_to_what_they_were() -> None:
    value = {"a": [1, {"b": [2, 3]}], "c": "d"}
    assert thawed(frozen(value)) == value and isinstance(frozen(value)["a"], tuple)


def test_each_listener_sees_what_the_ones_before_added_and_one_that_breaks_is_said(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    signals = SignalManager()
    seen: list[tuple[str, tuple[str, ...]]] = []

    def monitors(outcome: RunOutcome) -> RunOutcome:
        seen.append(("monitors", outcome.problems))
        return outcome.adding(["coverage fell"])

    def broken(outcome: RunOutcome) -> None:
        raise ValueError("no disk")

    def alerts(outcome: RunOutcome, state: object) -> None:
        seen.append(("alerts", outcome.problems))
        assert state == "the crawl state"

    for listener in (monitors, broken, alerts):
        signals.connect(listener, signal=run_finished)
    final = send_in_turn(signals.sender, outcome(tmp_path, problems=("3 articles failed",)), state="the crawl state")
    assert seen == [("monitors", ("3 articles failed",)),
                    ("alerts", ("3 articles failed", "coverage fell", "an after-run job failed (ValueError: no disk)"))]
    assert final.problems == seen[1][1] and not final.healthy
    assert [r.levelno for r in caplog.records] == [logging.ERROR] and "no disk" in caplog.text


def test_the_after_run_jobs_run_in_the_order_health_needs() -> None:
    """The monitors first (their problems count for every other job), the summary after the report and the
    alerts (it holds their problems), the Prometheus file after the summary; each one a line of EXTENSIONS."""
    from scrapy.utils.misc import load_object

    from cqnnews import settings

    jobs = {path.rsplit(".", 1)[1]: priority for path, priority in settings.EXTENSIONS.items()
            if hasattr(load_object(path), "run_finished")}
    assert sorted(jobs, key=jobs.__getitem__) == ["HealthMonitors", "RunReport", "Alerting", "RunSummary",
                                                  "PrometheusFile", "FeedTidying", "DatasetUpdate"]
    assert min(jobs.values()) > settings.EXTENSIONS["cqnnews.extensions.ledger.RunLedger"]
