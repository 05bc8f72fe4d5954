"""How many pages a listing has, and where page n is, by every sign a Chinese CMS gives.

Signs, strongest first: a ``尾页``/``末页`` link; a page count in a script (TRS's
``createPageHTML(N, current, "prefix", "ext")``, ``var countPage = N``); a text (``共N页``,
``第1/N页``, ``页次：1/N``, ``共N条 每页M条``); else what the links show: the highest
numbered page linked, and ``下一页`` (the page after this one exists).  Page URLs follow
the scheme the links show: ``node_<id>_<n>.htm`` (the site's, and the default),
``index_<n>.htm`` (帝国CMS: page 2 is ``index_2``; TRS: ``index_1``, learnt from the links),
``?page=n``.  ``last`` is the highest page known to exist: the walk never asks past it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from urllib.parse import urljoin

from parsel import Selector

from cqnnews.text import clean, compact

_NODE = re.compile(r"node_(\d+)(?:_(\d+))?\.htm$")
_INDEX = re.compile(r"^(?P<stem>.*/)index(?:_(?P<n>\d+))?\.(?P<ext>s?html?)$")
_QUERY = re.compile(r"(?P<head>[?&](?:page|p|pageNo|pageIndex|pn|PageNo)=)(?P<n>\d+)")
_LAST_TEXT = ("尾页", "末页", "最后一页")
_NEXT_TEXT = ("下一页", "下页", ">", "»", "›", ">>", "下一页>")
_TRS = re.compile(r"createPageHTML\(\s*(\d+)\s*,\s*(\d+)\s*,\s*[\"']([^\"']+)[\"']\s*,\s*[\"']([^\"']+)[\"']")
_COUNT_VAR = re.compile(r"\b(?:countPage|pageCount|totalPage|totalPages|maxPage)\s*=\s*[\"']?(\d+)")
_TEXTS = (("共N页", re.compile(r"共\s*(\d+)\s*页")), ("第1/N页", re.compile(r"第?\s*\d+\s*/\s*(\d+)\s*页")),
          ("第1/N页", re.compile(r"页次\s*[:：]\s*\d+\s*/\s*(\d+)")))
_ROWS = re.compile(r"共\s*(\d+)\s*条.{0,20}?每页\s*(\d+)\s*条")


@dataclass(frozen=True)
class Pagination:
    last: int  # the highest page known to exist (1: this is the only one known)
    sign: str  # what said so: 尾页, createPageHTML, countPage, 共N页, 第1/N页, 共N条, numbers, 下一页, none
    template: str | None = None  # absolute URL of a page with ``{n}`` for its number; None: the node scheme
    offset: int = 0  # page n is at number n + offset (TRS counts from 0: index_1 is page 2)

    def url(self, first: str, n: int) -> str:
        """The URL of page ``n`` of the listing whose first page is ``first``."""
        if n == 1:
            return first
        if self.template is None:
            return node_page_url(first, n)
        return self.template.replace("{n}", str(n + self.offset))


def node_page_url(first: str, n: int) -> str:
    """``node_<id>.htm`` is page 1; page n is ``node_<id>_<n>.htm``."""
    return re.sub(r"node_(\d+)(?:_\d+)?\.htm", lambda m: f"node_{m[1]}.htm" if n == 1 else f"node_{m[1]}_{n}.htm",
                  first)


def _numbered(url: str, node: str | None) -> tuple[int, str | None] | None:
    """(number in the URL, template) of a link to a page of this listing; None for any other link."""
    path = url.split("#")[0]
    if m := _QUERY.search(path):
        return int(m["n"]), path[:m.start("n")] + "{n}" + path[m.end("n"):]
    plain = path.split("?")[0]
    if (m := _NODE.search(plain)) and m[1] == node:
        return int(m[2] or 1), None
    if m := _INDEX.match(plain):
        return (int(m["n"]) if m["n"] else 0), f"{m['stem']}index_{{n}}.{m['ext']}"
    return None


def read_pagination(sel: Selector, url: str, first: str, page: int) -> Pagination:
    """The pagination of page ``page`` (at ``url``) of the listing whose first page is ``first``."""
    node_match = _NODE.search(first.split("?")[0])
    node = node_match[1] if node_match else None
    last_link = next_link = None
    numbers: dict[int, int] = {}  # page number shown -> number in the URL
    templates: list[str | None] = []
    for a in sel.xpath("//a[@href]"):
        text = compact(a.xpath("string()").get(""))
        found = _numbered(urljoin(url, a.attrib["href"]), node)
        if found is None:
            continue
        number, template = found
        if text in _LAST_TEXT:
            last_link = (number, template)
        elif text in _NEXT_TEXT:
            next_link = (number, template)
        elif text.isdigit() and number - int(text) in ((0,) if template is None else (0, -1)):
            numbers[int(text)] = number  # a link to page n by its number (not one named 2024: a year's listing)
        else:
            continue
        templates.append(template)
    template = next((t for t in templates if t is not None), None)
    offsets = [n - shown for shown, n in numbers.items() if shown > 1]
    if next_link is not None:
        offsets.append(next_link[0] - (page + 1))
    offset = max(set(offsets), key=offsets.count) if offsets and template is not None else 0
    known = max([page, *numbers, *([next_link[0] - offset] if next_link else [])])
    scripts = " ".join(sel.xpath("//script/text()").getall())
    if m := _TRS.search(scripts):
        count = int(m[1])
        trs = urljoin(url, f"{m[3]}_{{n}}.{m[4]}")
        return Pagination(max(count, known), "createPageHTML", template or trs, offset if template else -1)
    if last_link is not None:
        return Pagination(max(last_link[0] - offset, known), _LAST_TEXT[0], template, offset)
    if m := _COUNT_VAR.search(scripts):
        return Pagination(max(int(m[1]), known), "countPage", template, offset)
    text = clean(" ".join(sel.xpath("//body//text()[not(ancestor::script) and not(ancestor::style)]").getall()))
    for sign, pattern in _TEXTS:
        if m := pattern.search(text):
            return Pagination(max(int(m[1]), known), sign, template, offset)
    if m := _ROWS.search(text):
        return Pagination(max(math.ceil(int(m[1]) / max(1, int(m[2]))), known), "共N条", template, offset)
    if numbers and max(numbers) >= known:
        return Pagination(known, "numbers", template, offset)
    if next_link is not None:
        return Pagination(known, "下一页", template, offset)
    return Pagination(known, "numbers" if numbers else "none", template, offset)
