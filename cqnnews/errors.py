"""The project's own errors, in a leaf module that imports nothing of the project.

Any layer may raise or catch them.  ``BadArgument`` and ``FeedWriteError`` are also importable where they were
first defined (:mod:`cqnnews.sections`, :mod:`cqnnews.outputs.feeds`).
"""

from __future__ import annotations


class BadArgument(ValueError):
    """A spider argument or setting the run cannot start with; the message says what is accepted."""


class FeedWriteError(OSError):
    """The feed could not be written: the run stops, and nothing of it counts as exported."""


class StateError(BadArgument):
    """The state directory or file cannot be used; the message says what to do."""
