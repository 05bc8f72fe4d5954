"""Scrapy settings for cqnnews: polite to the real site by default."""

from __future__ import annotations

import os

from cqnnews import __version__
from cqnnews.items import FIELDS

BOT_NAME = "cqnnews"
SPIDER_MODULES = ["cqnnews.crawl.spiders"]
NEWSPIDER_MODULE = "cqnnews.crawl.spiders"
COMMANDS_MODULE = "cqnnews.commands"

# --- where to crawl and where to write ----------------------------------------------
# CQN_BASE_URL points every spider at another origin (the offline replica in tests).
CQN_BASE_URL = os.environ.get("CQN_BASE_URL", "https://www.cqn.com.cn")
# Attachments (附件 files) are kept here by checksum (Scrapy's FilesPipeline); empty: not downloaded
CQN_FILES_STORE = os.environ.get("CQN_FILES_STORE", "files")
# Runs that try an attachment whose download failed (not 404/410) before it is given up; its article, exported
# without it, stays pending until then, and its next revision carries the file.
CQN_ATTACHMENT_ATTEMPTS = 3
# Default feed: <CQN_FEED_DIR>/<spider>/<UTC start time>.jsonl, unless -o/-O names one.
CQN_FEED_DIR = os.environ.get("CQN_FEED_DIR", "feeds")
# Feeds and summaries older than this many days are removed from <CQN_FEED_DIR>/<spider>/ after a run
# (0: kept for ever); .part files of dead runs of this host are removed whatever it says.
CQN_KEEP_FEEDS_DAYS = os.environ.get("CQN_KEEP_FEEDS_DAYS", "0")
# Node ids by sub-section name, used only where the navigation does not name a listing.
CQN_NODE_IDS: dict[str, int] = {}
# scrapy dataset: every feed of CQN_FEED_DIR as Parquet tables and a DuckDB database, here; with
# CQN_DATASET_AUTO=true, updated after each crawl that stored a feed.
CQN_DATASET_DIR = os.environ.get("CQN_DATASET_DIR", "dataset")
CQN_DATASET_AUTO = os.environ.get("CQN_DATASET_AUTO", "false")
# Reposts (cqnnews/outputs/reposts.py): two articles whose estimated similarity (Jaccard, MinHash of their title and body)
# reaches this are one story published twice; the earlier is the other's duplicate_of. 0.6: on the replica's
# truth, every threshold from 0.55 to 0.65 finds its reposts with precision and recall >= 0.95 (docs/reading-data.md).
CQN_REPOST_SIMILARITY = os.environ.get("CQN_REPOST_SIMILARITY", "0.6")
# Monitors (cqnnews/outputs/monitors.py, spidermon): each run compared with the last CQN_MONITOR_RUNS runs kept in the
# crawl state; a failed monitor is a problem of the run (exit 1). Off in shared crawls (each worker sees a share).
# auto: on when the monitor extra (spidermon) is installed; true without it stops the crawl at start.
CQN_MONITORS = os.environ.get("CQN_MONITORS", "auto")
CQN_MONITOR_RUNS = 30  # earlier runs compared with (their median)
CQN_MONITOR_MIN_RUNS = 3  # earlier runs needed before a monitor compares (else it is skipped)
CQN_MONITOR_MIN_ARTICLES = 5  # articles a run must read for its field shares to count
CQN_MONITOR_SILENT_DAYS = 3  # days without a new article in a section that publishes on most days
CQN_MONITOR_COVERAGE_DROP = 0.2  # fall of a field's share (0.2: 20 points), or of the median body length (20%)
CQN_MONITOR_READER_RISE = 0.2  # rise of the share read by the generic reader or with a fallback reading
CQN_MONITOR_REJECTED_RISE = 0.1  # rise of the share with a reading refused by its field's check (rare on a known template)
# Alerts after an unhealthy run (every run with CQN_ALERT_ALWAYS=true): a Slack-compatible JSON POST to
# CQN_ALERT_WEBHOOK, an e-mail to CQN_ALERT_EMAIL (comma-separated) through CQN_SMTP_URL
# (smtp://user:password@host:port, smtps://... for TLS, ?starttls=true to upgrade). Never logged in full.
CQN_ALERT_WEBHOOK = os.environ.get("CQN_ALERT_WEBHOOK", "")
CQN_ALERT_EMAIL = os.environ.get("CQN_ALERT_EMAIL", "")
CQN_SMTP_URL = os.environ.get("CQN_SMTP_URL", "")
CQN_ALERT_FROM = os.environ.get("CQN_ALERT_FROM", "")
CQN_ALERT_ALWAYS = os.environ.get("CQN_ALERT_ALWAYS", "false")
# node_exporter's textfile collector folder: <dir>/<spider>.prom after each run (empty: none written)
CQN_PROMETHEUS_DIR = os.environ.get("CQN_PROMETHEUS_DIR", "")
# Crawl state (exported articles, pending ones, the run lock): <dir>/<spider>.sqlite3
CQN_STATE_DIR = os.environ.get("CQN_STATE_DIR", ".cqnnews")
# Several workers sharing one crawl: redis://host:port/db (empty: one process, no Redis needed).
CQN_REDIS_URL = os.environ.get("CQN_REDIS_URL", "")
# Workers pause while Redis cannot be reached, and stop (feeds stored, the rest pending) past this.
CQN_REDIS_OUTAGE_MAX = os.environ.get("CQN_REDIS_OUTAGE_MAX", "300")  # seconds
# A listing stops paging after this many pages holding only known articles (-a full=true walks all).
CQN_STOP_AFTER_KNOWN_PAGES = 1
# The crawler's "now" (ISO 8601) for recheck_days and date checks; empty means the real time.
CQN_NOW = os.environ.get("CQN_NOW", "")
# A run is unhealthy (exit status 1) above these; failed articles are retried by the next run.
CQN_MAX_ERRORS = 0
CQN_MAX_FAILED_ARTICLES = 10
CQN_PROGRESS_SECONDS = 60.0  # a progress line this often during long runs
# Listing pages asked for ahead while they hold only new articles (first runs, back-fills); a
# page with a known article brings the walk back to one page at a time.
CQN_LISTING_WINDOW = 8
CQN_ARTICLE_BATCH = 500  # article requests handed to the scheduler at a time: memory stays flat
# Bounds: a site that misbehaves (a 尾页 link to page 1,000,000,000, an article in 3,000 parts)
# cannot make a run endless or its memory unbounded.
CQN_MAX_LISTING_PAGES = 2000  # listing pages one run walks in one listing (a listing page past one repeated ends it)
CQN_MAX_ARTICLE_PAGES = 50  # pages read of one article; more are flagged too_many_pages
DOWNLOAD_MAXSIZE = 8 * 1024 * 1024  # a news page is a few hundred KiB; also after decompression
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024

