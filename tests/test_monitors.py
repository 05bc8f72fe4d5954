"""The monitors (cqnnews/outputs/monitors.py, spidermon) against made-up histories, and the history the state keeps."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from cqnnews.outputs.monitors import Limits, check
from cqnnews.state.history import ArticlesRead, RunProfile
from cqnnews.state.store import StateStore
from tests.test_pipelines import ARTICLE


def profile(day: int, *, generic: float = 0.0, fallback: float = 0.0, time_of_day: float = 0.95,
            body: float = 900.0, routes: dict[str, str] | None = None, new: dict[str, int] | None = None,
            read: int = 40) -> RunProfile:
    return RunProfile(f"2026-11-{day:02d}", None, read, {"time_of_day": time_of_day, "authors": 0.8, "source": 0.3,
                                                       "body_chars": body, "generic": generic, "fallback": fallback},
                      new if new is not None else {"要闻一": 6, "时评": 1}, routes or {"要闻一": "menu"})


HISTORY = [profile(day) for day in range(1, 8)]


def test_a_run_like_its_history_passes() -> None:
    assert check(profile(8), HISTORY, Limits()) == []


def test_a_redesign_read_by_fallbacks_fails_readers_and_coverage() -> None:
    problems = check(profile(8, generic=1.0, fallback=1.0, time_of_day=0.0, body=500.0), HISTORY, Limits())
    assert len(problems) == 2
    assert "publication time with its time of day: 0% of articles against 95%" in problems[0]
    assert "median body length: 500 characters against 900" in problems[0]
    assert "read by the generic reader: 100% of articles against 0%" in problems[1]


def test_margins_are_settings() -> None:
    run = profile(8, fallback=0.15, time_of_day=0.8)
    assert check(run, HISTORY, Limits()) == []  # within 0.2
    assert len(check(run, HISTORY, Limits(coverage_drop=0.1, reader_rise=0.1))) == 2


def test_a_rise_of_refused_readings_fails_the_rejections_monitor() -> None:
    """A template change under a reading (the source span now the time): more articles with a refused reading."""
    def refusing(day: int, share: float) -> RunProfile:
        run = profile(day)
        return dataclasses.replace(run, shares={**run.shares, "rejected": share})

    history = [refusing(day, 0.02) for day in range(1, 8)]
    assert check(refusing(8, 0.1), history, Limits()) == []  # within CQN_MONITOR_REJECTED_RISE 0.1
    [problem] = check(refusing(8, 0.9), history, Limits())
    assert "refused by its field's check: 90% of articles against 2%" in problem
    assert "CQN_MONITOR_REJECTED_RISE=0.1" in problem
    assert len(check(refusing(8, 0.1), history, Limits(rejected_rise=0.05))) == 1
    assert check(refusing(8, 0.9), HISTORY, Limits()) == []  # a history from before the check: nothing to compare


def test_a_section_that_publishes_daily_and_falls_silent() -> None:
    quiet = [*HISTORY[:4], *(profile(day, new={"要闻一": 0, "时评": 0}) for day in range(5, 8))]
    [problem] = check(profile(8, new={"要闻一": 0, "时评": 0}), quiet, Limits())
    assert "要闻一 (4 days)" in problem and "时评" in problem
    # 时评 published on 4 of 8 days: a section of most days too; with 1 new on day 7 it is not silent
    assert check(profile(8, new={"要闻一": 0, "时评": 0}), quiet, Limits(silent_days=5)) == []


def test_a_listing_found_by_another_route() -> None:
    [problem] = check(profile(8, routes={"要闻一": "node_id"}), HISTORY, Limits())
    assert "要闻一 by node_id, not menu" in problem


def test_too_little_history_skips_rather_than_fails() -> None:
    assert check(profile(3, generic=1.0, fallback=1.0), HISTORY[:2], Limits()) == []
    assert check(profile(8, generic=1.0, fallback=1.0, read=2), HISTORY, Limits()) == []  # this run read 2


def test_reading_counts_what_each_article_had() -> None:
    reading = ArticlesRead()
    reading.add(ARTICLE, {})
    date_only = dataclasses.replace(ARTICLE, published_at="2026-11-02T00:00:00+08:00", authors=[], layout="generic",
                                    flags=["date_from_url"])
    reading.add(date_only, {"published_at": "url"})
    shares = reading.shares()
    assert shares["time_of_day"] == 0.5 and shares["authors"] == 0.5 and shares["generic"] == 0.5
    assert shares["fallback"] == 0.5 and shares["body_chars"] == len(ARTICLE.body)


def test_reading_counts_the_articles_with_a_refused_reading() -> None:
    reading = ArticlesRead()
    reading.add(ARTICLE, {}, [("source", "div.info span")])
    reading.add(ARTICLE, {}, [])
    reading.add(ARTICLE, {"source": "meta_line"}, [("source", "div.info span"), ("title", "h1")])
    reading.add(ARTICLE, {})
    assert reading.shares()["rejected"] == 0.5


def test_the_state_keeps_the_last_runs(tmp_path: Path) -> None:
    store = StateStore.open(tmp_path, "yaowen")
    try:
        for day in range(1, 6):
            store.record_run(profile(day).record(), keep=3)
        assert [RunProfile.of(r).day for r in store.runs(10)] == ["2026-11-03", "2026-11-04", "2026-11-05"]
        assert [RunProfile.of(r).day for r in store.runs(2)] == ["2026-11-04", "2026-11-05"]
    finally:
        store.close()


def test_a_rise_of_listings_read_generically_fails_readers() -> None:
    history = [dataclasses.replace(p, shares={**p.shares, "listings_generic": 0.0}) for p in HISTORY]
    redesigned = profile(8)
    redesigned.shares["listings_generic"] = 1.0
    [problem] = check(redesigned, history, Limits())
    assert "listings read by the generic listing reading: 100% of listings against 0%" in problem
    assert check(profile(8), HISTORY, Limits()) == []  # a history without the share: nothing to compare


def test_the_generic_listing_share_of_a_run() -> None:
    from cqnnews.state.history import generic_listing_share

    walked = [{"readings": {"generic": 2}}, {"readings": {"cont_l": 1}}, {"readings": {}}, {"readings": {"cont_l": 1}}]
    assert generic_listing_share(walked) == round(1 / 3, 4)
    assert generic_listing_share([{"readings": {}}]) is None
