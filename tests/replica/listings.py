"""``--listings``: listing pages in markups the crawler has never seen (SITE.md: no listing markup after 2020 is on
record), each plausible for a CMS of 2021 onwards.

- ``current``: the 2017-2019 markup (``render.node_page``), unchanged.
- ``redesign``: other class names, a date in a ``<span>`` beside each link, long titles cut with ``…`` (whole in
  ``title``), a 热点排行 side column of real articles of other sections (more links than a last page holds),
  pages linked by number and ``下一页`` only (no ``尾页``).
- ``numbered``: rows of a table with the date in a cell, every page linked by its number and nothing else, a
  side column with no heading words at all beside the pager-less last page.
- ``script``: items as ``div``s (title, summary, date), the pager written by a script from ``var countPage``: no
  page link in the markup.
- ``index``: the list cut into chunks of five (``ul`` after ``ul``), pages 2.. at ``node_<id>/index_<n>.htm``,
  ``共N页 第p/N页`` with ``上一页``/``下一页``.
- ``overlap``: the 2017-2019 markup, but 要闻一 and 要闻二 (two listings that share articles) both call themselves
  要闻 in their breadcrumb, as the 2018 home page calls both.

Listing pages of listings that only hold other listings (抽查公告, 国家抽查) keep the 2017-2019 markup.
"""

from __future__ import annotations

import re
from html import escape

from tests.replica import render
from tests.replica.render import Page
from tests.replica.site import CHANNELS, PAGE_SIZE, ArticleRef, Channel, Node, Site

OVERLAP = {20762: "要闻", 20796: "要闻"}  # node id: the name its breadcrumb shows in the ``overlap`` variant
SIDE_LINKS = 24  # more than PAGE_SIZE: a side column holding more article links than the list
_INDEX_PAGE = re.compile(r"/(?P<slug>\w+)/node_(?P<node>\d+)/index_(?P<page>\d+)\.htm")


def route(site: Site, path: str) -> Page | None:
    """The pages only a variant serves (``index``: ``/<slug>/node_<id>/index_<n>.htm``); None for any other."""
    if site.listings != "index" or not (m := _INDEX_PAGE.fullmatch(path)):
        return None
    found = site.nodes_by_id.get(int(m["node"]))
    if found is None or found[0].slug != m["slug"] or found[1][-1].name in site.removed or int(m["page"]) < 2:
        return None
    return node_page(site, found[0], found[1], int(m["page"]), by_index=True)