# The ledger commits the run, then sends run_finished (cqnnews/signals.py) to the after-run jobs in this order,
# each seeing the problems the ones before found; any of them can be switched off (None).
EXTENSIONS = {
    "cqnnews.extensions.ledger.RunLedger": 500,
    "cqnnews.extensions.progress.ProgressLog": 510,
    "cqnnews.extensions.health_monitors.HealthMonitors": 600,  # first: its problems count for all the others
    "cqnnews.extensions.run_report.RunReport": 610,
    "cqnnews.extensions.alerting.Alerting": 620,  # sees the monitors' and the report's problems
    "cqnnews.extensions.run_summary.RunSummary": 630,  # holds every problem found before it
    "cqnnews.extensions.prometheus_file.PrometheusFile": 640,
    "cqnnews.extensions.feed_tidying.FeedTidying": 650,
    "cqnnews.extensions.dataset_update.DatasetUpdate": 660,
}
# Feeds are written under <name>.part and renamed when complete.
FEED_STORAGES = {
    "": "cqnnews.outputs.feeds.AtomicFileFeedStorage",
    "file": "cqnnews.outputs.feeds.AtomicFileFeedStorage",
    "stdout": "cqnnews.outputs.feeds.FlushedStdoutFeedStorage",  # stored only once the reader took it all
}

