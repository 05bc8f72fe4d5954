"""A listing page's own list of articles, by a chain of readings: the selectors on record, then a generic reading.

The generic reading takes every link whose URL follows the site's article scheme
(``/<slug>/content/YYYY-MM/DD/content_<id>.htm``, the old ``/news/…/<id>.html``), gives
each its item (the largest element holding that one article and no other) and groups the
items by the element that holds them (sibling lists of one kind, a list cut into chunks,
count as one).  The page's own list is told apart from menus, header, footer and side
columns (热点排行, 相关阅读, 推荐, 图片新闻 …) by structure: it sits next to the page's
pagination; without one, groups under a ``header``/``nav``/``footer``/``aside`` or a side
column's heading are set aside.  Where two groups remain that nothing tells apart, the
largest is taken and the page is marked ``ambiguous``: counted and warned about, never mixed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from urllib.parse import urljoin

from lxml import etree
from parsel import Selector

from cqnnews.reading.parsers.units import text_of
from cqnnews.text import clean

Element = etree._Element

#: the selectors on record (SITE.md, 2017-2019 and the old layout), by reading name, in order
ON_RECORD = (("cont_l", "div.List_List dd.cont_l ul li a"), ("List_List", "div.List_List li a"),
             ("Article_List_C_D", "div.Article_List_C_D li a"))
GENERIC = "generic"
ARTICLE_HREF = re.compile(r"/content/\d{4}-\d{2}/\d{2}/content_\d+(?:_\d+)?\.html?$|content_\d+(?:_\d+)?\.html?$"
                          r"|/news/\w+/\w+/\d+\.html$")
_DATE = re.compile(r"(?<!\d)(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?!\d)")
_CUT = re.compile(r"(?:…+|\.{3,}|。。。)\s*$")
# the headings of side columns and related lists on Chinese news pages (their words, not a site's class names)
SIDE_HEADING = re.compile(r"热点|排行|排名|相关|推荐|图片|热门|最新|精彩|专题|视频|热读|点击|阅读榜|友情链接|猜你喜欢|延伸阅读")
PAGER_TEXT = re.compile(r"下一页|下页|尾页|末页|上一页|共\s*\d+\s*页|第?\s*\d+\s*/\s*\d+\s*页|共\s*\d+\s*条")
_NODE_ID = re.compile(r"node_(\d+)(?:_\d+)?\.htm")
_ITEMS = frozenset({"li", "tr", "dd"})
_LISTS = frozenset({"ul", "ol", "dl", "table", "tbody"})
_OUTSIDE = frozenset({"header", "nav", "footer", "aside"})


@dataclass(frozen=True)
class Item:
    url: str  # absolute
    title: str  # the link text, or its title attribute where the text is cut short
    day: date | None = None  # the date shown beside the link


@dataclass(frozen=True)
class ListingRead:
    items: list[Item]
    reading: str  # a name of ON_RECORD, GENERIC, or "none"
    ambiguous: bool = False  # the generic reading could not tell the list from another group of article links

    @property
    def urls(self) -> list[str]:
        return [item.url for item in self.items]


def read_items(sel: Selector, base_url: str) -> ListingRead:
    """The page's own list of articles, by the first reading that finds any."""
    for name, css in ON_RECORD:
        anchors = [a.root for a in sel.css(css) if ARTICLE_HREF.search(_href(a.root))]
        if anchors:
            return ListingRead(_items([(a, _item_of_anchor(a)) for a in anchors], base_url), name)
    return generic(sel.root, base_url)


def _href(a: Element) -> str:
    return (a.get("href") or "").strip().split("#")[0]


def _item_of_anchor(a: Element) -> Element:
    parent = a.getparent()
    return parent if parent is not None and parent.tag in ("li", "dd", "td", "p") else a


def title_of(anchors: list[Element]) -> str:
    """The longest link text among an item's links to one article; its ``title`` attribute where the text is cut
    short (``…``, ``...``) or empty (an image)."""
    texts = [clean(text_of(a)) for a in anchors]
    text = max(texts, key=len, default="")
    full = next((clean(t) for a in anchors if (t := a.get("title")) and not _CUT.search(t)), "")
    if full and (not text or _CUT.search(text)) and len(full) >= len(_CUT.sub("", text)):
        return full
    return text


def day_beside(item: Element, anchors: list[Element]) -> date | None:
    """The date an item shows beside its link (not inside the title)."""
    inside = {clean(text_of(a)) for a in anchors}
    text = text_of(item) if item.tag != "a" else ""
    for part in inside:
        text = text.replace(part, " ") if part else text
    m = _DATE.search(text)
    if not m:
        return None
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def _items(pairs: list[tuple[Element, Element]], base_url: str) -> list[Item]:
    """(anchor, item element) pairs in page order -> one Item per article URL, in page order."""
    by_url: dict[str, tuple[Element, list[Element]]] = {}
    for a, item in pairs:
        url = urljoin(base_url, _href(a))
        by_url.setdefault(url, (item, []))[1].append(a)
    return [Item(url, title_of(anchors), day_beside(item, anchors)) for url, (item, anchors) in by_url.items()]


@dataclass
class _Group:
    container: Element
    pairs: list[tuple[Element, Element]]  # (anchor, item) in page order
    first: int  # document position of its first link

    @property
    def size(self) -> int:
        return len({_href(a) for a, _ in self.pairs})


