"""``python -m cqnnews.reading.extract FILE... [--url URL] [--content-type TYPE] [--spotchecks | --recalls]``: saved pages to JSON lines.

Each file is read as raw bytes (pages may be GBK or GB18030, whatever they declare) and
printed as one JSON object with the feed's fields; with ``--spotchecks``, one JSON object
per failed batch of its spot-check tables instead (``cqnnews/schema/spotcheck.schema.json``),
so a notice saved from the real site can be checked by hand.  With ``--spotchecks``, a FILE may
also be an ``.xls`` or ``.xlsx`` attachment: its records are printed as a crawl writes them for
the file (``source`` "attachment", the file's checksum; the notice's own fields null, as the
file alone does not say them).  With ``--recalls``, one JSON object per recall the page announces
(``cqnnews/schema/recall.schema.json``; nothing for a page that announces none).  The URL is ``--url``, else what the
page itself says (``<link rel=canonical>``, ``og:url``), else the file name.  A file that
is not HTML, or not an article, gets one line on stderr; the other files are still
processed and the exit status is 1.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import re
import sys
from pathlib import Path

from cqnnews import settings
from cqnnews.reading import recalls, spotchecks
from cqnnews.reading.decoding import decode_page
from cqnnews.reading.parsers import ArticleParseError, extract_pages
from cqnnews.reading.sheets import SPREADSHEETS, UnreadableSheet, read_sheets
from cqnnews.urls import SiteUrls

MAX_BYTES: int = settings.DOWNLOAD_MAXSIZE
_HTML = re.compile(r"<(?:!doctype html|html|head|body|div|p|table)\b", re.I)
_CANONICAL = (r"""<link[^>]+rel=["']canonical["'][^>]*href=["']([^"']+)""",
              r"""<meta[^>]+property=["']og:url["'][^>]*content=["']([^"']+)""")


def page_url(text: str) -> str | None:
    for pattern in _CANONICAL:
        if m := re.search(pattern, text[:20000], re.I):
            return m[1]
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cqnnews.reading.extract", description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", metavar="FILE", type=Path)
    parser.add_argument("--url", help="the URL the page was fetched from (for every FILE)")
    parser.add_argument("--content-type", help="the Content-Type header it came with, e.g. 'text/html; charset=utf-8'")
    parser.add_argument("--spotchecks", action="store_true",
                        help="print the spot-check records of each page's tables, one JSON object per failed batch")
    parser.add_argument("--recalls", action="store_true",
                        help="print the recall records of each page, one JSON object per recall it announces")
    args = parser.parse_args(argv)
    if args.spotchecks and args.recalls:
        parser.error("--spotchecks and --recalls: one at a time")
    urls = SiteUrls()
    status = 0
    for path in args.files:
        try:
            with path.open("rb") as file:
                body = file.read(MAX_BYTES + 1)  # never more: /dev/zero or a 100 MB file is refused, not read
        except OSError as exc:
            print(f"cqnnews.reading.extract: {path}: cannot read ({exc.strerror})", file=sys.stderr)
            status = 1
            continue
        if len(body) > MAX_BYTES:
            print(f"cqnnews.reading.extract: {path}: larger than {MAX_BYTES // 1024 // 1024} MiB, the most a crawl fetches "
                  "(DOWNLOAD_MAXSIZE): not read", file=sys.stderr)
            status = 1
            continue
        if args.spotchecks and path.suffix.lower() in SPREADSHEETS:
            try:
                lines = sheet_records(body, path.name, args.url or path.name)
            except UnreadableSheet as exc:
                print(f"cqnnews.reading.extract: {path}: {exc}", file=sys.stderr)
                status = 1
                continue
            for line in lines:
                print(json.dumps(line, ensure_ascii=False), flush=True)
            continue
        text = decode_page(body, args.content_type).text
        if not _HTML.search(text[:8192]):
            print(f"cqnnews.reading.extract: {path}: not an HTML page", file=sys.stderr)
            status = 1
            continue
        url = args.url or page_url(text) or path.name
        try:
            article = extract_pages([(body, args.content_type, url)], urls)
        except ArticleParseError as exc:
            print(f"cqnnews.reading.extract: {path}: not an article this crawler can read: {exc}", file=sys.stderr)
            status = 1
            continue
        record = dataclasses.asdict(article)
        lines = spotchecks.records(record) if args.spotchecks else recalls.records(record) if args.recalls else [record]
        for line in lines:
            print(json.dumps(line, ensure_ascii=False), flush=True)
    return status


def sheet_records(body: bytes, name: str, url: str) -> list[dict[str, object]]:
    """The spot-check records of one spreadsheet file, as a crawl records them for an attachment of a notice
    (whose id, time, issuer and scope only the notice says: null here)."""
    tables = [table.record() for table in read_sheets(body, name)]
    notice = {"article_id": None, "url": url, "published_at": None, "title": "", "source": None, "breadcrumb": [],
              "attachments": [{"checksum": hashlib.sha256(body).hexdigest(), "tables": tables}]}
    return spotchecks.records(notice)


if __name__ == "__main__":
    sys.exit(main())
