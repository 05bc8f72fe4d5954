"""Reading the site's navigation and listing pages: links by their text, items, pagination."""

from __future__ import annotations

import re
from urllib.parse import urljoin

from parsel import Selector
from scrapy.http import Response

from cqnnews.reading.decoding import decode_page
from cqnnews.reading.listings import read_items
from cqnnews.text import clean, compact

_LAST_PAGE = re.compile(r"node_(?P<node>\d+)(?:_(?P<page>\d+))?\.htm")
_NODE_PAGE = re.compile(r"node_(\d+)\.htm$")
_PAGER_TEXT = re.compile(r"^(?:首页|上一页|下一页|尾页|末页|更多.*)$")


def links_by_text(sel: Selector, base_url: str) -> dict[str, str]:
    """Every link of the page by its text, whitespace ignored; the first link wins.

    Channel pages also name a listing in an ``h2`` above a "更多" link
    (``div.List_Sub_List dt``): those count under the ``h2``'s text.
    """
    found: dict[str, str] = {}
    for dt in sel.css("div.List_Sub_List dt"):
        name = compact(dt.css("h2").xpath("string()").get(""))
        href = dt.css("a::attr(href)").get()
        if name and href:
            found.setdefault(name, urljoin(base_url, href))
    for a in sel.css("a[href]"):
        name = compact(a.xpath("string()").get(""))
        if name:
            found.setdefault(name, urljoin(base_url, a.attrib["href"]))
    return found


def is_listing_url(url: str) -> bool:
    """A listing's first page: ``…/node_<id>.htm``."""
    return bool(_NODE_PAGE.search(url.split("?")[0]))


def menu_links(sel: Selector, base_url: str) -> list[tuple[str, str]]:
    """(link text, absolute URL) of every link to a listing's first page, in page order, repeats kept:
    the home page of 2018 links 要闻 from its main menu (``div.mainmenu``) straight to its node."""
    return [(name, url) for a in sel.css("a[href]")
            if (name := compact(a.xpath("string()").get(""))) and not _PAGER_TEXT.match(name)
            and is_listing_url(url := urljoin(base_url, a.attrib["href"]))]


_MORE = re.compile(r"^[\[【(（<]?\s*(?:更多|more|MORE|More)\s*(?:>>|>|»|›|\+)?\s*[\]】)）>]?$")
_BRACKETS = re.compile(r"[\[\]【】()（）|｜>»›]+")


def more_links(sel: Selector, base_url: str) -> list[tuple[str, str]]:
    """(block name, absolute URL) of each home-page block's "more" link (``[更多]``, ``更多>>``, ``more``), in page
    order, the block named by the title beside it in any markup: the 2018 page's
    ``<dt class="cont_t"><span class="more"><a href="qt/node_20796.htm">[更多]</a></span>要闻</dt>``, or
    ``<div class="title"><h2>要闻</h2><a class="more" href="…">更多>></a></div>`` of a later one."""
    found = []
    for a in sel.xpath("//a[@href]"):
        if not _MORE.match(compact(a.xpath("string()").get(""))):
            continue
        name = _block_title(a)
        if name:
            found.append((name, urljoin(base_url, a.attrib["href"])))
    return found


def _block_title(a: Selector) -> str | None:
    """The title beside a "more" link: its block's other text (up to two levels up), or the heading before it."""
    link = compact(a.xpath("string()").get(""))
    for up in ("..", "../.."):
        box = a.xpath(up)
        if not box:
            return None
        if box.xpath("./self::body or ./self::html").get() == "1":
            return None
        text = compact(box.xpath("string()").get("")).replace(link, "", 1)
        name = _BRACKETS.sub("", text)
        if 0 < len(name) <= 12 and not box.xpath(".//a[@href][not(contains(string(), '更多'))]"
                                                 "[contains(@href, 'content_')]"):
            return name
        heading = box.xpath("./preceding-sibling::*[self::h1 or self::h2 or self::h3 or self::h4 or self::dt]"
                            "[1]")
        if heading and 0 < len(name := _BRACKETS.sub("", compact(heading.xpath("string()").get("")))) <= 12:
            return name
    return None


def rss_listings(body: bytes, base_url: str) -> list[tuple[str, str]]:
    """(title, absolute URL) of each ``<item>`` (or ``<channel>``) of an RSS document that links a listing;
    [] for anything that is not RSS."""
    from lxml import etree

    try:
        root = etree.fromstring(body, etree.XMLParser(recover=True, resolve_entities=False, no_network=True))
    except (etree.LxmlError, ValueError):
        return []
    if root is None or etree.QName(root).localname not in ("rss", "RDF", "feed"):
        return []
    found = []
    for node in root.iter("item", "channel"):
        title, link = node.findtext("title"), node.findtext("link")
        if title and link and is_listing_url(url := urljoin(base_url, link.strip())):
            found.append((compact(title), url))
    return found


