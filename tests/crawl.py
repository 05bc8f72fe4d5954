"""Run ``scrapy crawl`` in a subprocess against a local origin, as cron would run it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

# The replica is local: no need to be polite to it.  Everything else is the defaults.
LOCAL_SETTINGS = {
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_ENABLED": "False",
    "CONCURRENT_REQUESTS": "16",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
}


# The project's polite defaults (download delay, AutoThrottle, two requests at a time per site)
# at a tenth of the delay: timing bugs that no-delay settings hide show up, within CI's time.
POLITE_SETTINGS = {
    "DOWNLOAD_DELAY": "0.1",
    "AUTOTHROTTLE_ENABLED": "True",
    "AUTOTHROTTLE_START_DELAY": "0.1",
    "AUTOTHROTTLE_MAX_DELAY": "2",
    "CONCURRENT_REQUESTS": "8",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "2",
}


def crawl_command(spider: str, *args: str, settings: dict[str, str] | None = None) -> list[str]:
    cmd = [sys.executable, "-m", "tests.strict_scrapy", "crawl", spider]  # deprecation warnings as errors
    for key, value in {**LOCAL_SETTINGS, **(settings or {})}.items():
        cmd += ["-s", f"{key}={value}"]
    return [*cmd, *args]


def crawl_env(base_url: str, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "SCRAPY_SETTINGS_MODULE": "cqnnews.settings",
        "CQN_BASE_URL": base_url,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        **extra,
    }


def run_crawl(spider: str, base_url: str, cwd: Path, *args: str, settings: dict[str, str] | None = None,
              timeout: float = 600, **env: str) -> subprocess.CompletedProcess[str]:
    """``scrapy crawl SPIDER ARGS`` in ``cwd`` (where relative feed paths land)."""
    return subprocess.run(crawl_command(spider, *args, settings=settings), cwd=cwd, env=crawl_env(base_url, **env),
                          capture_output=True, text=True, timeout=timeout)


def state_dir(workdir: Path) -> Path:
    """The crawl-state folder of the one origin crawled from ``workdir`` (``.cqnnews/<origin>``)."""
    [folder] = [p for p in (workdir / ".cqnnews").iterdir() if p.is_dir()]
    return folder


def origin_dir(workdir: Path, base_url: str) -> Path:
    """Where crawls of ``base_url`` from ``workdir`` keep their state (made if missing)."""
    from cqnnews.urls import SiteUrls

    folder = workdir / ".cqnnews" / SiteUrls(base_url).origin_key
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def read_feed(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
