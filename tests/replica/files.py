"""The files the replica's notices link under 附件, served at their paths: a notice's failed-batch list as a real
spreadsheet (.xls or .xlsx, its table merged as on the page), any other file deterministic placeholder bytes."""

from __future__ import annotations

import hashlib
import re

from tests.replica.notices import SpotTable

CONTENT_TYPES = {"pdf": "application/pdf", "xls": "application/vnd.ms-excel",
                 "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                 "doc": "application/msword",
                 "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
ATTACHMENT = re.compile(r"/\w+/attach/\d{4}-\d{2}/\d{2}/\d+_[0-9a-f]{16}\.(?P<ext>pdf|xls|xlsx|doc|docx)")
MAGIC = {"pdf": b"%PDF-1.4\n", "xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "doc": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
         "xlsx": b"PK\x03\x04", "docx": b"PK\x03\x04"}


def attachment_file(path: str, spot: SpotTable | None = None) -> tuple[bytes, str] | None:
    """The bytes and Content-Type served at an attachment's path (``spot``: the table its spreadsheet holds);
    None for a path that is no attachment."""
    m = ATTACHMENT.fullmatch(path)
    if m is None:
        return None
    ext = m["ext"]
    if spot is not None and ext in ("xls", "xlsx"):
        return (spot.xls() if ext == "xls" else spot.xlsx()), CONTENT_TYPES[ext]
    body = MAGIC[ext] + b"cqnnews replica attachment " + path.encode() + b"\n" * 3 + hashlib.sha256(
        path.encode()).digest() * 16
    return body, CONTENT_TYPES[ext]


def stored(path: str, spot: SpotTable | None = None) -> dict[str, object]:
    """What a crawl records of the attachment at ``path`` once downloaded (cqnnews.crawl.pipelines.files): where, its
    checksum, size and type, and the tables of a spreadsheet as a person reads them."""
    found = attachment_file(path, spot)
    assert found is not None, path
    body, content_type = found
    digest = hashlib.sha256(body).hexdigest()
    return {"path": f"{digest[:2]}/{digest}.{path.rsplit('.', 1)[1]}", "checksum": digest, "size": len(body),
            "content_type": content_type,
            "tables": [spot.table()] if spot is not None else None}
