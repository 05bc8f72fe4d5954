"""The replica's HTTP server: routes paths to rendered pages, on 127.0.0.1 only."""

from __future__ import annotations

import re
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from tests.replica import render
from tests.replica.render import Page
from tests.replica.site import CHANNELS, OTHER_CHANNELS, Site

_CHANNELS = {c.slug: c for c in (*CHANNELS, *OTHER_CHANNELS)}
_NODE = re.compile(r"/(?P<slug>\w+)/node_(?P<node>\d+)(?:_(?P<page>\d+))?\.htm")
_ARTICLE = re.compile(r"/(?P<slug>\w+)/content/(?P<month>\d{4}-\d{2})/(?P<day>\d{2})/content_(?P<id>\d+)"
                      r"(?:_(?P<page>\d+))?\.htm")
_OLD_ARTICLE = re.compile(r"/news/(?P<slug>\w+)/n(?P<node>\d+)/(?P<id>\d+)\.html")
_CHANNEL = re.compile(r"/(?P<slug>\w+)/(?:index\.htm)?")
NOT_FOUND = Page(render._html("<title>404</title>", "<h1>404 Not Found</h1>").encode(), status=404)


def route(site: Site, path: str) -> Page:
    """The page served at ``path`` (query and host ignored: www and m serve the same)."""
    if path in ("/", "/index.htm", "/index.html"):
        return render.home(site)
    if path == "/robots.txt":
        return Page(render.ROBOTS.encode(), "text/plain; charset=utf-8")
    if (m := _ARTICLE.fullmatch(path)) or (m := _OLD_ARTICLE.fullmatch(path)):
        ref = site.article(int(m["id"]))
        page = int(m.groupdict().get("page") or 1)
        if ref is None or ref.page_path(page) != path:
            return NOT_FOUND
        return render.article(site, ref, page) or NOT_FOUND
    if m := _NODE.fullmatch(path):
        found = site.nodes_by_id.get(int(m["node"]))
        if found is None or found[0].slug != m["slug"]:
            return NOT_FOUND
        channel, node_path = found
        page = render.node_page(site, channel, node_path, int(m["page"] or 1))
        return page or NOT_FOUND
    if (m := _CHANNEL.fullmatch(path)) and m["slug"] in _CHANNELS:
        return render.channel_index(site, _CHANNELS[m["slug"]])
    return NOT_FOUND


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a real server would
    server: "ReplicaServer"

    def _respond(self, send_body: bool) -> None:
        page = route(self.server.site, urlsplit(self.path).path)
        self.send_response(page.status)
        self.send_header("Content-Type", page.content_type)
        self.send_header("Content-Length", str(len(page.body)))
        self.end_headers()
        if send_body:
            self.wfile.write(page.body)

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self._respond(send_body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._respond(send_body=False)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        if self.server.verbose:
            super().log_message(format, *args)


class ReplicaServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, site: Site, port: int = 0, verbose: bool = False) -> None:
        self.site = site
        self.verbose = verbose
        super().__init__(("127.0.0.1", port), Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"
