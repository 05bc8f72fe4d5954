"""The generic reader on markup nobody here wrote: 35 real Chinese news pages with hand-made gold text
(``../shared/eval/zh-news``), cqnnews against trafilatura on the same raw bytes.

cqnnews is measured as its reader: ``parsers.read`` (decoding included) and the site's text habits,
the body a crawl would export; the pages carry no cqn article id, so articles are not assembled.
Body F1 is over characters, white space left out: the share of the gold's characters (as a
multiset) the body holds, and of the body's the gold holds.  A page that gives no body scores 0.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

from cqnnews.reading.parsers import ArticleParseError, read
from cqnnews.reading.parsers.habits import interpret
from cqnnews.urls import SiteUrls

EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval" / "zh-news"
URLS = SiteUrls()


def char_f1(found: str, gold: str) -> float:
    a, b = Counter("".join(found.split())), Counter("".join(gold.split()))
    common = sum((a & b).values())
    if not common:
        return 0.0
    precision, recall = common / sum(a.values()), common / sum(b.values())
    return 2 * precision * recall / (precision + recall)


_GOLD_DATE = re.compile(r"((?:19|20)\d\d)\D{1,2}(\d{1,2})\D{1,2}(\d{1,2})(?:\D{1,2}(\d{1,2}):(\d{1,2}))?")


def day_and_time(text: str | None) -> tuple[str, str | None] | None:
    """``('2005-05-07', '21:23')`` from a gold or found date however it is written; None without a day."""
    m = _GOLD_DATE.search(text or "")
    if m is None:
        return None
    y, mo, d, hh, mm = m.groups()
    return f"{y}-{int(mo):02d}-{int(d):02d}", f"{int(hh):02d}:{mm}" if hh is not None else None


def read_cqnnews(body: bytes, url: str) -> tuple[str, str | None]:
    reading = read(body, None, url, URLS)
    text = interpret(reading.units, reading.title, url, URLS.canonical).text
    return text, reading.published_at.isoformat(sep=" ") if reading.published_at else None


def read_trafilatura(body: bytes, url: str) -> tuple[str, str | None]:
    import trafilatura

    doc = trafilatura.bare_extraction(body, url=url, with_metadata=True, include_tables=True)
    if doc is None:
        return "", None
    data = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    return data.get("text") or "", data.get("date")


def read_trafilatura_decoded(body: bytes, url: str) -> tuple[str, str | None]:
    """trafilatura on the text as cqnnews decodes it: what its extraction alone is worth on these pages."""
    from cqnnews.reading.decoding import decode_page

    return read_trafilatura(decode_page(body, None).text.encode("utf-8"), url)


def measure(folder: Path = EVAL) -> dict[str, Any]:
    gold: dict[str, dict[str, Any]] = json.loads((folder / "gold.json").read_text(encoding="utf-8"))
    out: dict[str, Any] = {}
    for name, reader in (("cqnnews", read_cqnnews), ("trafilatura", read_trafilatura),
                         ("trafilatura_decoded", read_trafilatura_decoded)):
        scores, extracted, dated, timed, with_time = [], 0, 0, 0, 0
        for page_id, truth in sorted(gold.items()):
            body = (folder / "pages" / f"{page_id}.html").read_bytes()
            try:
                text, date = reader(body, f"https://news.example/{page_id}.html")
            except ArticleParseError:
                text, date = "", None
            extracted += bool(text.strip())
            scores.append(char_f1(text, truth.get("body") or ""))
            want, got = day_and_time(str(truth.get("date") or "")), day_and_time(date)
            dated += bool(want and got and want[0] == got[0])
            if want and want[1] is not None:
                with_time += 1
                timed += bool(got and got == want)
        out[name] = {"extracted": extracted, "pages": len(gold), "body_f1": round(sum(scores) / len(scores), 3),
                     "dates_right": dated, "times_right": timed, "pages_showing_time": with_time}
    return out


if __name__ == "__main__":
    print(json.dumps(measure(), ensure_ascii=False, indent=1))
