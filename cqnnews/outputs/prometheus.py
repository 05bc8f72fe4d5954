"""``<CQN_PROMETHEUS_DIR>/<spider>.prom``: the last run in node_exporter's textfile format.

node_exporter's textfile collector (``--collector.textfile.directory``) reads every ``*.prom``
file of a folder; each run replaces its spider's file in one rename, so the collector never
reads half of one.  Gauges, labelled by spider: when the last run finished, whether it was
healthy, its articles by outcome, its problems, requests and duration, and the articles pending.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from cqnnews.atomic import write_atomic

METRICS = {
    "cqnnews_last_run_finished_timestamp_seconds": "When the spider's last run finished (Unix time).",
    "cqnnews_last_run_healthy": "1 if the spider's last run was healthy, else 0.",
    "cqnnews_last_run_articles": "Articles of the last run, by outcome (new, revised, failed...).",
    "cqnnews_last_run_problems": "Problems of the last run (each is in its summary).",
    "cqnnews_last_run_requests": "Requests the last run made.",
    "cqnnews_last_run_duration_seconds": "How long the last run took.",
    "cqnnews_pending_articles": "Articles found and not yet exported, after the last run.",
}

def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _number(value: float) -> str:
    return str(int(value)) if value.is_integer() else repr(value)


def textfile(summary: dict[str, Any]) -> str:
    spider = _label(str(summary.get("spider")))
    finished = summary.get("finished_at")
    stamp = datetime.fromisoformat(finished.replace("Z", "+00:00")).timestamp() if finished else 0.0
    values: dict[str, list[tuple[str, float]]] = {
        "cqnnews_last_run_finished_timestamp_seconds": [("", stamp)],
        "cqnnews_last_run_healthy": [("", 1.0 if summary.get("healthy") else 0.0)],
        "cqnnews_last_run_articles": [(f',outcome="{_label(k)}"', float(v))
                                      for k, v in (summary.get("totals") or {}).items()],
        "cqnnews_last_run_problems": [("", float(len(summary.get("problems") or [])))],
        "cqnnews_last_run_requests": [("", float((summary.get("requests") or {}).get("total") or 0))],
        "cqnnews_last_run_duration_seconds": [("", float(summary.get("duration_seconds") or 0))],
        "cqnnews_pending_articles": [("", float(max((summary.get("state") or {}).get("pending", 0), 0)))],
    }
    lines = []
    for name, help_text in METRICS.items():
        lines += [f"# HELP {name} {help_text}", f"# TYPE {name} gauge"]
        lines += [f'{name}{{spider="{spider}"{extra}}} {_number(value)}' for extra, value in values[name]]
    return "\n".join(lines) + "\n"


def write(folder: Path, summary: dict[str, Any]) -> Path:
    """The spider's ``.prom`` file, replaced in one rename."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{summary.get('spider')}.prom"
    write_atomic(path, textfile(summary))  # the temporary is not *.prom: the collector never reads it half-written
    return path
