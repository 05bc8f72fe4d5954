"""The tables of the crawl state's SQLite file (:mod:`cqnnews.state.store`), made if missing."""

SQLITE_TABLES = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS articles (
    article_id INTEGER PRIMARY KEY,
    url TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    published_at TEXT,
    sections TEXT NOT NULL,
    revision INTEGER NOT NULL,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    feed TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS articles_published ON articles (published_at);
CREATE TABLE IF NOT EXISTS prepared (
    article_id INTEGER NOT NULL,
    url TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    published_at TEXT,
    sections TEXT NOT NULL,
    revision INTEGER NOT NULL,
    feed TEXT NOT NULL,
    part TEXT NOT NULL,
    PRIMARY KEY (feed, article_id)
);
CREATE TABLE IF NOT EXISTS runs (n INTEGER PRIMARY KEY AUTOINCREMENT, profile TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS pending (
    article_id INTEGER PRIMARY KEY,
    url TEXT NOT NULL,
    sections TEXT NOT NULL,
    reason TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    first_found TEXT NOT NULL,
    last_attempt TEXT
);
"""
