"""Scrapy's meta-refresh redirects, without decoding every page to look for one.

Scrapy looks for ``<meta http-equiv="refresh">`` in the first 4,096 characters of every
HTML response, and decodes the whole body to get them (guessing the encoding with
charset-normalizer where none is declared): about a third of a millisecond a page, for a
tag this site does not use.  A refresh needs the ASCII word ``refresh``; in an
ASCII-compatible encoding (UTF-8, the GB family) 4,096 characters fit in 16 KiB, so a
body whose first 16 KiB lack the word has none, and is passed on undecoded.
"""

from __future__ import annotations

from typing import Any

from scrapy import Request, Spider
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware
from scrapy.http import Response

SCANNED_CHARACTERS = 4096  # what Scrapy's get_meta_refresh reads
MAX_BYTES_PER_CHARACTER = 4  # UTF-8, GB18030
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


class PrefilteredMetaRefreshMiddleware(MetaRefreshMiddleware):
    def process_response(self, request: Request, response: Response, spider: Spider | None = None) -> Any:
        head = response.body[:SCANNED_CHARACTERS * MAX_BYTES_PER_CHARACTER]
        if b"refresh" not in head.lower() and not head.startswith(_UTF16_BOMS):
            return response
        return super().process_response(request, response)
