"""The optional stacks (``pip install 'cqnnews[EXTRA]'``) and the settings that need them.

The core install crawls, cleans, deduplicates and writes feeds, summaries and report pages.
Each extra brings one stack, imported only where it is used: ``redis`` (a crawl shared by
several workers, ``CQN_REDIS_URL``), ``dataset`` (``scrapy dataset``, ``CQN_DATASET_AUTO``:
Parquet and DuckDB), ``report`` (the plots of the report pages) and ``monitor`` (the spidermon
monitors, ``CQN_MONITORS``).  A setting that needs an extra that is not installed stops
``scrapy crawl`` at start with one line naming it (:func:`missing_extra`).
"""

from __future__ import annotations

import importlib.util
from functools import cache

from scrapy.settings import BaseSettings

# extra: the top-level modules it brings (what `pip install 'cqnnews[extra]'` installs)
EXTRAS: dict[str, tuple[str, ...]] = {
    "redis": ("redis", "scrapy_redis"),
    "dataset": ("pyarrow", "duckdb", "numpy"),
    "report": ("matplotlib",),
    "monitor": ("spidermon",),
}
AUTO = "auto"  # CQN_MONITORS: on when the monitor extra is installed


@cache
def installed(extra: str) -> bool:
    """Whether every module of ``extra`` can be imported (found, not imported)."""
    return all(importlib.util.find_spec(module) is not None for module in EXTRAS[extra])


def install_hint(extra: str) -> str:
    return f"pip install 'cqnnews[{extra}]'"


def monitors_on(settings: BaseSettings) -> bool:
    """``CQN_MONITORS``: true, false, or auto (on when spidermon is installed)."""
    value = settings.get("CQN_MONITORS")
    if isinstance(value, str) and value.strip().lower() == AUTO:
        return installed("monitor")
    return settings.getbool("CQN_MONITORS")


def missing_extra(settings: BaseSettings) -> str | None:
    """One line naming the setting and the extra to install, for the first setting whose extra is missing."""
    needs = [
        ("CQN_REDIS_URL", bool(settings.get("CQN_REDIS_URL")), "redis", "a crawl shared by several workers"),
        ("CQN_DATASET_AUTO", _true(settings, "CQN_DATASET_AUTO"), "dataset", "the dataset after each crawl"),
        ("CQN_MONITORS", _true(settings, "CQN_MONITORS"), "monitor", "the monitors"),
    ]
    for name, used, extra, what in needs:
        if used and not installed(extra):
            return f"{name} needs the {extra} extra ({what}): {install_hint(extra)}"
    return None


def _true(settings: BaseSettings, name: str) -> bool:
    value = settings.get(name)
    if isinstance(value, str) and value.strip().lower() == AUTO:
        return False  # on only if installed: nothing missing
    try:
        return settings.getbool(name)
    except ValueError:  # said by the setting's own check
        return False
