"""The run report and the history page (cqnnews/outputs/report.py): self-contained HTML with inline SVG plots."""

from __future__ import annotations

import json
import re
from pathlib import Path

from cqnnews.outputs.report import write_run_report

SUMMARY = {"spider": "yaowen", "started_at": "2026-11-30T06:10:00Z", "finished_at": "2026-11-30T06:12:00Z",
           "healthy": False, "exit_status": 1, "feed": "feeds/yaowen/20261130T061000Z.jsonl",
           "problems": ["monitor: field coverage fell <b>"], "totals": {"new": 2, "revised": 0, "failed": 1},
           "sections": {"要闻一": {"new": 2, "revised": 0, "failed": 1}},
           "readings": {"articles": 3, "generic_reader": 1, "fallbacks": {"title/h1": 1}},
           "navigation": {"routes": {"要闻一": "menu"}}, "failed": [{"article_id": 9, "url": "https://x/9", "reason":
                                                                  "HTTP 500"}],
           "requests": {"total": 12, "listing_pages": 2}, "duration_seconds": 120.0, "errors": 0,
           "state": {"pending": 1}}
PROFILES = [{"day": f"2026-11-{d:02d}", "articles_read": 10, "shares": {
    "time_of_day": 0.9, "authors": 0.8, "source": 0.3, "body_chars": 800.0 + d, "generic": 0.0, "fallback": 0.1}}
    for d in range(25, 31)]


def test_a_report_is_one_page_with_its_plots_and_no_request_elsewhere(tmp_path: Path) -> None:
    folder = tmp_path / "feeds" / "yaowen"
    folder.mkdir(parents=True)
    feed = folder / "20261130T061000Z.jsonl"
    feed.write_text("".join(json.dumps({"published_at": f"2026-11-{d}T10:00:00+08:00", "sections": ["要闻一"]}) + "\n"
                            for d in (28, 29, 29)), encoding="utf-8")
    summary = folder / "20261130T061000Z.summary.json"
    summary.write_text(json.dumps(SUMMARY, ensure_ascii=False), encoding="utf-8")
    path = write_run_report(summary, SUMMARY, PROFILES, feed)
    assert path.name == "20261130T061000Z.report.html"
    html = path.read_text(encoding="utf-8")
    assert html.count("<svg") == 2 and "<script" not in html
    assert not re.search(r"""(?:src|href)=["']?(?:https?:)?//""", html)  # nothing loaded from another host
    assert "field coverage fell &lt;b&gt;" in html  # text escaped
    assert ">要闻一<" in html and "HTTP 500" in html
    index = (folder / "index.html").read_text(encoding="utf-8")
    assert 'href="20261130T061000Z.report.html"' in index and 'href="20261130T061000Z.summary.json"' in index
