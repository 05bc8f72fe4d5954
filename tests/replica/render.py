"""HTML for the replica's pages, in the site's current layout (SITE.md).

Where SITE.md says a detail is unknown, pages differ in it, chosen per article or per
node from the seed: enpproperty block absent / before / after the body with either date
form, ``span.from`` empty or filled, listings with or without dates, charset declared in
the header, the ``<meta>``, both or neither.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from tests.replica import templates
from tests.replica.content import OWN_SOURCE, Block, Story, colon, paren
from tests.replica.site import CHANNELS, OTHER_CHANNELS, PAGE_SIZE, ArticleRef, Channel, Node, PageVariant, Site

ORIGIN = "http://www.cqn.com.cn"  # how the site writes absolute links to itself, when it does
DOCTYPE = ('<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
           '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">')
STATEMENT = ("本网注明“来源：中国质量新闻网”的所有作品，版权均属于中国质量新闻网，未经本网授权不得转载、摘编或利用其他方式使用上述作品。"
             "已经本网授权使用作品的，应在授权范围内使用，并注明“来源：中国质量新闻网”。")
PICTURE_NEWS = ["机油液位上升、加注口变“奶盖”不要 ...", "安全的召回与召回的安全", "广汽本田2019年超额完成目标，体 ...",
                "自研自造铸市场底力 威马为新势力唯 ...", "中国汽车文化的先驱 奥迪第三次华丽 ..."]


@dataclass(frozen=True)
class Page:
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    status: int = 200


def _html(head: str, body: str, charset_meta: str | None = "utf-8") -> str:
    meta = f'<meta http-equiv="Content-Type" content="text/html; charset={charset_meta}" />\n' if charset_meta else ""
    return (f'{DOCTYPE}\n<html xmlns="http://www.w3.org/1999/xhtml">\n<head>\n{meta}{head}\n</head>\n'
            f"<body>\n{body}\n</body>\n</html>\n")


# The rest of the site's menu: channels outside the news centre (not served; the crawler never follows them).
SITE_MENU = ["质量", "标准", "计量", "认证", "检验检测", "特种设备", "食品", "消费", "家居建材", "线缆", "财经",
             "地方", "人物", "评论", "图片", "直播", "数据", "政策法规", "曝光台", "3·15", "质量月", "专家库"]
SCRIPTS = ("<script type=\"text/javascript\">var _hmt = _hmt || [];(function(){var hm = document.createElement('script');"
           "hm.src = '//hm.example.invalid/hm.js?0f1e2d3c';var s = document.getElementsByTagName('script')[0];"
           "s.parentNode.insertBefore(hm, s);})();</script>\n"
           "<script type=\"text/javascript\">function share(t){var u=encodeURIComponent(location.href);"
           "window.open('//share.example.invalid/?u='+u+'&t='+t,'_blank','width=600,height=450');return false;}"
           "function fontSize(n){document.getElementById('zoom').style.fontSize=n+'px';}</script>")


def _nav() -> str:
    links = "".join(f'<li><a href="/{c.slug}/index.htm" target="_blank">{c.name}</a></li>'
                    for c in (*CHANNELS, *OTHER_CHANNELS))
    more = "".join(f'<li><a href="/{i:02d}/index.htm" target="_blank">{name}</a></li>'
                   for i, name in enumerate(SITE_MENU))
    return (f'<div class="topbar"><span>欢迎访问中国质量新闻网</span> <a href="/member/login.htm">登录</a> '
            f'<a href="/member/reg.htm">注册</a> <a href="/rss/food.xml">RSS</a></div>\n'
            f'<div class="top"><a href="/"><img src="/images/logo.png" alt="中国质量新闻网" /></a>'
            f'<form class="search" action="/search/"><input type="text" name="q" /><button>搜索</button></form></div>\n'
            f'<div class="nav"><ul><li><a href="/">首页</a></li>{links}</ul><ul class="more">{more}</ul></div>')


def _footer() -> str:
    partners = " | ".join(f'<a href="/{i:02d}/index.htm">{name}</a>' for i, name in enumerate(SITE_MENU[:12]))
    return (f'<div class="footer"><p>{partners}</p><p><a href="/about/">关于我们</a> | <a href="/contact/">联系我们</a> | '
            '<a href="/ads/">广告服务</a> | <a href="/copyright/">版权声明</a></p>'
            "<p>中国质量新闻网 版权所有 未经授权禁止复制或建立镜像</p><p>京ICP备05038365号 京公网安备11010502030000号</p></div>\n"
            + SCRIPTS)


def _sidebar(site: Site) -> str:
    """最新新闻, 热点排行, 图片新闻: the same on every page, from the newest articles of 要闻."""
    newest = site.listing(site.leaf("综合/要闻一"))[:10]
    items = "".join(f'<li><a href="{r.path}" target="_blank">{escape(site.story(r).title)}</a></li>' for r in newest)
    pictures = "".join(f'<li><a href="/auto/index.htm"><img src="/auto/img/pic{i}.jpg" alt="" /></a>'
                       f'<p><a href="/auto/index.htm">{escape(t)}</a></p></li>' for i, t in enumerate(PICTURE_NEWS))
    return (f'<div class="right"><div class="latest"><h3>最新新闻</h3><ul>{items}</ul></div>'
            f'<div class="hot"><h3>热点排行</h3><ol>{items}</ol></div>'
            f'<div class="pic_news"><h3>图片新闻</h3><ul>{pictures}</ul></div>'
            '<div class="ad"><a href="/ads/"><img src="/images/ad300x250.gif" alt="广告" /></a></div></div>')


def home(site: Site) -> Page:
    if site.home == "2018":
        return _home_2018(site)
    latest = sorted((r for leaf in site.leaves[:2] for r in site.own_articles(leaf)[:3]),
                    key=lambda r: r.published, reverse=True)
    items = "".join(f'<li><a href="{r.path.lstrip("/")}">{escape(site.story(r).title)}</a></li>'
                    for r in latest)
    body = f'{_nav()}\n<div class="focus"><h2>要闻</h2><ul>{items}</ul></div>'
    return Page(_html("<title>中国质量新闻网</title>", body).encode())


# The main menu of the saved home page of March 2018 (SITE.md): 要闻 straight to its node, no 综合 or 市场监管.
MENU_2018 = (("首页", "index.htm"), ("要闻", "/qt/node_20762.htm"), ("时评", "/qt/node_22276.htm"), ("民生", "/ms/"),
             ("质检", "/zj/"), ("财经", "/cj/"), ("品牌", "/pp/"), ("汽车", "/auto/"), ("公告", "/ms/node_172.htm"),
             ("召回", "/ms/node_22320.htm"), ("投诉", "/ms/node_22312.htm"), ("家居", "/ms/node_22538.htm"))
BLOCKS_2018 = (("要闻", "qt/node_20796.htm", "综合/要闻二"), ("质量公告", "ms/node_172.htm", "民生/抽查公告>>国家抽查>>2026"),
               ("家居", "ms/node_22538.htm", "民生/家居"))


def _home_2018(site: Site) -> Page:
    """The home page as saved in March 2018: ``div.mainmenu``, ``dl.cont`` blocks with ``[更多]``, relative hrefs
    without a leading slash, long titles cut with `` ...``, an RSS link, the search form."""
    menu = "".join(f'<li><a href="{href}" target="_blank">{name}</a></li>' for name, href in MENU_2018)
    blocks = []
    for name, more, key in BLOCKS_2018:
        refs = site.listing(site.leaf(key))[:8]
        items = "".join(f'<li><a href="{r.path.lstrip("/")}" target="_blank">{escape(_cut(site.story(r).title))}</a></li>'
                        for r in refs)
        blocks.append(f'<dl class="cont"><dt class="cont_t"><span class="more"><a href="{more}">[更多]</a></span>{name}'
                      f'</dt><dd class="cont_l"><ul>{items}</ul></dd></dl>')
    body = (f'<div class="top"><a href="index.htm"><img src="img/attachement/jpg/site2/20180307/IMG001.jpg" '
            f'alt="中国质量新闻网" /></a><a href="http://www.cqn.com.cn/rss.xml">分享链接</a></div>\n'
            f'<div class="mainmenu"><ul>{menu}</ul></div>\n'
            '<form action="/search/servlet/SearchServlet.do" method="post"><input type="text" name="contentKey" />'
            '<input type="hidden" name="op" value="single" /><input type="hidden" name="siteID" value="" />'
            '<input type="hidden" name="sort" value="date" /><input type="submit" value="搜索" /></form>\n'
            + "\n".join(blocks) + "\n" + _footer())
    head = ('<!--template 2018-03-07 15 00-->\n<title>中国质量新闻网</title>\n<meta name="Robots" content="all"/>\n'
            '<meta name="KeyWords" content="质量,质检,中国质量新闻网" />')
    return Page(_html(head, body).encode())


def _cut(title: str, most: int = 18) -> str:
    """Long titles in the home page's lists are cut and end in `` ...`` (SITE.md)."""
    return title if len(title) <= most else title[:most] + " ..."


