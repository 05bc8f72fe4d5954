"""The replica's site map and articles, computed on demand from a seed, a scale and a clock.

Channels hold nodes; leaf nodes are listings that publish articles on their own
:class:`~tests.replica.timeline.LeafSchedule`.  Everything a page needs (which articles
a listing shows, what an article says) is derived, so a large ``--scale`` costs nothing
until pages are asked for.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property

from tests.replica import reposts, timeline
from tests.replica.content import OWN_SOURCE, Block, Kind, Story, make_story
from tests.replica.notices import SpotTable
from tests.replica.recalls import make_recall_story
from tests.replica.timeline import SHANGHAI, LeafSchedule, ShadowSchedule

PAGE_SIZE = 20
CROSS_LIST_EVERY = 10  # every 10th article of some listings also appears in a partner listing
NEWS_CENTRE = "新闻中心"
OLD_LAYOUT_UNTIL = datetime(2015, 7, 1, tzinfo=SHANGHAI)  # the 2015-2016 redesign (SITE.md: "about 2015")
GENERIC_FROM_END = 3  # one article of every listing, near the end of its backlog, is in a layout no parser knows
REVISED_EVERY = 14  # every 14th article (by id) is corrected...
REVISION_DELAY = timedelta(days=1)  # ...a day after publication


@dataclass(frozen=True)
class Node:
    """A node of the site's navigation: a listing page ``/<slug>/node_<id>.htm``."""

    name: str
    node_id: int
    children: tuple[Node, ...] = ()
    year: int | None = None  # leaves of 抽查公告 hold one year each
    kind: Kind = "news"
    partner: str | None = None  # path of a listing that also lists some of this one's articles

    @property
    def is_leaf(self) -> bool:
        return not self.children


@dataclass(frozen=True)
class Channel:
    slug: str
    name: str
    nodes: tuple[Node, ...]
    menu: str  # how the channel page links its nodes: "subclass", "blocks" or "both"
    in_news_centre: bool = True


def _years(base_id: int, kind: Kind) -> tuple[Node, ...]:
    return tuple(Node(str(y), base_id + i, year=y, kind=kind) for i, y in enumerate((2024, 2025, 2026)))


# Node ids are those SITE.md records where it records one (要闻 20762 and 20796, 时评 22276, 公告 172, 国家抽查 20334,
# 家居 22538, 检验检测 20190); the others are the replica's own (SITE.md does not know them).
CHANNELS: tuple[Channel, ...] = (
    Channel("qt", "综合", (
        Node("要闻一", 20762, partner="综合/要闻二"),
        Node("要闻二", 20796, partner="市场监管/地方动态"),
        Node("时评", 22276),
    ), menu="subclass"),
    Channel("zgzlb", "中国质量报", tuple(
        Node(f"第{n}版", 8100 + i, kind="paper", partner="综合/要闻一" if i == 0 else None)
        for i, n in enumerate("一二三四五六七八", start=0)
    ), menu="blocks"),
    Channel("ms", "民生", (
        Node("抽查公告", 172, children=(
            Node("国家抽查", 20334, children=_years(22401, "notice")),
            Node("地方抽查", 22311, children=_years(22411, "notice")),
        )),
        Node("健康", 20337, partner="综合/要闻一"),
        Node("家居", 22538),
        Node("召回", 22320, kind="recall", partner="汽车/汽车召回"),  # SITE.md's 召回; its slots: RECALL_HOST's
    ), menu="both"),
    Channel("zj", "市场监管", (
        Node("地方动态", 20188, partner="综合/要闻二"),
        Node("检验检测", 20190),
        Node("报摘", 20192),  # reposts of 中国质量报>>第一版 (tests/replica/reposts.py); its slots: 第一版's
    ), menu="subclass"),
    Channel("auto", "汽车", (
        Node("行业动态", 7701, kind="auto"),
        Node("汽车召回", 7702, kind="auto"),
    ), menu="blocks"),
    Channel("pp", "品牌", (
        Node("品牌资讯", 7801),
        Node("品牌观察", 7802),
        Node("媒体转载", 7803),  # agency copy of 综合>>要闻二 reposted (tests/replica/reposts.py)
    ), menu="both"),
)
# Outside the news centre: linked from the home page, never crawled by news spiders.
OTHER_CHANNELS: tuple[Channel, ...] = (
    Channel("videos", "视频中心", (Node("质检联播", 9901),), menu="subclass", in_news_centre=False),
    Channel("zt", "专题", (Node("专题报道", 840),), menu="subclass", in_news_centre=False),
)


