"""The Prometheus textfile (cqnnews/outputs/prometheus.py): node_exporter's format, replaced whole."""

from __future__ import annotations

from pathlib import Path

from cqnnews.outputs.prometheus import write

SUMMARY = {"spider": "yaowen", "finished_at": "2026-11-30T06:12:00Z", "healthy": False,
           "totals": {"new": 3, "revised": 1, "failed": 2}, "problems": ["a", "b"], "requests": {"total": 40},
           "duration_seconds": 61.5, "state": {"pending": 2}}


def test_the_last_run_as_gauges(tmp_path: Path) -> None:
    path = write(tmp_path / "textfiles", SUMMARY)
    assert path.name == "yaowen.prom" and [p.name for p in path.parent.iterdir()] == ["yaowen.prom"]
    lines = path.read_text().splitlines()
    assert 'cqnnews_last_run_healthy{spider="yaowen"} 0' in lines
    assert 'cqnnews_last_run_articles{spider="yaowen",outcome="failed"} 2' in lines
    assert 'cqnnews_last_run_finished_timestamp_seconds{spider="yaowen"} 1796019120' in lines
    assert 'cqnnews_pending_articles{spider="yaowen"} 2' in lines
    samples = [line for line in lines if not line.startswith("#")]
    helps = [line for line in lines if line.startswith("# TYPE ")]
    assert len(helps) == 7 and all(line.endswith(" gauge") for line in helps) and len(samples) == 9