def rss(site: Site) -> Page:
    """``/rss.xml`` (2018 home page only: whether it still exists is unknown): one item per listing of the news
    centre, linking its node."""
    items = "".join(f"<item><title>{n.name}</title><link>{ORIGIN}/{c.slug}/node_{n.node_id}.htm</link></item>"
                    for c in CHANNELS for n in c.nodes)
    body = (f'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>中国质量新闻网</title>'
            f"<link>{ORIGIN}/</link><description>中国质量新闻网</description>{items}</channel></rss>\n")
    return Page(body.encode(), "application/rss+xml; charset=utf-8")


def _node_links(channel: Channel, nodes: tuple[Node, ...], style: str) -> str:
    parts = []
    if style in ("subclass", "both"):
        parts.append('<div class="subclass">' + " | ".join(
            f'<a href="node_{n.node_id}.htm">{n.name}</a>' for n in nodes) + "</div>")
    if style in ("blocks", "both"):
        parts.append('<div class="List_Sub_List"><dl>' + "".join(
            f'<dt><h2>{n.name}</h2><a href="node_{n.node_id}.htm">更多&gt;&gt;</a></dt>' for n in nodes)
            + "</dl></div>")
    return "\n".join(parts)


def _crumbs(channel: Channel, path: tuple[Node, ...], prefix: str) -> str:
    links = [f'<a href="{prefix}index.htm">新闻中心</a>',
             f'<a href="{prefix}{channel.slug}/index.htm">{channel.name}</a>']
    links += [f'<a href="{prefix}{channel.slug}/node_{n.node_id}.htm">{n.name}</a>' for n in path]
    return '<div class="box">您当前位置：' + "&gt;&gt;".join(links) + "&gt;&gt;</div>"


