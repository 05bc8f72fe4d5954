"""A run at a glance: ``<stamp>.report.html`` beside each summary, and ``index.html``: every run of the folder.

Both pages are self-contained: the CSS is inline and the plots are SVG written by matplotlib into
the page (``svg.fonttype`` ``none``: text stays text, drawn by the browser's fonts, so Chinese
section names read as they are).  Nothing is fetched from any other host.

The run report shows the problems, the articles exported per section per publication day (from
the feed, when it is a local file), the field coverage of this run against the earlier runs the
monitors compare it with (:mod:`cqnnews.state.history`), the readers and fallbacks used, the failures
with their reasons, and the requests and timing.  The history page lists every summary of the
folder, newest first, with links, and plots articles, failures and field coverage over the runs.
"""

from __future__ import annotations

import csv
import json
import logging
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import datetime
from html import escape
from pathlib import Path
from typing import Any

from cqnnews.outputs import html_page
from cqnnews.outputs.beside import INDEX, REPORT
from cqnnews.state.history import COVERAGE

logger = logging.getLogger(__name__)
FIELD_LABELS = {"time_of_day": "time of day", "authors": "authors", "source": "own source",
                "body_chars": "body length (÷ median)", "generic": "generic reader", "fallback": "fallbacks"}
def feed_records(feed: Path, feed_format: str | None) -> Iterable[dict[str, Any]]:
    """The articles of a local feed in any format Scrapy writes (JSON Lines, JSON, CSV, XML), as dicts whose
    ``sections`` is a list; ValueError for another format."""
    kind = (feed_format or "jsonlines").lower()
    if kind in ("jsonlines", "jsonl"):
        with feed.open(encoding="utf-8") as lines:
            yield from (json.loads(line) for line in lines if line.strip())
    elif kind == "json":
        with feed.open(encoding="utf-8") as file:
            yield from json.load(file) or []
    elif kind == "csv":
        with feed.open(encoding="utf-8", newline="") as file:
            for row in csv.DictReader(file):
                cell = row.get("sections") or ""
                yield {**row, "sections": json.loads(cell) if cell.startswith("[") else cell.split(",")}
    elif kind == "xml":
        from lxml import etree

        for _, element in etree.iterparse(str(feed), tag="item"):
            sections = element.find("sections")
            yield {"published_at": element.findtext("published_at"),
                   "sections": [v.text or "" for v in sections.iter("value")] if sections is not None else []}
            element.clear()
    else:
        raise ValueError(f"feed format {feed_format!r} is not read by the report")


