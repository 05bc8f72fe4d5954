"""The Founder CMS property block: ``<!--enpproperty <date>…</date>…/enpproperty-->``.

Where present it is authoritative for date, title, subtitle and keywords.  It may stand
before or after the body, write the date as ``….0`` or ``…:0``, or leave fields empty.
"""

from __future__ import annotations

import html
import re

_BLOCK = re.compile(r"<!--\s*enpproperty(?P<inner>.*?)/enpproperty\s*-->", re.S | re.I)
_FIELD = re.compile(r"<(?P<name>\w+)>(?P<value>.*?)</(?P=name)>", re.S)


def properties(page: str) -> dict[str, str]:
    """The block's non-empty fields, unescaped and trimmed; {} when the page has none."""
    m = _BLOCK.search(page)
    if m is None:
        return {}
    fields = {f["name"].lower(): html.unescape(f["value"]).strip() for f in _FIELD.finditer(m["inner"])}
    return {k: v for k, v in fields.items() if v}