def channel_index(site: Site, channel: Channel) -> Page:
    nodes = tuple(n for n in channel.nodes if n.name not in site.removed)
    body = f"{_nav()}\n{_crumbs(channel, (), '../')}\n{_node_links(channel, nodes, channel.menu)}"
    return Page(_html(f"<title>{channel.name}-中国质量新闻网</title>", body).encode())


def _listing_href(site: Site, ref: ArticleRef, listing_slug: str) -> str:
    if site.is_cross_listed(ref) and ref.article_id % 3 == 0:
        return ORIGIN + ref.path  # the site sometimes links its own pages absolutely, over http
    if ref.old or ref.channel_slug != listing_slug or ref.article_id % 2:
        return ".." + ref.path
    return ref.path[len(listing_slug) + 2:]


def node_page(site: Site, channel: Channel, path: tuple[Node, ...], page: int, variant: bool = True) -> Page | None:
    if variant and site.listings != "current":  # --listings: another markup (tests/replica/listings.py)
        from tests.replica import listings

        return listings.node_page(site, channel, path, page)
    node = path[-1]
    crumbs = _crumbs(channel, path, "../")
    siblings = path[-2].children if len(path) > 1 else channel.nodes
    menu = _node_links(channel, tuple(n for n in siblings if n.name not in site.removed), "subclass")
    if not node.is_leaf:
        if page != 1:
            return None
        children = _node_links(channel, node.children, "both")
        body = f"{_nav()}\n{crumbs}\n{menu}\n{children}"
        return Page(_html(f"<title>{node.name}-中国质量新闻网</title>", body).encode())
    leaf = next(lf for lf in site.leaves if lf.channel is channel and lf.path == path)
    refs = site.listing(leaf)
    pages = site.pages(leaf)
    if page < 1 or page > pages:
        return None
    dated = site.shows_dates(node)
    items = []
    for ref in refs[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]:
        title = escape(site.story(ref).title)
        date = f'<span class="time">{ref.published:%Y-%m-%d}</span>' if dated else ""
        items.append(f'<li><a href="{_listing_href(site, ref, channel.slug)}" target="_blank">{title}</a>{date}</li>')

    def href(n: int) -> str:
        return f"node_{node.node_id}.htm" if n == 1 else f"node_{node.node_id}_{n}.htm"

    pager = [f'<a href="{href(1)}">首页</a>']
    if page > 1:
        pager.append(f'<a href="{href(page - 1)}">上一页</a>')
    pager += [f'<a href="{href(n)}">{n}</a>' if n != page else f"<b>{n}</b>"
              for n in range(max(1, page - 2), min(pages, page + 2) + 1)]
    if page < pages:
        pager.append(f'<a href="{href(page + 1)}">下一页</a>')
    pager.append(f'<a href="{href(pages)}">尾页</a>')
    body = (f"{_nav()}\n{crumbs}\n{menu}\n"
            f'<div class="List_List"><dl><dd class="cont_l"><ul>\n' + "\n".join(items) + "\n</ul></dd></dl></div>\n"
            f"<center>{' '.join(pager)}</center>\n{_footer()}")
    return Page(_html(f"<title>{node.name}-中国质量新闻网</title>", body).encode())