def generic(root: Element, base_url: str) -> ListingRead:
    """The generic reading: the group of article links next to the pagination, else the one group no structure
    sets aside."""
    groups = article_groups(root)
    if not groups:
        return ListingRead([], "none")
    chosen, ambiguous = choose(groups, pager_of(root, base_url))
    return ListingRead(_items(chosen.pairs, base_url), GENERIC, ambiguous)


def article_groups(root: Element) -> list[_Group]:
    anchors = [a for a in root.iter("a") if ARTICLE_HREF.search(_href(a))]
    urls_under: dict[Element, set[str]] = {}
    for a in anchors:
        for el in (a, *a.iterancestors()):
            urls_under.setdefault(el, set()).add(_href(a))
    groups: dict[Element, _Group] = {}
    for position, a in enumerate(anchors):
        item = a
        while item.tag not in _ITEMS and (parent := item.getparent()) is not None and len(urls_under[parent]) == 1:
            item = parent  # up to a list's item (a list of one stays a list), else the largest holding only it
        container = item.getparent()
        if container is None:
            continue
        groups.setdefault(container, _Group(container, [], position)).pairs.append((a, item))
    return _merge_chunks(list(groups.values()))


def _merge_chunks(groups: list[_Group]) -> list[_Group]:
    """A list cut into chunks (``<ul>`` after ``<ul>`` under one parent, as people.com.cn does) is one list."""
    merged: dict[tuple[object, ...], _Group] = {}
    for g in sorted(groups, key=lambda g: g.first):
        c = g.container
        key = (c.getparent(), c.tag, c.get("class")) if c.getparent() is not None and c.tag in _LISTS else (c,)
        if key in merged:
            merged[key].pairs.extend(g.pairs)
        else:
            merged[key] = _Group(c, list(g.pairs), g.first)
    return list(merged.values())


def pager_of(root: Element, base_url: str = "") -> Element | None:
    """The element holding the page's pagination: the last one showing a pager sign (下一页, 尾页, 共N页 …) or
    two links or more whose text is a page number (not links to other listings named by a number: 2024, 2025)."""
    here = _NODE_ID.search(base_url)
    found = None
    numbered: dict[Element, int] = {}
    for el in root.iter():
        if not isinstance(el.tag, str) or el.tag in ("script", "style", "title", "head"):
            continue
        if el.tag == "a" and ARTICLE_HREF.search(_href(el)):
            continue
        own = el.text or ""
        if PAGER_TEXT.search(own):
            found = el
        elif el.tag == "a" and own.strip().isdigit() and el.get("href") and (parent := el.getparent()) is not None \
                and ((m := _NODE_ID.search(_href(el))) is None or here is None or m[1] == here[1]):
            numbered[parent] = numbered.get(parent, 0) + 1
            if numbered[parent] >= 2:
                found = parent
        elif el.tail and PAGER_TEXT.search(el.tail) and el.getparent() is not None:
            found = el.getparent()
    if found is None:
        return None
    while found.tag in ("a", "span", "b", "strong", "font", "em", "li", "i") and found.getparent() is not None:
        found = found.getparent()
    return found


def _path(el: Element) -> list[Element]:
    return [*reversed(list(el.iterancestors())), el]


def _distance(a: Element, b: Element) -> int:
    pa, pb = _path(a), _path(b)
    common = 0
    while common < min(len(pa), len(pb)) and pa[common] is pb[common]:
        common += 1
    return (len(pa) - common) + (len(pb) - common)


def set_aside(group: _Group) -> bool:
    """A group structure marks as not the page's list: under header/nav/footer/aside, or under a side column's
    heading (the nearest heading before it in its block)."""
    c = group.container
    if c.tag in _OUTSIDE or any(el.tag in _OUTSIDE or el.get("role") == "navigation" for el in c.iterancestors()):
        return True
    return side_heading(c)


def side_heading(container: Element) -> bool:
    """Whether the nearest short heading before the group (in its block, or its block's block) names a side
    column."""
    el: Element | None = container
    for _ in range(3):
        if el is None:
            return False
        for sib in el.itersiblings(preceding=True):
            text = clean(text_of(sib)) if isinstance(sib.tag, str) else ""
            if not text:
                continue
            if len(text) <= 12:
                return bool(SIDE_HEADING.search(text))
            break  # a block of content, no heading: look a level up
        el = el.getparent()
    return False


def choose(groups: list[_Group], pager: Element | None) -> tuple[_Group, bool]:
    """The page's own list and whether it was a guess."""
    kept = [g for g in groups if not set_aside(g)] or groups
    # a lone article link outside any list (a teaser) is no list; a list of one (a last page) is
    kept = [g for g in kept if g.size > 1 or g.container.tag in _LISTS] or kept
    if pager is not None:
        ranked = sorted(kept, key=lambda g: (_distance(g.container, pager), -g.size))
        if len(ranked) == 1 or _distance(ranked[0].container, pager) < _distance(ranked[1].container, pager):
            return ranked[0], False
    by_size = sorted(kept, key=lambda g: -g.size)
    if len(by_size) == 1:
        return by_size[0], False
    dated = [g for g in by_size if sum(day_beside(i, [a]) is not None for a, i in g.pairs) * 2 > len(g.pairs)]
    if len(dated) == 1:
        return dated[0], False
    return by_size[0], by_size[1].size >= 3 and by_size[1].size * 2 > by_size[0].size
