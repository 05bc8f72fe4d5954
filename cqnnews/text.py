"""Whitespace as the site writes it: ideographic spaces, no-break spaces, indents."""

from __future__ import annotations

import re

_SPACES = re.compile(r"[\s\u00a0\u3000\u200b\ufeff]+")


def clean(text: str) -> str:
    """One line: every run of whitespace (any kind) becomes one space, ends trimmed."""
    return _SPACES.sub(" ", text).strip() if text else ""


def compact(text: str) -> str:
    """Without any whitespace, for comparing Chinese text whose spacing varies."""
    return _SPACES.sub("", text)