def _spaced(name: str) -> str:
    """Two-character names are padded to three in print: 何可 -> 何 可."""
    return f"{name[0]} {name[1]}" if len(name) == 2 else name


def _p(text: str, style: int) -> str:
    if style == 0:
        return f'<p style="MARGIN: 0px 3px 15px; TEXT-INDENT: 30px">{escape(text)}</p>'
    if style == 1:
        return f"<p>\u3000\u3000{escape(text)}</p>"
    return f"<P>{escape(text)}</P>"


def _block_html(block: Block, style: int, rel: str) -> list[str]:
    if block.kind == "p":
        return [_p(block.text, style)]
    if block.kind == "image":
        assert block.image is not None
        out = [f'<p align="center"><img src="{rel}{block.image.src.split("/", 2)[2]}" border="0" /></p>']
        if block.image.caption:
            out.append(f'<p align="center">{escape(block.image.caption)}</p>' if style != 1 else
                       f'<p style="TEXT-ALIGN: center">{escape(block.image.caption)}</p>')
        return out
    if block.spot is not None:
        return [block.spot.html()]
    cells = "".join(
        "<tr>" + "".join(f'<td valign="top"><p align="center"><span>{escape(c)}</span></p></td>' for c in row)
        + "</tr>" for row in block.rows)
    return [f'<table class="MsoNormalTable" border="1" cellspacing="0" cellpadding="0"><tbody>{cells}</tbody></table>']