def per_section_per_day(feed: Path | None, feed_format: str | None = "jsonlines") -> dict[str, Counter[str]]:
    """Articles of the feed by section, by publication day (Beijing time, as written)."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    if feed is None or not feed.is_file():
        return counts
    try:
        records = list(feed_records(feed, feed_format))
    except ValueError:  # pickle, marshal: the summary's counts only
        return counts
    for record in records:
        day = (record.get("published_at") or "no date")[:10]
        for section in record.get("sections") or ["(none)"]:
            counts[section][day] += 1
    return counts


def _sections_plot(counts: dict[str, Counter[str]]) -> str:
    plt = html_page.pyplot()
    days = sorted({d for c in counts.values() for d in c})[-31:]
    figure, axes = plt.subplots(figsize=(9, 3.2))
    bottom = [0] * len(days)
    for section, by_day in sorted(counts.items()):
        heights = [by_day.get(d, 0) for d in days]
        axes.bar(days, heights, bottom=bottom, label=section)
        bottom = [b + h for b, h in zip(bottom, heights)]
    axes.set_ylabel("articles")
    axes.set_title("articles exported, by publication day (the last 31 days with any)")
    axes.tick_params(axis="x", labelrotation=60)
    axes.legend(fontsize=8, ncols=4)
    return html_page.svg(figure)


def _coverage_plot(profiles: list[dict[str, Any]], title: str) -> str:
    plt = html_page.pyplot()
    figure, axes = plt.subplots(figsize=(9, 3.2))
    labels = [p.get("day") or str(n) for n, p in enumerate(profiles, start=1)]
    x = list(range(len(profiles)))
    bodies = [p["shares"].get("body_chars") for p in profiles if p.get("shares")]
    middle = sorted(b for b in bodies if b)[len([b for b in bodies if b]) // 2] if any(bodies) else None
    for name in (*COVERAGE, "generic", "fallback"):
        values = [(p.get("shares") or {}).get(name) for p in profiles]
        if name == "body_chars":
            values = [v / middle if v is not None and middle else None for v in values]
        axes.plot(x, [v if v is not None else float("nan") for v in values], marker="o", label=FIELD_LABELS[name])
    axes.set_xticks(x, labels, rotation=60)
    axes.set_ylim(bottom=0)
    axes.set_title(title)
    axes.legend(fontsize=8, ncols=3)
    return html_page.svg(figure)


def run_report(summary: dict[str, Any], profiles: list[dict[str, Any]], feed: Path | None,
               revised: list[dict[str, Any]] | None = None, feed_format: str | None = "jsonlines") -> str:
    """The report of one run: ``profiles`` are the earlier runs' and this run's (cqnnews.state.history), oldest first;
    ``revised`` its revised articles against the dataset (cqnnews.outputs.dataset.revisions.revised_in)."""
    healthy = summary.get("healthy")
    title = f"cqnnews {summary.get('spider')}: run of {summary.get('started_at')}"
    parts = [f"<h1>{escape(title)}</h1>",
             f'<p class="{"healthy" if healthy else "unhealthy"}"><strong>{"healthy" if healthy else "UNHEALTHY"}'
             f"</strong> (exit status {summary.get('exit_status')}); feed {escape(str(summary.get('feed')))}</p>"]
    problems = summary.get("problems") or []
    parts.append("<h2>Problems</h2>" + (html_page.table(["problem"], ([p] for p in problems)) if problems
                                          else '<p class="muted">none</p>'))
    totals = summary.get("totals") or {}
    parts.append("<h2>Articles per section</h2>" + html_page.table(
        ["section", *totals], ([name, *(counts.get(k, 0) for k in totals)]
                               for name, counts in (summary.get("sections") or {}).items())))
    counts = per_section_per_day(feed, feed_format)
    if counts:
        parts.append(html_page.figure(_sections_plot, counts))
    else:
        parts.append('<p class="muted">no article exported, or the feed is not a local file</p>')
    parts.append("<h2>Records read from the articles</h2>" + html_page.table(
        ["records", "written", "left out (schema)", "file"],
        ([label, (summary.get(key) or {}).get("records", 0), (summary.get(key) or {}).get("invalid", 0),
          (summary.get(key) or {}).get("feed") or ""]
         for key, label in (("spotchecks", "spot-check records"), ("recalls", "recall records")))))
    if revised is not None:
        parts.append("<h2>Revised articles</h2>" + (html_page.table(
            ["article", "revision", "title", "changed", "paragraphs added", "paragraphs removed"],
            ([r["article_id"], f"{r['from']} → {r['to']}", r["title"], ", ".join(r["changed"]),
              " / ".join(p[:80] for p in r["added"]), " / ".join(p[:80] for p in r["removed"])] for r in revised))
            if revised else '<p class="muted">no article revised since the dataset last saw it</p>'))
    parts.append("<h2>Field coverage, this run against the last runs</h2>")
    if profiles:
        parts.append(html_page.figure(_coverage_plot, profiles, "share of articles read with each field"))
        last = profiles[-1].get("shares") or {}
        shown = {**FIELD_LABELS, "body_chars": "body length (median characters)"}
        parts.append(html_page.table(["field", "this run"], ([shown[k], "" if v is None else v]
                                                   for k, v in last.items() if k in shown)))
    else:
        parts.append('<p class="muted">no history (monitors off, or no feed)</p>')
    readings = summary.get("readings") or {}
    parts.append("<h2>Readers and fallbacks</h2>" + html_page.table(
        ["reading", "articles or fields"],
        [["articles read", readings.get("articles", 0)], ["generic reader", readings.get("generic_reader", 0)],
         *([f"fallback {k}", v] for k, v in (readings.get("fallbacks") or {}).items()),
         *([f"rejected {k}", v] for k, v in (readings.get("rejected") or {}).items())]))
    navigation = summary.get("navigation") or {}
    parts.append(html_page.table(["listing", "found by"], (navigation.get("routes") or {}).items()))
    failed = summary.get("failed") or []
    attachments = (summary.get("attachments") or {}).get("failed") or []
    parts.append("<h2>Failures</h2>" + (html_page.table(["article", "url", "reason"],
                                               ([f.get("article_id"), f.get("url"), f.get("reason")] for f in failed))
                                        if failed else '<p class="muted">no article failed</p>'))
    if attachments:
        parts.append(html_page.table(["article", "attachment", "reason", "retried"],
                            ([a.get("article_id"), a.get("url"), a.get("reason"), a.get("retried")]
                             for a in attachments)))
    requests = summary.get("requests") or {}
    parts.append("<h2>Requests and timing</h2>" + html_page.table(["", ""], [
        ["started", summary.get("started_at")], ["finished", summary.get("finished_at")],
        ["seconds", summary.get("duration_seconds")], ["requests", requests.get("total")],
        ["listing pages", requests.get("listing_pages")], ["errors logged", summary.get("errors")],
        ["pending after the run", (summary.get("state") or {}).get("pending")]]))
    return html_page.page(title, "".join(parts))


def write_run_report(summary_path: Path, summary: dict[str, Any], profiles: list[dict[str, Any]],
                     feed: Path | None, feed_format: str | None = "jsonlines", index: bool = True,
                     revised: list[dict[str, Any]] | None = None) -> Path:
    """``<stamp>.report.html`` beside the summary and, with ``index`` (the project's own feed folder), the folder's
    ``index.html`` again, this run's row from ``summary`` (its file may not be written yet); the report's path.
    :class:`~cqnnews.outputs.html_page.NotOurs` if a file of that name is someone else's."""
    path = summary_path.with_name(summary_path.name.removesuffix(".summary.json") + REPORT)
    html_page.write_ours(path, run_report(summary, profiles, feed, revised, feed_format))
    if index:
        write_index(summary_path.parent, (summary_path, summary))
    return path


# --- every run of a folder ------------------------------------------------------------------------


def _summaries(folder: Path, current: tuple[Path, dict[str, Any]] | None = None) -> list[tuple[Path, dict[str, Any]]]:
    found = []
    for path in sorted({*folder.glob("*.summary.json"), *([current[0]] if current else [])}):
        if current is not None and path == current[0]:
            found.append(current)
            continue
        try:
            found.append((path, json.loads(path.read_text(encoding="utf-8"))))
        except (OSError, ValueError):
            logger.warning("summary %s cannot be read: left out of %s", path, folder / INDEX)
    return found


def _runs_plot(runs: list[tuple[Path, dict[str, Any]]], labels: list[str]) -> str:
    plt = html_page.pyplot()
    x = list(range(len(runs)))
    figure, axes = plt.subplots(figsize=(9, 3.2))
    for name in ("new", "revised", "failed"):
        axes.plot(x, [(s.get("totals") or {}).get(name, 0) for _, s in runs], marker="o", label=name)
    axes.set_xticks(x, labels, rotation=60)
    axes.set_title("articles per run")
    axes.legend(fontsize=8)
    return html_page.svg(figure)


def history_page(folder: Path, current: tuple[Path, dict[str, Any]] | None = None) -> str:
    runs = _summaries(folder, current)
    spider = runs[-1][1].get("spider", folder.name) if runs else folder.name
    title = f"cqnnews {spider}: every run"
    parts = [f"<h1>{escape(title)}</h1>", f"<p>{len(runs)} runs in {escape(str(folder))}</p>"]
    if runs:
        # each run by the day of its clock (CQN_NOW, else the real day) and the time it started
        labels = [f'{((s.get("monitors") or {}).get("profile") or {}).get("day") or (s.get("started_at") or "")[:10]} '
                  f'{(s.get("started_at") or p.name)[11:16]}' for p, s in runs]
        parts.append(f"<h2>Articles and failures</h2>{html_page.figure(_runs_plot, runs, labels)}")
        profiles = [((s.get("monitors") or {}).get("profile") or {}) for _, s in runs]
        if any(p.get("shares") for p in profiles):
            shown = [{**p, "day": label} for p, label in zip(profiles, labels) if p.get("shares")]
            parts.append("<h2>Field coverage</h2>" + html_page.figure(_coverage_plot, shown, "share of articles read with each "
                                                                                   "field, per run"))
    rows = []
    for path, s in reversed(runs):
        stem = path.name.removesuffix(".summary.json")
        report = folder / f"{stem}{REPORT}"
        links = [f'<a href="{escape(path.name)}">summary</a>']
        if report.exists():
            links.append(f'<a href="{escape(report.name)}">report</a>')
        state = ('<span class="healthy">healthy</span>' if s.get("healthy")
                 else '<span class="unhealthy">UNHEALTHY</span>')
        totals = s.get("totals") or {}
        rows.append(f"<tr><td>{escape(str(s.get('started_at')))}</td><td>{state}</td><td>{totals.get('new', 0)}</td>"
                    f"<td>{totals.get('revised', 0)}</td><td>{totals.get('failed', 0)}</td>"
                    f"<td>{escape('; '.join(s.get('problems') or []))}</td><td>{' '.join(links)}</td></tr>")
    parts.append("<h2>Runs</h2><table><thead><tr><th>started</th><th>health</th><th>new</th><th>revised</th>"
                 f"<th>failed</th><th>problems</th><th></th></tr></thead><tbody>{''.join(rows)}</tbody></table>")
    parts.append(f'<p class="muted">written {datetime.now().astimezone().isoformat(timespec="seconds")}</p>')
    return html_page.page(title, "".join(parts))


def write_index(folder: Path, current: tuple[Path, dict[str, Any]] | None = None) -> Path:
    """The folder's history page; ``current``: a run's summary and where it goes, in place of what is there."""
    path = folder / INDEX
    html_page.write_ours(path, history_page(folder, current))
    return path
