"""Canonical article URLs, and the mapping between the real site and the origin crawled.

The same article is reachable over http and https, on www, the bare domain and m.: the
canonical form is ``https://www.cqn.com.cn/<path>``.  ``CQN_BASE_URL`` points the
spiders at another origin (the offline replica): links to the real site found in pages
are fetched from that origin instead, and every URL in a feed is written canonical.
"""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import urlsplit, urlunsplit

CANONICAL_ORIGIN = "https://www.cqn.com.cn"
SITE_HOSTS = frozenset({"www.cqn.com.cn", "cqn.com.cn", "m.cqn.com.cn"})
_ARTICLE_DAY = re.compile(r"/content/(\d{4})-(\d{2})/(\d{2})/content_\d+")
_NEEDS_PARSING = re.compile(r"[?#\s\x00-\x1f]")  # a query or fragment, or what urlsplit strips
_ARTICLE_FILE = re.compile(r"content_(\d+)(?:_\d+)?\.html?|(\d+)\.html")


def article_id(url: str) -> int | None:
    """The site-wide article id in an article URL, current or old layout."""
    path = url.split("#", 1)[0].split("?", 1)[0]
    m = _ARTICLE_FILE.fullmatch(path.rpartition("/")[2])  # the file name; a bare host never looks like one
    if m is None:
        return None
    return int(m.group(1) or m.group(2))


def article_day(url: str) -> date | None:
    """The publication day in a current-layout article URL (``/content/2018-08/03/``)."""
    m = _ARTICLE_DAY.search(url)
    if m is None:
        return None
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


class SiteUrls:
    """Translates between the canonical site and the origin the crawler talks to."""

    def __init__(self, base_url: str = CANONICAL_ORIGIN) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"CQN_BASE_URL must be an http(s) origin such as {CANONICAL_ORIGIN}, got {base_url!r}")
        self.base = f"{parts.scheme}://{parts.netloc}"
        self._base_netloc = parts.netloc.lower()
        # URLs that start so need no parsing: every article, listing and image URL of a crawl
        self._plain_prefixes = (self.base + "/", *(f"{scheme}://{host}/" for scheme in ("http", "https")
                                                   for host in sorted(SITE_HOSTS)))

    def _on_site(self, netloc: str) -> bool:
        host = netloc.lower()
        return host == self._base_netloc or host.split(":")[0] in SITE_HOSTS

    def _plain_path(self, url: str) -> str | None:
        """The path of a URL of the site that needs no parsing (no query, fragment or white space):
        what urlsplit would give, without it."""
        if url.startswith(self._plain_prefixes) and not _NEEDS_PARSING.search(url):
            return url[url.index("/", 8):]  # the first slash after "http://" or "https://" and the host
        return None

    @property
    def origin_key(self) -> str:
        """The origin as a file or key name: ``www.cqn.com.cn``, ``127.0.0.1_8000``."""
        return self._base_netloc.replace(":", "_")

    def on_site(self, url: str) -> bool:
        """Whether ``url`` is on the crawled origin or one of the site's own hosts."""
        return self._on_site(urlsplit(url).netloc)

    def canonical(self, url: str) -> str:
        """``https://www.cqn.com.cn/<path>`` for any URL of the site or of the crawled origin."""
        if (path := self._plain_path(url)) is not None:
            return CANONICAL_ORIGIN + path
        parts = urlsplit(url)
        if not self._on_site(parts.netloc):
            return url
        return urlunsplit(("https", "www.cqn.com.cn", parts.path or "/", parts.query, ""))

    def fetchable(self, url: str) -> str | None:
        """The URL to request for a link to the site, on the crawled origin; None if off-site."""
        if (path := self._plain_path(url)) is not None:
            return self.base + path
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not self._on_site(parts.netloc):
            return None
        return urlunsplit((*urlsplit(self.base)[:2], parts.path or "/", parts.query, ""))

    def url(self, path: str) -> str:
        return self.base + path


def redact(url: str) -> str:
    """``url`` with any password replaced by ``***``, for log lines and summaries."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))


def webhook_host(url: str) -> str:
    """What a log line may say of a webhook URL: its scheme and host (Slack's path is the secret)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or '?'}{f':{parts.port}' if parts.port else ''}/…"