_CRUMB_START = re.compile(r"^(?:您当前(?:的)?位置|当前位置|您的位置|所在位置|位置)\s*[:：]?")
_CRUMB_SPLIT = re.compile(r"\s*(?:>>|>|»|›|→|/|＞)\s*")


def sitemap_nodes(body: bytes, base_url: str, slug: str) -> list[str]:
    """The listing first pages (``/<slug>/node_<id>.htm``) a ``/sitemap.xml`` lists, in its order; [] for anything
    that is not a sitemap."""
    from lxml import etree

    try:
        root = etree.fromstring(body, etree.XMLParser(recover=True, resolve_entities=False, no_network=True))
    except (etree.LxmlError, ValueError):
        return []
    if root is None or etree.QName(root).localname != "urlset":
        return []
    locs = [urljoin(base_url, (el.text or "").strip()) for el in root.iter() if etree.QName(el).localname == "loc"]
    return list(dict.fromkeys(u for u in locs if is_listing_url(u) and f"/{slug}/" in u))


def crumb_name(sel: Selector) -> str | None:
    """The last crumb of a listing page's breadcrumb: the listing's own name, if it shows one.  The site's
    (``div.box``, crumbs its links) first; else any element whose text opens ``您当前位置``/``当前位置``..."""
    crumbs = [c for c in (compact(a.xpath("string()").get("")) for a in sel.css("div.box a")) if c]
    if crumbs:
        return crumbs[-1]
    for el in sel.xpath("//body//*[not(self::script)][not(.//div) and not(.//ul) and not(.//table)]"):
        text = clean(el.xpath("string()").get(""))
        if len(text) < 80 and (m := _CRUMB_START.match(text)):
            parts = [compact(p) for p in _CRUMB_SPLIT.split(text[m.end():]) if compact(p)]
            if parts:
                return parts[-1]
    return None


def node_links(sel: Selector, base_url: str) -> list[tuple[str, str]]:
    """(name, absolute URL) of every link to a listing's first page, in page order, each URL once.

    Pagination (links to the page's own node, 首页, 尾页...) is not a listing; a
    ``div.List_Sub_List`` block names its listing in the ``h2`` above its "更多" link.  A name
    also linked elsewhere on the page (检验检测 in the site's menu, to another channel) does not
    hide the link to its node.
    """
    here = _LAST_PAGE.search(base_url.split("?")[0])
    named: list[tuple[str, str]] = []
    for dt in sel.css("div.List_Sub_List dt"):
        name = compact(dt.css("h2").xpath("string()").get(""))
        href = dt.css("a::attr(href)").get()
        if name and href:
            named.append((name, urljoin(base_url, href)))
    for a in sel.css("a[href]"):
        if name := compact(a.xpath("string()").get("")):
            named.append((name, urljoin(base_url, a.attrib["href"])))
    seen: dict[str, str] = {}
    for name, url in named:
        m = _NODE_PAGE.search(url.split("?")[0])
        if m and not _PAGER_TEXT.match(name) and not (here and here["node"] == m[1]):
            seen.setdefault(url, name)
    order = {url: i for i, url in enumerate(urljoin(base_url, h) for h in sel.css("a::attr(href)").getall())}
    return sorted(((name, url) for url, name in seen.items()), key=lambda p: order.get(p[1], -1))


def listing_items(sel: Selector, base_url: str) -> list[tuple[str, str]]:
    """(absolute URL, title) of every article linked from a listing page, in page order, by the chain of readings
    of :mod:`cqnnews.reading.listings`."""
    return [(item.url, item.title) for item in read_items(sel, base_url).items]


def last_page(sel: Selector) -> int:
    """The number of the last listing page, from the pagination link ``尾页``; 1 without one."""
    for a in sel.xpath("//a[normalize-space(string())='尾页']"):
        m = _LAST_PAGE.search(a.attrib.get("href", ""))
        if m:
            return int(m["page"] or 1)
    return 1


def listing_page_url(first_page_url: str, page: int) -> str:
    """``node_<id>.htm`` is page 1; page n is ``node_<id>_<n>.htm``."""
    return re.sub(r"node_(\d+)(?:_\d+)?\.htm", lambda m: f"node_{m[1]}.htm" if page == 1 else f"node_{m[1]}_{page}.htm",
                  first_page_url)


def page_selector(response: Response) -> Selector:
    """A navigation or listing page, decoded as articles are (Scrapy's own guess, where no charset is
    declared, is slow)."""
    return Selector(text=decode_page(response.body, response.headers.get("Content-Type", b"").decode("latin-1")).text,
                    type="html")


def sub_listing_links(sel: Selector, base_url: str, has_items: bool) -> list[tuple[str, str]]:
    """(name, URL) of the listings a listing page itself contains: its ``div.List_Sub_List`` blocks;
    a page holding no articles of its own (an index of listings) may name them in other node links.
    A listing with articles never hands its walk to its sub-menu (siblings) or a sidebar."""
    blocks = sel.css("div.List_Sub_List")
    if blocks:
        return node_links(Selector(text="".join(block.get() for block in blocks)), base_url)
    return [] if has_items else node_links(sel, base_url)