def node_page(site: Site, channel: Channel, path: tuple[Node, ...], page: int, by_index: bool = False) -> Page | None:
    """A listing page in the variant's markup; None where the variant serves nothing (a 404)."""
    node = path[-1]
    if site.listings == "overlap":
        served = render.node_page(site, channel, path, page, variant=False)
        if served is not None and node.node_id in OVERLAP:
            own = f'<a href="../{channel.slug}/node_{node.node_id}.htm">{node.name}</a>&gt;&gt;</div>'
            renamed = own.replace(f">{node.name}<", f">{OVERLAP[node.node_id]}<")
            served = Page(served.body.decode().replace(own, renamed).encode(), served.content_type, served.status)
        return served
    if not node.is_leaf or (site.listings == "index" and page > 1 and not by_index):
        return render.node_page(site, channel, path, page, variant=False) if not node.is_leaf else None
    leaf = next(lf for lf in site.leaves if lf.channel is channel and lf.path == path)
    refs, pages = site.listing(leaf), site.pages(leaf)
    if page < 1 or page > pages:
        return None
    shown = refs[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
    items = {"redesign": _redesign_items, "numbered": _table_items, "script": _div_items,
             "index": _chunked_items}[site.listings](site, shown)
    pager = {"redesign": _pager_numbers_next, "numbered": _pager_numbers, "script": _pager_script,
             "index": _pager_index}[site.listings](f"/{channel.slug}/node_{node.node_id}", page, pages)
    crumbs = " &gt; ".join(['<a href="/">首页</a>', f'<a href="/{channel.slug}/index.htm">{channel.name}</a>',
                            *(f'<a href="/{channel.slug}/node_{n.node_id}.htm">{n.name}</a>' for n in path)])
    siblings = path[-2].children if len(path) > 1 else channel.nodes
    menu = " ".join(f'<a href="/{channel.slug}/node_{n.node_id}.htm">{n.name}</a>' for n in siblings
                    if n.name not in site.removed)
    side = _side_column(site, channel, heading=site.listings != "numbered")
    body = (f'<header class="site-head"><a href="/" class="logo">中国质量新闻网</a>'
            f'<nav class="channels">{menu}</nav></header>\n'
            f'<div class="crumbs">当前位置：{crumbs}</div>\n'
            f'<div class="layout"><div class="col-main"><h1 class="col-name">{node.name}</h1>{items}'
            f'<div class="paging">{pager}</div></div>{side}</div>\n<footer>{render._footer()}</footer>')
    return Page(render._html(f"<title>{node.name}_中国质量新闻网</title>", body).encode())


def _title(site: Site, ref: ArticleRef) -> tuple[str, str]:
    """(shown, whole): titles longer than 16 characters are cut with …"""
    whole = site.story(ref).title
    return (whole if len(whole) <= 16 else whole[:15] + "…"), whole


def _redesign_items(site: Site, refs: list[ArticleRef]) -> str:
    rows = []
    for ref in refs:
        shown, whole = _title(site, ref)
        rows.append(f'<li class="news-item"><a href="{ref.path}" title="{escape(whole)}" target="_blank">'
                    f'{escape(shown)}</a><span class="news-date">{ref.published:%Y-%m-%d}</span></li>')
    return f'<ul class="news-list">{"".join(rows)}</ul>'


def _table_items(site: Site, refs: list[ArticleRef]) -> str:
    rows = "".join(f'<tr><td class="t"><a href="{ref.path}" target="_blank">{escape(site.story(ref).title)}</a></td>'
                   f'<td class="d">[{ref.published:%Y-%m-%d}]</td></tr>' for ref in refs)
    return f'<table class="list-table" width="100%"><tbody>{rows}</tbody></table>'


def _div_items(site: Site, refs: list[ArticleRef]) -> str:
    rows = "".join(f'<div class="item"><h3><a href="{ref.path}">{escape(site.story(ref).title)}</a></h3>'
                   f'<p class="desc">{escape(site.story(ref).title[:10])}……</p>'
                   f'<div class="meta"><span>{ref.published:%Y年%m月%d日 %H:%M}</span></div></div>' for ref in refs)
    return f'<div class="items">{rows}</div>'


def _chunked_items(site: Site, refs: list[ArticleRef]) -> str:
    chunks = []
    for i in range(0, len(refs), 5):
        lis = "".join(f'<li><a href="{ref.path}" target="_blank">{escape(site.story(ref).title)}</a>'
                      f'<em>{ref.published:%m-%d}</em></li>' for ref in refs[i:i + 5])
        chunks.append(f'<ul class="list16">{lis}</ul><div class="line"></div>')
    return f'<div class="list-box">{"".join(chunks)}</div>'


def _href(base: str, n: int) -> str:
    return f"{base}.htm" if n == 1 else f"{base}_{n}.htm"


def _pager_numbers_next(node: str, page: int, pages: int) -> str:
    links = [f'<a href="{_href(node, n)}">{n}</a>' if n != page else f'<span class="cur">{n}</span>'
             for n in range(max(1, page - 2), min(pages, page + 2) + 1)]
    if page > 1:
        links.insert(0, f'<a href="{_href(node, page - 1)}">上一页</a>')
    if page < pages:
        links.append(f'<a href="{_href(node, page + 1)}">下一页</a>')
    return " ".join(links)


def _pager_numbers(node: str, page: int, pages: int) -> str:
    return " ".join(f'<a href="{_href(node, n)}">{n}</a>' if n != page else f"<b>{n}</b>" for n in range(1, pages + 1))


def _pager_script(node: str, page: int, pages: int) -> str:
    return (f'<div id="pager"></div><script type="text/javascript">var currentPage = {page}; var countPage = {pages};'
            f'var prefix = "{node.rsplit("/", 1)[1]}";'
            "for (var i = 1; i <= countPage; i++) { var a = document.createElement('a');"
            "a.href = i == 1 ? prefix + '.htm' : prefix + '_' + i + '.htm'; a.innerHTML = i;"
            "document.getElementById('pager').appendChild(a); }</script>")


def _pager_index(node: str, page: int, pages: int) -> str:
    def href(n: int) -> str:
        return _href(node, 1) if n == 1 else f"{node}/index_{n}.htm"

    links = [f"共{pages}页 第{page}/{pages}页"]
    if page > 1:
        links.append(f'<a href="{href(page - 1)}">上一页</a>')
    if page < pages:
        links.append(f'<a href="{href(page + 1)}">下一页</a>')
    return " ".join(links)


def _side_column(site: Site, channel: Channel, heading: bool) -> str:
    """Real articles of another section of the news centre, newest first: more links than the list holds."""
    other = CHANNELS[(CHANNELS.index(channel) + 1) % len(CHANNELS)] if channel in CHANNELS else CHANNELS[0]
    refs = sorted((r for leaf in site.leaves if leaf.channel is other for r in site.own_articles(leaf)),
                  key=lambda r: r.published, reverse=True)[:SIDE_LINKS]
    items = "".join(f'<li><a href="{r.path}">{escape(site.story(r).title)}</a></li>' for r in refs)
    title = '<div class="side-title"><span>热点排行</span></div>' if heading else ""
    return f'<div class="col-side">{title}<ol class="rank">{items}</ol></div>'
