"""The replica's HTTP server: routes paths to rendered pages, on 127.0.0.1 only, faults included."""

from __future__ import annotations

import json
import re
import threading
import time
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from tests.replica import listings, render
from tests.replica.faults import HANG_SECONDS, RETRY_AFTER_SECONDS, SLOW_SECONDS, FaultPlan
from tests.replica.files import attachment_file
from tests.replica.render import Page
from tests.replica.site import CHANNELS, OTHER_CHANNELS, Site

_CHANNELS = {c.slug: c for c in (*CHANNELS, *OTHER_CHANNELS)}
_NODE = re.compile(r"/(?P<slug>\w+)/node_(?P<node>\d+)(?:_(?P<page>\d+))?\.htm")
_ARTICLE = re.compile(r"/(?P<slug>\w+)/content/(?P<month>\d{4}-\d{2})/(?P<day>\d{2})/content_(?P<id>\d+)"
                      r"(?:_(?P<page>\d+))?\.htm")
_OLD_ARTICLE = re.compile(r"/news/(?P<slug>\w+)/n(?P<node>\d+)/(?P<id>\d+)\.html")
_CHANNEL = re.compile(r"/(?P<slug>\w+)/(?:index\.htm)?")
NOT_FOUND = Page(render._html("<title>404</title>", "<h1>404 Not Found</h1>").encode(), status=404)


def route(site: Site, path: str, robots_disallow: list[str] | None = None) -> Page:
    """The page served at ``path`` (query and host ignored: www and m serve the same)."""
    if path in ("/", "/index.htm", "/index.html"):
        return render.home(site)
    if path == "/robots.txt":
        extra = "".join(f"Disallow: {p}\n" for p in robots_disallow or [])
        return Page((render.ROBOTS + extra).encode(), "text/plain; charset=utf-8")
    if (m := _ARTICLE.fullmatch(path)) or (m := _OLD_ARTICLE.fullmatch(path)):
        ref = site.article(int(m["id"]))
        page = int(m.groupdict().get("page") or 1)
        if ref is None or ref.page_path(page) != path:
            return NOT_FOUND
        return render.article(site, ref, page) or NOT_FOUND
    if m := _NODE.fullmatch(path):
        found = site.nodes_by_id.get(int(m["node"]))
        if found is None or found[0].slug != m["slug"] or found[1][-1].name in site.removed:
            return NOT_FOUND
        channel, node_path = found
        page = render.node_page(site, channel, node_path, int(m["page"] or 1))
        return page or NOT_FOUND
    if (listed := listings.route(site, path)) is not None:  # --listings index: node_<id>/index_<n>.htm
        return listed
    if (attached := attachment_file(path, site.attached_table(path))) is not None:
        return Page(attached[0], attached[1])
    if path == "/rss.xml" and site.home == "2018":
        return render.rss(site)
    if (m := _CHANNEL.fullmatch(path)) and m["slug"] in _CHANNELS:
        if site.home == "2018" and m["slug"] == "qt":
            return NOT_FOUND  # SITE.md: the saved home page of 2018 links no 综合, and /qt/index.htm answers 404
        return render.channel_index(site, _CHANNELS[m["slug"]])
    return NOT_FOUND


