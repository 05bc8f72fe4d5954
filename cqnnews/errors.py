"""The project's own errors, in a leaf module that imports nothing of the project.

Any layer may raise or catch them; each is re-exported where it was first defined
(:mod:`cqnnews.sections`, :mod:`cqnnews.outputs.feeds`), so both names work.
"""

from __future__ import annotations


class BadArgument(ValueError):
    """A spider argument or setting the run cannot start with; the message says what is accepted."""


class FeedWriteError(OSError):
    """The feed could not be written: the run stops, and nothing of it counts as exported."""