@dataclass(frozen=True)
class Leaf:
    channel: Channel
    path: tuple[Node, ...]  # from the channel's top node down to this listing
    index: int

    @property
    def node(self) -> Node:
        return self.path[-1]

    @property
    def name(self) -> str:
        """The listing's name as feeds write it in ``sections``: its crumbs below the channel."""
        return ">>".join(n.name for n in self.path)

    @property
    def key(self) -> str:
        return f"{self.channel.name}/{self.name}"

    @property
    def breadcrumb(self) -> list[str]:
        return [NEWS_CENTRE, self.channel.name, *(n.name for n in self.path)]


def _walk(channel: Channel, nodes: tuple[Node, ...], above: tuple[Node, ...]) -> list[tuple[Node, ...]]:
    paths: list[tuple[Node, ...]] = []
    for node in nodes:
        path = (*above, node)
        paths.extend(_walk(channel, node.children, path) if node.children else [path])
    return paths


@dataclass(frozen=True)
class ArticleRef:
    """Where an article lives: its home listing and its number there (oldest is 0)."""

    leaf: Leaf
    k: int
    slot: int
    article_id: int
    published: datetime
    channel_slug: str  # the URL slug; 中国质量报 stories sometimes sit under qt

    @property
    def old(self) -> bool:
        """Published before the redesign: the old layout, gb2312, ``/news/...`` URLs."""
        return self.published < OLD_LAYOUT_UNTIL and not self.is_reference

    @property
    def path(self) -> str:
        if self.old:
            return f"/news/{self.channel_slug}/n{self.leaf.node.node_id}/{self.article_id}.html"
        d = self.published
        return f"/{self.channel_slug}/content/{d:%Y-%m}/{d:%d}/content_{self.article_id}.htm"

    def page_path(self, page: int) -> str:
        return self.path if page == 1 else self.path.replace(".htm", f"_{page}.htm")

    @property
    def is_reference(self) -> bool:
        return self.article_id == timeline.REFERENCE_ID


@dataclass(frozen=True)
class PageVariant:
    """How an article's page is written, where SITE.md does not know."""

    layout: str  # current, old, generic (a layout no parser knows), redesign (every article: --articles redesign)
    encoding: str  # utf-8, gbk, gb18030, gb2312
    declare: str  # where the charset is declared: both, header, meta, neither, conflict
    mojibake: bool  # UTF-8 read as Latin-1 and written again as UTF-8 somewhere upstream
    pages: int  # long articles are split over content_<id>_2.htm ...


HOMES = ("current", "2018")  # --home: the replica's own home page, or one built on the saved page of March 2018
# --articles: the 2016-2020 template, one whose class names no parser knows, or that one showing only the day of
# publication (SITE.md: the markup after 2020 is unknown; a CMS that prints 发布日期 without the time is plausible)
# and the templates whose meta line prints no labels (tests/replica/templates.py)
ARTICLES = ("current", "redesign", "redesign-date", "unlabelled", "source-first", "byline-end")
# --listings: listing pages in the 2017-2019 markup, or in others a CMS of 2021 onwards may write (tests/replica/listings.py)
LISTINGS = ("current", "redesign", "numbered", "script", "index", "overlap")