def _mangle(page: Page, kind: str) -> Page:
    """The page as a fixed fault serves it every time."""
    text = page.body.decode("utf-8")
    if kind == "no_title":  # the headline, the <title> and the enpproperty title all empty
        text = re.sub(r"(<div class=\"Detail_Title\"><h1>).*?(</h1>)", r"\1\2", text)
        text = re.sub(r"<title>[^<]*</title>", "<title></title>", text)
    elif kind == "no_date":
        text = re.sub(r"(<div class=\"publish\">)\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} ", r"\1", text)
        text = re.sub(r"<date>[^<]*</date>", "<date></date>", text)
    elif kind == "malformed":
        text = text.replace("</p>", "").replace("<div class=\"Detail\">", "<div class=\"Detail\"><b><font>", 1)
        text = text.replace("&gt;&gt;", "&gt&gt")
    elif kind == "badcharset":
        return Page(page.body, "text/html; charset=gbk", page.status)
    return Page(text.encode("utf-8"), page.content_type, page.status)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a real server would
    server: "ReplicaServer"

    def _send(self, page: Page, send_body: bool, body_bytes: bytes | None = None, length: int | None = None,
              extra: dict[str, str] | None = None) -> None:
        self.send_response(page.status)
        self.send_header("Content-Type", page.content_type)
        self.send_header("Content-Length", str(len(page.body) if length is None else length))
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if send_body:
            self.wfile.write(page.body if body_bytes is None else body_bytes)

    def _status(self, status: int, send_body: bool, extra: dict[str, str] | None = None) -> None:
        body = f"<html><body><h1>{status}</h1></body></html>".encode()
        self._send(Page(body, "text/html", status), send_body, extra=extra)

    def _respond(self, send_body: bool) -> None:
        path = urlsplit(self.path).path
        if path.startswith("/_replica/"):
            return self._control(path, send_body)
        attempt = self.server.count(path)
        if self.server.latency:
            time.sleep(self.server.latency)  # a site far away: every response takes this long
        plan = self.server.faults
        if plan.is_refused(path):
            return self._status(403, send_body)
        fixed = plan.fixed_kind(path)
        if fixed is not None and self._fixed(fixed, path, attempt, send_body):
            return
        kind = plan.random_kind(path, attempt)
        page = route(self.server.site, path, plan.robots_disallowed())
        if fixed in ("no_title", "no_date", "malformed", "badcharset") and page.status == 200:
            page = _mangle(page, fixed)
        if kind is None or page.status != 200:
            return self._send(page, send_body)
        self._random(kind, page, send_body)

    def _fixed(self, kind: str, path: str, attempt: int, send_body: bool) -> bool:
        """Serve a fixed fault if this attempt has one; False to serve the page as usual."""
        if kind == "burst503" and attempt <= 3:
            self._status(503, send_body)
        elif kind == "retry_after" and attempt == 1:
            self._status(429, send_body, {"Retry-After": str(RETRY_AFTER_SECONDS)})
        elif kind == "hang_once" and attempt == 1:
            time.sleep(HANG_SECONDS)
            return False
        elif kind in ("drop_once", "truncate_once", "cut_once") and attempt == 1:
            self._random(kind.removesuffix("_once"), route(self.server.site, path), send_body)
        elif kind == "missing":
            self._send(NOT_FOUND, send_body)
        elif kind == "redirect_loop":
            self.send_response(302)
            self.send_header("Location", path)
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:
            return False
        return True

    def _random(self, kind: str, page: Page, send_body: bool) -> None:
        if kind in ("503", "500"):
            self._status(int(kind), send_body, {"Retry-After": "1"} if kind == "503" else None)
        elif kind == "429":
            self._status(429, send_body, {"Retry-After": "1"})
        elif kind in ("slow", "hang"):
            time.sleep(SLOW_SECONDS if kind == "slow" else HANG_SECONDS)
            self._send(page, send_body)
        elif kind == "drop":  # headers promise a body that never comes
            self._send(page, False)
            self.close_connection = True
        elif kind == "truncate":  # fewer bytes than Content-Length, then the connection closes
            self._send(page, send_body, body_bytes=page.body[: len(page.body) // 2])
            self.close_connection = True
        elif kind == "cut":  # a consistent Content-Length, but the page stops half-way
            cut = page.body[: len(page.body) * 3 // 5]
            self._send(Page(cut, page.content_type), send_body)
        elif kind == "badcharset":
            wrong = "gbk" if "utf-8" in page.content_type or "charset" not in page.content_type else "utf-8"
            self._send(Page(page.body, f"text/html; charset={wrong}"), send_body)
        else:
            self._send(page, send_body)

    def _control(self, path: str, send_body: bool) -> None:
        if path == "/_replica/requests":
            body = json.dumps(self.server.requests_snapshot()).encode()
        elif path == "/_replica/faults":
            body = json.dumps({kind: ref.path for kind, ref in self.server.faults.designated.items()}).encode()
        else:
            return self._send(NOT_FOUND, send_body)
        self._send(Page(body, "application/json"), send_body)

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        try:
            self._respond(send_body=True)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout): nothing to do

    def do_HEAD(self) -> None:  # noqa: N802
        self._respond(send_body=False)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        if self.server.verbose:
            super().log_message(format, *args)


class ReplicaServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, site: Site, port: int = 0, verbose: bool = False, faults: FaultPlan | None = None,
                 latency: float = 0.0) -> None:
        self.site = site
        self.latency = latency
        self.verbose = verbose
        self.faults = faults or FaultPlan(site)
        self._requests: dict[str, list[float]] = defaultdict(list)
        self._lock = threading.Lock()
        super().__init__(("127.0.0.1", port), Handler)

    def count(self, path: str) -> int:
        """Record a request for ``path``; its number (1-based) among requests for that path."""
        with self._lock:
            self._requests[path].append(time.time())
            return len(self._requests[path])

    def requests_snapshot(self) -> dict[str, list[float]]:
        with self._lock:
            return {path: list(times) for path, times in self._requests.items()}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"
