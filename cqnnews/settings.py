"""Scrapy settings for cqnnews: polite to the real site by default."""

from __future__ import annotations

import os

from cqnnews import __version__
from cqnnews.items import FIELDS

BOT_NAME = "cqnnews"
SPIDER_MODULES = ["cqnnews.spiders"]
NEWSPIDER_MODULE = "cqnnews.spiders"
COMMANDS_MODULE = "cqnnews.commands"

# --- where to crawl and where to write ----------------------------------------------
# CQN_BASE_URL points every spider at another origin (the offline replica in tests).
CQN_BASE_URL = os.environ.get("CQN_BASE_URL", "https://www.cqn.com.cn")
# Default feed: <CQN_FEED_DIR>/<spider>/<UTC start time>.jsonl, unless -o/-O names one.
CQN_FEED_DIR = os.environ.get("CQN_FEED_DIR", "feeds")
# Node ids by sub-section name, used only where the navigation does not name a listing.
CQN_NODE_IDS: dict[str, int] = {}

FEED_EXPORT_ENCODING = "utf-8"  # real Chinese characters, not \uXXXX escapes
FEED_EXPORT_FIELDS = FIELDS  # one column order for every feed

# --- politeness ----------------------------------------------------------------------
USER_AGENT = f"cqnnews/{__version__} (news-centre crawler; obeys robots.txt; throttled)"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0  # seconds between requests to the site, before AutoThrottle adapts it
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 60.0  # a struggling site may slow us down this far
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0  # one request in flight at a time, on average
DOWNLOAD_TIMEOUT = 30

# --- failures ------------------------------------------------------------------------
RETRY_ENABLED = True
RETRY_TIMES = 3  # first try + 3 retries
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
HTTPERROR_ALLOWED_CODES: list[int] = []

# --- pipeline ------------------------------------------------------------------------
ITEM_PIPELINES = {
    "cqnnews.pipelines.validate.SchemaValidationPipeline": 900,  # last: what reaches the feed is valid
}

LOG_LEVEL = "INFO"
TELNETCONSOLE_ENABLED = False  # no listening ports on cron machines
REMOTE_CONTROL_ENABLED = False