@dataclass
class Site:
    seed: int = 1
    scale: int = 8
    now: datetime = field(default_factory=lambda: datetime.now(SHANGHAI))
    home: str = "current"
    template: str = "current"  # --articles
    removed: frozenset[str] = frozenset()  # --without: listings taken off the site (unlinked, their pages 404)
    listings: str = "current"  # --listings

    def __post_init__(self) -> None:
        if self.scale < 1:
            raise ValueError("scale must be at least 1")
        if self.listings not in LISTINGS:
            raise ValueError(f"listings must be one of {', '.join(LISTINGS)}")
        if self.home not in HOMES or self.template not in ARTICLES:
            raise ValueError(f"home must be one of {', '.join(HOMES)} and articles one of {', '.join(ARTICLES)}")
        for leaf in self.leaves:
            self.schedule(leaf).check()

    # --- structure -------------------------------------------------------------------

    @cached_property
    def leaves(self) -> list[Leaf]:
        """Every listing; those of recall notices, then those of reposts last, so that adding them moved no other
        listing's slots."""
        paths = [(channel, path) for channel in (*CHANNELS, *OTHER_CHANNELS) for path in _walk(channel, channel.nodes, ())]

        def added(p: tuple[Channel, tuple[Node, ...]]) -> int:
            key = f"{p[0].name}/{'>>'.join(n.name for n in p[1])}"
            return 2 if key in reposts.BY_KEY else 1 if p[1][-1].kind == "recall" else 0
        paths = sorted(paths, key=added)  # stable: the site map's order within each
        return [Leaf(channel, path, i) for i, (channel, path) in enumerate(paths)]

    def _shadowed(self, leaf: Leaf) -> bool:
        """A listing published in another's free slots (recalls, reposts): not one of the schedules' stride."""
        return leaf.node.kind == "recall" or leaf.key in reposts.BY_KEY

    @cached_property
    def _leaf_by_key(self) -> dict[str, Leaf]:
        return {leaf.key: leaf for leaf in self.leaves}

    @cached_property
    def nodes_by_id(self) -> dict[int, tuple[Channel, tuple[Node, ...]]]:
        found: dict[int, tuple[Channel, tuple[Node, ...]]] = {}

        def visit(channel: Channel, nodes: tuple[Node, ...], above: tuple[Node, ...]) -> None:
            for node in nodes:
                found[node.node_id] = (channel, (*above, node))
                visit(channel, node.children, (*above, node))

        for channel in (*CHANNELS, *OTHER_CHANNELS):
            visit(channel, channel.nodes, ())
        return found

    def leaf(self, key: str) -> Leaf:
        return self._leaf_by_key[key]

    def schedule(self, leaf: Leaf) -> LeafSchedule | ShadowSchedule | reposts.RepostSchedule:
        if leaf.node.kind == "recall":  # in the free slots of a host listing: no other article moves
            return ShadowSchedule(self.schedule(self.leaf(RECALL_HOST)))  # type: ignore[arg-type]
        if leaf.key in reposts.BY_KEY:  # likewise, in its host's free slots
            reposting = reposts.BY_KEY[leaf.key]
            return reposts.RepostSchedule(ShadowSchedule(self.schedule(self.leaf(reposting.host))),  # type: ignore[arg-type]
                                          reposts.keeps(self, reposting))
        stride = sum(1 for lf in self.leaves if not self._shadowed(lf))
        year = leaf.node.year
        if year is not None:
            start = datetime(year, 1, 1, tzinfo=SHANGHAI)
            return LeafSchedule(leaf.index, stride, start,
                                datetime(year + 1, 1, 1, tzinfo=SHANGHAI), max(1, self.scale // 10))
        return LeafSchedule(leaf.index, stride, timeline.T0, None, self.scale)

    # --- articles --------------------------------------------------------------------

    def _ref(self, leaf: Leaf, k: int, slot: int) -> ArticleRef:
        aid = timeline.article_id(slot)
        slug = leaf.channel.slug
        if leaf.node.kind == "paper" and aid % 5 == 0:
            slug = "qt"  # SITE.md: qt pages also carry some 中国质量报 stories
        return ArticleRef(leaf, k, slot, aid, timeline.published_at(slot), slug)

    def own_articles(self, leaf: Leaf) -> list[ArticleRef]:
        """The listing's own articles published by now, newest first."""
        return self._own(leaf.key)

    def _own(self, key: str) -> list[ArticleRef]:
        cache = self.__dict__.setdefault("_own_cache", {})
        if key not in cache:
            leaf = self.leaf(key)
            refs = [self._ref(leaf, k, s) for k, s in enumerate(self.schedule(leaf).slots_until(self.now))]
            if key == REFERENCE_LEAF and self.now >= timeline.REFERENCE_TIME:
                refs.append(self.reference_ref)
            refs.sort(key=lambda r: r.published, reverse=True)
            cache[key] = refs
        return cache[key]

    def host_article(self, leaf: Leaf, slot: int) -> ArticleRef | None:
        """The article of ``leaf`` (a listing of its own slots) published in ``slot``, if any."""
        cache = self.__dict__.setdefault("_slot_cache", {})
        if leaf.key not in cache:
            refs = [self._ref(leaf, k, s) for k, s in enumerate(self.schedule(leaf).slots_until(self.now))]
            cache[leaf.key] = {r.slot: r for r in refs}
        return cache[leaf.key].get(slot)

    @cached_property
    def reference_ref(self) -> ArticleRef:
        leaf = self.leaf(REFERENCE_LEAF)
        return ArticleRef(leaf, -1, timeline.slot_of(timeline.REFERENCE_TIME), timeline.REFERENCE_ID,
                          timeline.REFERENCE_TIME, "qt")

    def is_cross_listed(self, ref: ArticleRef) -> bool:
        return ref.leaf.node.partner is not None and ref.k % CROSS_LIST_EVERY == 7

    def listing(self, leaf: Leaf) -> list[ArticleRef]:
        """Every article the listing shows, newest first: its own and those cross-listed into it."""
        cache = self.__dict__.setdefault("_listing_cache", {})
        if leaf.key not in cache:
            refs = list(self.own_articles(leaf))
            for other in self.leaves:
                if other.node.partner == leaf.key:
                    refs.extend(r for r in self.own_articles(other) if self.is_cross_listed(r))
            refs.sort(key=lambda r: r.published, reverse=True)
            cache[leaf.key] = refs
        return cache[leaf.key]

    def listings_of(self, ref: ArticleRef) -> list[str]:
        """Names of every listing that shows ``ref``, in the order of the site map."""
        names = [ref.leaf.key]
        if self.is_cross_listed(ref):
            assert ref.leaf.node.partner is not None
            names.append(ref.leaf.node.partner)
        return sorted(names, key=self._map_order.__getitem__)

    @cached_property
    def _map_order(self) -> dict[str, int]:
        """Listing key -> its place in the site map (a recall listing's index is not: it was added last)."""
        return {f"{channel.name}/{'>>'.join(n.name for n in path)}": i for i, (channel, path) in enumerate(
            (channel, path) for channel in (*CHANNELS, *OTHER_CHANNELS) for path in _walk(channel, channel.nodes, ()))}

    @cached_property
    def _by_id(self) -> dict[int, ArticleRef]:
        return {r.article_id: r for leaf in self.leaves for r in self.own_articles(leaf)}

    def article(self, article_id: int) -> ArticleRef | None:
        return self._by_id.get(article_id)

    def articles(self, in_news_centre: bool = True) -> list[ArticleRef]:
        return [r for leaf in self.leaves if leaf.channel.in_news_centre or not in_news_centre
                for r in self.own_articles(leaf)]

    def attached_table(self, path: str) -> SpotTable | None:
        """The spot-check table the spreadsheet at ``path`` holds (a notice's failed-batch list), if any."""
        cache = self.__dict__.setdefault("_attached_cache", {})
        if not cache:
            for leaf in self.leaves:
                if leaf.node.kind == "notice":
                    for ref in self.own_articles(leaf):
                        cache.update((a.href, a.spot) for a in self._story(ref).attachments if a.spot is not None)
            cache.setdefault("", None)  # built, even with no notice published yet
        return cache.get(path)

    @property
    def redesigned(self) -> bool:
        return self.template != "current"

    def published_as_shown(self, ref: ArticleRef) -> datetime:
        """The publication time a reader can know from the page: the redesign-date template prints the day only
        (read as midnight, Beijing time); the others print the time."""
        if self.template == "redesign-date" and self.variant(ref).layout == "redesign":
            return ref.published.replace(hour=0, minute=0, second=0, microsecond=0)
        return ref.published

    def is_revised(self, ref: ArticleRef) -> bool:
        """Some articles are corrected a day after publication: their page changes then."""
        return (not ref.is_reference and ref.article_id % REVISED_EVERY == 1
                and self.now >= ref.published + REVISION_DELAY)

    def variant(self, ref: ArticleRef) -> PageVariant:
        if ref.is_reference:
            return PageVariant("redesign" if self.redesigned else "current", "utf-8", "both", False, 1)
        rng = self.variant_rng(ref, "encoding")
        if ref.old:
            return PageVariant("old", "gb2312", rng.choice(["meta", "both", "meta"]), False, 1)
        if self.redesigned:  # a template nobody here has seen, whole on one page, the site's habits kept
            encoding = rng.choices(["utf-8", "gbk", "gb18030"], weights=[70, 15, 15])[0]
            return PageVariant("redesign", encoding, "both", False, 1)
        if ref.k == self.schedule(ref.leaf).backlog - GENERIC_FROM_END:
            return PageVariant("generic", "utf-8", "both", False, 1)
        encoding = rng.choices(["utf-8", "gbk", "gb18030"], weights=[70, 15, 15])[0]
        declare = rng.choice(["both", "both", "header", "meta", "neither", "conflict"])
        mojibake = encoding == "utf-8" and rng.random() < 0.04
        paragraphs = sum(1 for b in self._story(ref).blocks if b.kind == "p")
        pages = 2 + ref.article_id % 2 if ref.article_id % 7 == 1 and paragraphs >= 4 else 1
        return PageVariant("current", encoding, "header" if mojibake else declare, mojibake, pages)

    def story(self, ref: ArticleRef) -> Story:
        """What the article says, as a correct crawler must read it from its page."""
        story = self._story(ref)
        variant = self.variant(ref)
        if variant.layout == "generic":  # a generic parser reads title, date, text and keywords only
            return Story(title=story.title, subtitle=None, source=OWN_SOURCE, authors=[], editor=None,
                         keywords=story.keywords, blocks=[b for b in story.blocks if b.kind == "p"],
                         parens=story.parens, byline="none")
        if variant.encoding == "gb18030":  # a character only GB18030 (not GBK) can write
            story.blocks.append(Block("p", text="文中“𠮷”字为生僻字，以原文为准。"))
        return story

    def _story(self, ref: ArticleRef) -> Story:
        if ref.is_reference:
            from tests.replica.reference import reference_story

            return reference_story()
        rng = random.Random(f"{self.seed}:{ref.article_id}")
        d = ref.published
        if ref.leaf.node.kind == "recall":  # the page carries a table unless its layout is the old or a generic one
            generic = not self.redesigned and ref.k == self.schedule(ref.leaf).backlog - GENERIC_FROM_END
            story, recalls = make_recall_story(rng, d.date(), tables=not ref.old and not generic)
            story.recalls = recalls
            if self.is_revised(ref):
                story.blocks.append(Block("p", text=f"更正：本文{d:%m月%d日}发布时数据有误，现已更正。"))
            return story
        if ref.leaf.key in reposts.BY_KEY:
            story = reposts.repost_story(self, ref)
            if self.is_revised(ref):
                story.blocks.append(Block("p", text=f"更正：本文{d:%m月%d日}发布时数据有误，现已更正。"))
            return story
        story = make_story(rng, ref.leaf.node.kind,
                           img_dir=f"/{ref.channel_slug}/img/{d:%Y-%m}/{d:%d}/",
                           attach_dir=f"/{ref.channel_slug}/attach/{d:%Y-%m}/{d:%d}/")
        if self.is_revised(ref):
            story.blocks.append(Block("p", text=f"更正：本文{d:%m月%d日}发布时数据有误，现已更正。"))
        return story

    def variant_rng(self, ref: ArticleRef, what: str) -> random.Random:
        """A generator for one page variant choice, independent of the story's own draws."""
        return random.Random(f"{self.seed}:{ref.article_id}:{what}")

    def pages(self, leaf: Leaf) -> int:
        return max(1, -(-len(self.listing(leaf)) // PAGE_SIZE))

    def shows_dates(self, node: Node) -> bool:
        """SITE.md does not know whether listings show dates: half of them do."""
        return node.node_id % 2 == 0


REFERENCE_LEAF = "综合/要闻二"
RECALL_HOST = "汽车/汽车召回"  # 民生>>召回 publishes in the owned slot after each of this listing's articles
