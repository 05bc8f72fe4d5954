"""Hostile pages, served by a tiny site of the test's own: each is read whole and right, or fails with its
reason, or is flagged; nothing of another host or another listing reaches the feed; no walk is endless.

The site has the navigation the yaowen spider follows (home page, 综合, 要闻一 and 要闻二) and one
listing page whose articles are every kind of hostile page; its 尾页 points at page 1,000,000,000
and every page past the first repeats it; a sidebar links another node of the channel; a link
carries an article id no state can hold.
"""

from __future__ import annotations

import gzip
import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.crawl import POLITE_SETTINGS, read_feed, run_crawl

NOW = "2026-10-05T12:00:00+08:00"
FIRST = 9_100_001
KINDS = ("plain", "redirect_offsite", "refresh_offsite", "too_big", "gzip_bomb", "deep", "gbk_as_latin",
         "utf16", "nul_title", "many_pages", "always_503")
ID = {kind: FIRST + i for i, kind in enumerate(KINDS)}
SIDEBAR_ARTICLE = 9_200_001
BODY = "国家市场监督管理总局发布产品质量国家监督抽查结果，抽查了建筑用钢筋等产品。"


def article_path(aid: int, page: int = 1) -> str:
    return f"/qt/content/2026-10/01/content_{aid}{'' if page == 1 else f'_{page}'}.htm"


def article_html(title: str, body: str, charset: str = "utf-8", head: str = "") -> str:
    return (f'<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}" />{head}'
            f"<title>{title}_中国质量新闻网</title></head><body>"
            '<div class="box">您当前位置：<a href="/">新闻中心</a>&gt;&gt;<a href="/qt/index.htm">综合</a></div>'
            f'<div class="Detail_Title"><h1>{title}</h1></div>'
            '<div class="publish">2026-10-01 10:00:00 <span class="from">来源：中国质量新闻网</span></div>'
            f'<div class="Detail_Content"><div class="content">{body}</div></div></body></html>\n')