FEED_EXPORT_ENCODING = "utf-8"  # real Chinese characters, not \uXXXX escapes
FEED_EXPORT_FIELDS = FIELDS  # one column order for every feed
FEED_EXPORTERS = {"csv": "cqnnews.outputs.exporters.JsonCellsCsvItemExporter"}  # list and object cells as JSON

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
DOWNLOAD_TIMEOUT = 20  # a hung request is given up in time for SIGTERM's 30-second stop

# --- failures ------------------------------------------------------------------------
RETRY_ENABLED = True
RETRY_TIMES = 3  # first try + 3 retries
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
# A failed article is counted, listed in the run summary and fetched again by the next run:
# a warning, not an error (CQN_MAX_FAILED_ARTICLES decides when failures make a run unhealthy).
RETRY_GIVE_UP_LOG_LEVEL = "WARNING"
HTTPERROR_ALLOWED_CODES: list[int] = []
# Retries back off: 1s, 2s, 4s... (at most CQN_BACKOFF_MAX), and never sooner than Retry-After says.
CQN_BACKOFF_BASE = 1.0
CQN_BACKOFF_MAX = 120.0
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "cqnnews.crawl.middlewares.retry.BackoffRetryMiddleware": 550,
    "cqnnews.crawl.middlewares.completeness.CompletenessMiddleware": 580,  # after decompression (590)
    "cqnnews.crawl.middlewares.onsite.OnSiteRedirectsMiddleware": 60,  # before any request of a redirect leaves
}

# --- pipeline ------------------------------------------------------------------------
# Callbacks yield at most a few objects; Scrapy 2.19 starts this many asyncio tasks for every
# response's output (the default, 100, costs more CPU than parsing the page).
CONCURRENT_ITEMS = 4
ITEM_PIPELINES = {
    "cqnnews.crawl.pipelines.clean.CleaningPipeline": 100,  # one form for text, dates checked, flags counted
    "cqnnews.crawl.pipelines.files.AttachmentsPipeline": 150,  # 附件 files downloaded and stored by checksum
    "cqnnews.crawl.pipelines.dedupe.DeduplicationPipeline": 200,  # once a run; across runs only when changed
    "cqnnews.crawl.pipelines.validate.SchemaValidationPipeline": 900,  # last: what reaches the feed is valid
}

# Scrapy checks every callback's source for `return value` in a generator, on every response
# (its cache misses on bound methods): a development aid that costs 0.4 ms a page.
WARN_ON_GENERATOR_RETURN_VALUE = False

# `scrapy check`: sample pages of the crawled origin (cqnnews/contracts.py), and nothing else
# (CQN_SAMPLE_ONLY, set by the check command: no follow-up request, no article phase)
CQN_SAMPLE_ONLY = False
# `scrapy smoke`: the first page of each listing and this many of its articles (0: a crawl, everything)
CQN_SMOKE_ARTICLES = 0
SPIDER_MIDDLEWARES = {
    "cqnnews.crawl.middlewares.shared.SharedCrawlMiddleware": 50,  # shared crawls (CQN_REDIS_URL) only
    "cqnnews.crawl.middlewares.sample.SampleOnlyMiddleware": 1000,  # scrapy check only
}
SPIDER_CONTRACTS = {
    "cqnnews.contracts.SiteUrlContract": 1,
    "cqnnews.contracts.ChannelPageContract": 1,
    "cqnnews.contracts.ListingContract": 2,
    "cqnnews.contracts.ArticleContract": 2,
    "cqnnews.contracts.NotesArticlesContract": 3,
}

LOG_LEVEL = "INFO"
TELNETCONSOLE_ENABLED = False  # no listening ports on cron machines
REMOTE_CONTROL_ENABLED = False
