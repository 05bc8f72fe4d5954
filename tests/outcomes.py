"""Run outcomes built by hand, for the after-run extensions' tests: no crawler, no crawl."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from cqnnews.signals import RunOutcome, frozen

STARTED = datetime(2026, 11, 30, 6, 10, tzinfo=timezone.utc)
FINISHED = datetime(2026, 11, 30, 6, 12, tzinfo=timezone.utc)
LINE = {"article_id": 101, "url": "https://www.cqn.com.cn/zgzlb/content/2026-11/29/content_101.htm",
        "title": "质量强国建设", "sections": ["要闻"], "published_at": "2026-11-29T08:00:00+08:00", "revision": 1}


def profile(day: str = "2026-11-30", read: int = 2, time_of_day: float = 1.0) -> dict[str, Any]:
    return {"day": day, "started_at": "2026-11-30T06:10:00Z", "articles_read": read,
            "shares": {"time_of_day": time_of_day, "authors": 1.0, "source": 0.0, "body_chars": 800.0,
                       "generic": 0.0, "fallback": 0.0, "rejected": 0.0, "listings_generic": 0.0},
            "new_by_section": {"要闻": 2}, "routes": {"要闻": "menu"}, "healthy": True}


def outcome(folder: Path, *, feed: bool = True, **fields: Any) -> RunOutcome:
    """A healthy run of yaowen that exported two articles into ``<folder>/yaowen/20261130T061000Z.jsonl``."""
    path = folder / "yaowen" / "20261130T061000Z.jsonl"
    if feed:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(f'{{"article_id": {n}, "sections": ["要闻"], "published_at": '
                                f'"2026-11-29T0{n % 10}:00:00+08:00", "revision": 1}}\n' for n in (101, 102)),
                        encoding="utf-8")
    made = {"spider": "yaowen", "reason": "finished", "feed": str(path) if feed else None,
            "feed_path": path if feed else None, "feed_format": "jsonlines" if feed else None, "stored": feed,
            "committed": 2 if feed else 0, "pending": 0,
            "summary_path": path.with_name("20261130T061000Z.summary.json"),
            "stats": frozen({"start_time": STARTED, "finish_time": FINISHED, "cqnnews/article/parsed": 2,
                             "downloader/request_count": 9, "cqnnews/listing/pages": 1}),
            "tally": frozen({"要闻": {"new": 2}}), "totals": frozen({"new": 2}),
            "routes": frozen({"要闻": "menu"}), "run": frozen({"origin": "https://www.cqn.com.cn"}),
            "records": frozen({"spotchecks": {"feed": None, "records": 0, "invalid": 0},
                               "recalls": {"feed": None, "records": 0, "invalid": 0}})}
    return RunOutcome(**{**made, **fields})