def _body_html(story: Story, style: int, rel: str) -> tuple[list[str], list[int]]:
    """The body with every habit of the page: reprint header, bylines, editor, attachments.

    Returns the HTML fragments and, for each block, the index of its first fragment (where
    a long article may be split into pages).
    """
    s = story.parens
    blocks = [Block(b.kind, b.text, b.image, b.rows, b.spot) for b in story.blocks]
    first_p = next(i for i, b in enumerate(blocks) if b.kind == "p")
    a = story.authors
    if story.byline == "lead":
        who = a[0] if story.lead_prefix.startswith("中国质量新闻网讯") else f"记者{a[0]}"
        blocks[first_p].text = f"{story.lead_prefix}{paren(who, s)}{blocks[first_p].text}"
    elif story.byline == "paper_lead":
        who = f"{a[0]} 记者{_spaced(a[1])}" if len(a) > 1 else f"记者{_spaced(a[0])}"
        blocks[first_p].text = f"本报讯 {paren(who, s)}{blocks[first_p].text}"
    tail: list[str] = []
    if story.byline == "trailing":
        if blocks[-1].kind == "p":
            blocks[-1].text += paren(" ".join(a), s)
        else:
            tail.append(_p(paren(" ".join(a), s), style))
    elif story.byline == "own_line":
        tail.append(f'<p align="right">{paren(" ".join(a), s)}</p>')

    out: list[str] = []
    starts: list[int] = []
    if story.repeat_title:
        out.append(f'<p align="center"><strong>{escape(story.title)}</strong></p>')
        if story.subtitle:
            out.append(f'<p align="center">{escape(story.subtitle)}</p>')
        if story.byline == "paper_box":
            out.append(f"<p>□ 本报记者 {' '.join(a)}</p>")
    for i, block in enumerate(blocks):
        starts.append(len(out))
        out.extend(_block_html(block, style, rel))
        if i == 0:
            out.append("<p>&nbsp;</p>")
    out.extend(tail)
    if story.attachments:
        out.append(f"<p>附件{colon(s)}</p>")
        out.extend(f'<p><a href="{rel}{att.href.split("/", 2)[2]}">{escape(att.title)}</a></p>'
                   for att in story.attachments)
    if story.editor:
        out.append(f"<p>{paren(f'责任编辑{colon(s)}{story.editor}', s)}</p>")
    return out, starts