class HostileSite(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    bomb = gzip.compress(b"<html><body>" + b"0" * (50 * 1024 * 1024))

    def log_message(self, *args: Any) -> None:
        pass

    def send(self, body: bytes, content_type: str = "text/html; charset=utf-8", status: int = 200,
             headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        path = self.path.split("?")[0]
        other_host = f"http://localhost:{self.server.server_address[1]}"
        if path == "/robots.txt":
            return self.send(b"User-agent: *\nAllow: /\n", "text/plain")
        if path == "/":
            return self.send('<html><body><div class="mainmenu"><a href="/qt/index.htm">综合</a></div>'
                             "</body></html>".encode())
        if path == "/qt/index.htm":
            return self.send('<html><body><div class="List_Sub_List"><dl>'
                             '<dt><h2>要闻一</h2><a href="node_6500.htm">更多</a></dt>'
                             '<dt><h2>要闻二</h2><a href="node_6501.htm">更多</a></dt></dl></div></body></html>'.encode())
        if path.startswith("/qt/node_6500"):  # every page of it, however far, repeats the first
            items = "".join(f'<li><a href="content/2026-10/01/content_{aid}.htm">{kind}</a></li>'
                            for kind, aid in ID.items() if kind != "plain")
            items += f'<li><a href="content/2026-10/01/content_{2**64 + 7}.htm">id out of range</a></li>'
            return self.send((
                '<html><body><div class="subclass"><a href="node_6500.htm">要闻一</a>'
                '<a href="node_6501.htm">要闻二</a></div>'
                '<div class="right"><a href="node_7000.htm">地方新闻</a></div>'
                f'<div class="List_List"><dl><dd class="cont_l"><ul>{items}</ul></dd></dl></div>'
                '<center><a href="node_6500.htm">首页</a> <a href="node_6500_1000000000.htm">尾页</a></center>'
                "</body></html>").encode())
        if path == "/qt/node_6501.htm":
            return self.send(('<html><body><div class="List_List"><dl><dd class="cont_l"><ul>'
                              f'<li><a href="content/2026-10/01/content_{ID["plain"]}.htm">plain</a></li>'
                              "</ul></dd></dl></div></body></html>").encode())
        if path == "/qt/node_7000.htm":
            return self.send(('<html><body><div class="List_List"><dl><dd class="cont_l"><ul>'
                              f'<li><a href="content/2026-10/01/content_{SIDEBAR_ARTICLE}.htm">不是要闻</a></li>'
                              "</ul></dd></dl></div></body></html>").encode())
        for kind, aid in ID.items():
            if path == article_path(aid):
                return self.article(kind, aid, other_host)
            if kind == "many_pages" and path.startswith(article_path(aid).removesuffix(".htm") + "_"):
                return self.send(article_html("很长的文章", f"<p>第{path.rsplit('_', 1)[1][:-4]}页。</p>").encode())
        if path == article_path(SIDEBAR_ARTICLE) or path.startswith("/elsewhere/"):
            return self.send(article_html("别人的页面", f"<p>{BODY}</p>").encode())
        self.send(b"<html><body>not found</body></html>", status=404)

    def article(self, kind: str, aid: int, other_host: str) -> None:
        if kind == "plain":
            return self.send(article_html("普通文章", f"<p>{BODY}</p>").encode())
        if kind == "redirect_offsite":
            return self.send(b"", status=302, headers={"Location": other_host + "/elsewhere/page.htm"})
        if kind == "refresh_offsite":
            refresh = f'<meta http-equiv="refresh" content="0;url={other_host}/elsewhere/page.htm">'
            return self.send(f"<html><head>{refresh}</head><body></body></html>".encode())
        if kind == "too_big":
            return self.send(article_html("超大页面", "<p>" + "大" * (9 * 1024 * 1024 // 3) + "</p>").encode())
        if kind == "gzip_bomb":
            return self.send(self.bomb, headers={"Content-Encoding": "gzip"})
        if kind == "deep":
            body = "".join(f"<p><span><font>第{i}段。" for i in range(400))
            return self.send(article_html("嵌套很深的文章", body).encode())
        if kind == "gbk_as_latin":
            page = article_html("错报字符集的文章", f"<p>{BODY}</p>", charset="iso-8859-1")
            return self.send(page.encode("gbk"), "text/html; charset=iso-8859-1")
        if kind == "utf16":
            return self.send(article_html("UTF-16的文章", f"<p>{BODY}</p>").encode("utf-16-le"), "text/html")
        if kind == "nul_title":
            return self.send(article_html("标题\x00里有控制字符", f"<p>{BODY}</p>").encode())
        if kind == "always_503":  # fails every retry: a failed article, not an error of the run
            return self.send(b"<html><body>busy</body></html>", status=503)
        if kind == "many_pages":
            pager = " ".join(f'<a href="content_{aid}_{n}.htm">{n}</a>' for n in range(2, 3001))
            return self.send(article_html("很长的文章", f"<p>第1页。</p><p>{pager}</p>").encode())
        raise AssertionError(kind)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), HostileSite)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    work = tmp_path_factory.mktemp("hostile")
    try:
        result = run_crawl("yaowen", f"http://127.0.0.1:{server.server_address[1]}", work, "-O", "out.jsonl",
                           settings={**POLITE_SETTINGS, "CQN_BACKOFF_BASE": "0.1", "CQN_BACKOFF_MAX": "0.5"},
                           timeout=300, CQN_NOW=NOW)
    finally:
        server.shutdown()
    records = {r["article_id"]: r for r in read_feed(work / "out.jsonl")}
    summary = json.loads((work / "out.summary.json").read_text(encoding="utf-8"))
    yield {"result": result, "records": records, "summary": summary, "log": result.stderr}


def test_the_run_ends_by_itself_and_healthy(hostile: dict[str, Any]) -> None:
    assert hostile["result"].returncode == 0, hostile["log"][-3000:]  # 5 failed articles, fewer than 10
    assert "Traceback" not in hostile["log"]
    assert " ERROR: " not in hostile["log"], [line for line in hostile["log"].splitlines() if " ERROR: " in line]
    assert "'cqnnews/listing/repeated_pages'" in hostile["log"]  # page 2 repeats page 1: the walk ends
    walked = int(re.search(r"'cqnnews/listing/pages': (\d+)", hostile["log"])[1])  # type: ignore[index]
    assert walked <= 8, walked  # the 要闻 pages, a few ahead: never a billion
    assert "'cqnnews/listing/id_out_of_range': 1" in hostile["log"]


def test_pages_of_another_host_or_listing_never_reach_the_feed(hostile: dict[str, Any]) -> None:
    assert set(hostile["records"]) == {ID[k] for k in ("plain", "deep", "gbk_as_latin", "utf16", "nul_title",
                                                       "many_pages")}
    assert SIDEBAR_ARTICLE not in hostile["records"]
    reasons = {f["article_id"]: f["reason"] for f in hostile["summary"]["failed"]}
    assert "redirected off the site to localhost" in reasons[ID["redirect_offsite"]]
    assert "redirected off the site to localhost" in reasons[ID["refresh_offsite"]]


def test_pages_too_big_fail_with_their_reason_before_they_fill_memory(hostile: dict[str, Any]) -> None:
    reasons = {f["article_id"]: f["reason"] for f in hostile["summary"]["failed"]}
    assert set(reasons) == {ID[k] for k in ("redirect_offsite", "refresh_offsite", "too_big", "gzip_bomb",
                                            "always_503")}
    assert reasons[ID["always_503"]] == "HTTP 503"
    assert "max size" in reasons[ID["too_big"]] and "DOWNLOAD_MAXSIZE" in reasons[ID["gzip_bomb"]], reasons


def test_every_page_is_read_whole_or_flagged(hostile: dict[str, Any]) -> None:
    records = hostile["records"]
    deep = records[ID["deep"]]["body"]
    assert "第0段。" in deep and "第399段。" in deep
    latin = records[ID["gbk_as_latin"]]
    assert latin["title"] == "错报字符集的文章" and BODY in latin["body"] and latin["flags"] == ["charset_misdeclared"]
    assert records[ID["utf16"]]["title"] == "UTF-16的文章" and BODY in records[ID["utf16"]]["body"]
    nul = records[ID["nul_title"]]
    assert nul["title"] == "标题里有控制字符" and nul["flags"] == ["control_characters"]
    many = records[ID["many_pages"]]
    assert many["pages"] == 50 and many["flags"] == ["too_many_pages"] and "第50页。" in many["body"]