def _split(fragments: list[str], starts: list[int], blocks: list[Block], pages: int) -> list[str]:
    """The body of each page: split at paragraph starts, as evenly as the paragraphs allow."""
    cuts = [starts[i] for i, b in enumerate(blocks) if b.kind == "p" and i > 0]
    chosen = [cuts[(len(cuts) * n) // pages] for n in range(1, pages)]
    bounds = [0, *chosen, len(fragments)]
    return ["\n".join(fragments[a:b]) for a, b in zip(bounds, bounds[1:])]


def _pager(ref: ArticleRef, page: int, pages: int) -> str:
    links = [f'<a href="{ref.page_path(n).rsplit("/", 1)[1]}">{n}</a>' if n != page else f"<b>{n}</b>"
             for n in range(1, pages + 1)]
    if page < pages:
        links.append(f'<a href="{ref.page_path(page + 1).rsplit("/", 1)[1]}">下一页</a>')
    return f'<div id="displaypagenum"><center>{" ".join(links)}</center></div>'


def _encode(html_text: str, variant: PageVariant) -> Page:
    """The page's bytes and Content-Type, declared as the variant says."""
    if variant.mojibake:
        return Page(html_text.encode("utf-8").decode("latin-1").encode("utf-8"), "text/html; charset=utf-8")
    body = html_text.encode(variant.encoding)
    header = {"both": variant.encoding, "header": variant.encoding, "meta": None, "neither": None,
              "conflict": "utf-8" if variant.encoding != "utf-8" else "gbk"}[variant.declare]
    return Page(body, f"text/html; charset={header}" if header else "text/html")


def _meta_charset(variant: PageVariant) -> str | None:
    return variant.encoding if variant.declare in ("both", "meta", "conflict") and not variant.mojibake else None


def _enp(site: Site, ref: ArticleRef, story: Story, date_form: str, sparse: bool) -> str:
    stamp = f"{ref.published:%Y-%m-%d %H:%M:%S}{date_form}"
    fields = {
        "articleid": str(ref.article_id),
        "date": stamp,
        "author": "" if sparse else " ".join(story.authors),
        "title": story.title,
        "keyword": "" if sparse else ",".join(story.keywords),
        "subtitle": story.subtitle or "",
        "introtitle": "",
        "siteid": "1",
        "nodeid": str(ref.leaf.node.node_id),
        "nodename": ref.leaf.node.name,
    }
    return "<!--enpproperty " + "".join(f"<{k}>{escape(v)}</{k}>" for k, v in fields.items()) + "/enpproperty-->"


def article(site: Site, ref: ArticleRef, page: int = 1) -> Page | None:
    """Page ``page`` of the article, in its variant's layout and encoding; None past its last page."""
    variant = site.variant(ref)
    if page < 1 or page > variant.pages:
        return None
    story = site.story(ref)
    if variant.layout == "generic":
        return _encode(_generic_article(site, ref, story), variant)
    if variant.layout == "redesign" and site.template in templates.TEMPLATES:
        return _encode(_templated_article(site, ref, story), variant)
    if variant.layout == "redesign":
        return _encode(_redesign_article(site, ref, story), variant)
    rng = site.variant_rng(ref, "page")
    enp_where = "after" if ref.is_reference else rng.choice(["none", "before", "after"])
    enp = _enp(site, ref, story, ".0" if ref.is_reference or rng.random() < 0.5 else ":0",
               sparse=rng.random() < 0.3)
    style = rng.randrange(3)
    if story.source == OWN_SOURCE and rng.random() < 0.4:
        source = ""
    elif rng.random() < 0.3:
        source = f"来源{colon(story.parens)}{story.source}"
    else:
        source = story.source
    channel = ref.leaf.channel
    head = (f"<title>{escape(story.title)}-中国质量新闻网</title>\n"
            f'<meta name="KeyWords" content="{escape(("," if rng.random() < 0.5 else " ").join(story.keywords))}" />\n'
            f'<meta name="Author" content="{escape(" ".join(story.authors))}" />')
    if variant.layout == "old":
        body_html = "\n".join(_body_html(story, style, f"/{ref.channel_slug}/")[0])
        crumbs = " &gt; ".join(['<a href="/index.htm">新闻中心</a>', f'<a href="/{channel.slug}/index.htm">{channel.name}</a>',
                                *(f'<a href="/{channel.slug}/node_{n.node_id}.htm">{n.name}</a>' for n in ref.leaf.path)])
        body = (f'<div class="Index_Top">中国质量新闻网</div>\n<div class="Index_Position">您现在的位置：{crumbs}</div>\n'
                '<div class="Index_ShowDetail">\n'
                f'<div class="Index_ShowDetail_Title"><h1>{escape(story.title)}</h1></div>\n'
                f'<div class="Index_ShowDetail_Time">{ref.published:%Y-%m-%d %H:%M:%S}\u3000来源：{escape(story.source)}</div>\n'
                f'<div class="Index_ShowDetail_Content">{body_html}</div>\n</div>\n{_sidebar(site)}\n{_footer()}')
        return _encode(_html(head, body, charset_meta=_meta_charset(variant)), variant)

    fragments, starts = _body_html(story, style, "../../../")
    parts = _split(fragments, starts, story.blocks, variant.pages) if variant.pages > 1 else ["\n".join(fragments)]
    content = parts[page - 1] + ("\n" + _pager(ref, page, variant.pages) if variant.pages > 1 else "")
    crumbs = _crumbs(channel, ref.leaf.path, "../../../../")
    furniture = (
        '<div class="comment"><h3>最新评论</h3><div class="comment_list"></div></div>\n'
        f'<div class="statement"><p>声明{colon(story.parens)}</p><p>{STATEMENT}</p></div>\n'
        '<div class="pic_news"><h3>图片新闻</h3><ul>'
        + "".join(f'<li><a href="../../../../auto/index.htm">{escape(t)}</a></li>' for t in PICTURE_NEWS)
        + '</ul></div>\n' + _sidebar(site) + "\n" + _footer()
    )
    body = (
        f"{_nav()}\n{crumbs}\n"
        + (enp + "\n" if enp_where == "before" else "")
        + '<div class="Detail">\n'
        f'<div class="Detail_Title"><h1>{escape(story.title)}</h1></div>\n'
        f'<div class="publish">{ref.published:%Y-%m-%d %H:%M:%S} <span class="from">{escape(source)}</span></div>\n'
        '<div class="Detail_Content"><div class="content">\n<!--enpcontent-->'
        f"{content}<!--/enpcontent-->\n</div></div>\n"
        + (enp + "\n" if enp_where == "after" else "")
        + "</div>\n" + furniture
    )
    return _encode(_html(head, body, charset_meta=_meta_charset(variant)), variant)


def _shown_time(site: Site, ref: ArticleRef) -> str:
    if site.template == "redesign-date":
        return f"发布日期：{ref.published:%Y-%m-%d}"
    return f"发布时间：{ref.published:%Y-%m-%d %H:%M:%S}"


def _redesign_article(site: Site, ref: ArticleRef, story: Story) -> str:
    """What the site may serve today (``--articles redesign``): a template whose class names no parser knows,
    the URL scheme unchanged, and the site's habits in the text (bylines, editor line, captions, 附件 links,
    the 中国质量报 repeated title)."""
    fragments, _ = _body_html(story, 0, "../../../")
    crumbs = "".join(f' &gt; <a href="/{ref.leaf.channel.slug}/node_{n.node_id}.htm">{n.name}</a>' for n in ref.leaf.path)
    channel = ref.leaf.channel
    return (f'<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(story.title)}_中国质量新闻网</title>"
            f'<meta name="keywords" content="{escape(",".join(story.keywords))}"></head>\n<body>\n'
            f'<header class="g-hd"><a href="/" class="g-logo">中国质量新闻网</a>{_nav()}</header>\n'
            f'<div class="g-crumbs">当前位置：<a href="/">新闻中心</a> &gt; <a href="/{channel.slug}/">{channel.name}</a>'
            f"{crumbs}</div>\n"
            '<div class="g-main"><div class="art-wrap">\n'
            f'<h1 class="art-hd">{escape(story.title)}</h1>\n'
            f'<div class="art-meta"><span class="t">{_shown_time(site, ref)}</span> '
            f'<span class="s">来源：{escape(story.source)}</span></div>\n'
            f'<div class="art-txt">\n' + "\n".join(fragments) + "\n</div>\n"
            '<div class="art-share">分享到：<a href="#">微信</a> <a href="#">微博</a></div>\n'
            f"</div>{_sidebar(site)}</div>\n<footer>{_footer()}</footer>\n</body></html>\n")


def _templated_article(site: Site, ref: ArticleRef, story: Story) -> str:
    """The article in one of the templates of :mod:`tests.replica.templates` (meta lines without labels)."""
    fragments, _ = _body_html(templates.body_story(site.template, story), 0, "../../../")
    crumbs = [("/", "新闻中心"), (f"/{ref.leaf.channel.slug}/", ref.leaf.channel.name),
              *((f"/{ref.leaf.channel.slug}/node_{n.node_id}.htm", n.name) for n in ref.leaf.path)]
    frame = templates.Frame(_nav(), _sidebar(site), _footer(), crumbs)
    return templates.article_html(site.template, story, ref.published, fragments, frame,
                                  site.variant_rng(ref, site.template))


def _generic_article(site: Site, ref: ArticleRef, story: Story) -> str:
    """A page in a layout no parser of the crawler knows (a redesign it has not met)."""
    paragraphs = "\n".join(f"<p>{escape(b.text)}</p>" for b in story.blocks if b.kind == "p")
    return (f'<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
            f"<title>{escape(story.title)}-中国质量新闻网</title>"
            f'<meta name="keywords" content="{escape(",".join(story.keywords))}"></head>\n<body>\n'
            '<header class="site-header"><nav><a href="/">首页</a> <a href="/qt/index.htm">综合</a></nav></header>\n'
            f'<main><article class="news-article"><h1 class="headline">{escape(story.title)}</h1>\n'
            f'<p class="meta"><time datetime="{ref.published.isoformat()}">{ref.published:%Y年%m月%d日 %H:%M}</time></p>\n'
            f'<section class="article-body">\n{paragraphs}\n</section></article>\n'
            f'<aside class="sidebar">{_sidebar(site)}</aside></main>\n'
            f"<footer>{_footer()}</footer>\n</body></html>\n")


ROBOTS = """User-agent: *
Disallow: /search/
Disallow: /member/
Disallow: /include/
"""
