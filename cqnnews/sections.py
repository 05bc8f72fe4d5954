"""The news-centre sections, one entry each: adding a section is adding an entry here.

A listing is found by every route there is (``cqnnews.crawl.pages.navigator``): its name or
an alias among the home page's links and ``[更多]`` blocks, then on its channel's page
(the channel found by its name or an alias, else ``/<slug>/index.htm``), then by the node
ids recorded in ``../shared/site/SITE.md`` (and ``CQN_NODE_IDS``), then in ``/rss.xml``.
Listings below a listing (抽查公告 > 国家抽查 > 2024) are found on that listing's page.
Names and ids here are only those on record: a channel whose listings are not on record
(汽车, 品牌) walks every listing its channel page links.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from cqnnews.errors import BadArgument

_NAMES: Mapping[str, tuple[str, ...]] = MappingProxyType({})
_IDS: Mapping[str, tuple[int, ...]] = MappingProxyType({})


@dataclass(frozen=True)
class Channel:
    name: str  # link text in the home page's navigation
    slug: str  # URL slug, for /<slug>/index.htm when the navigation lacks the link
    listings: tuple[str, ...]  # names of its listings on record (SITE.md)
    only_listed: bool = False  # walk only ``listings``, not every listing the channel page links
    below: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: _NAMES)  # known sub-listings
    node_ids: Mapping[str, tuple[int, ...]] = field(default_factory=lambda: _IDS)  # recorded ids, by listing
    aliases: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: _NAMES)  # other names of a listing
    also: tuple[str, ...] = ()  # other names of the channel itself (质检 for 市场监管)

    @property
    def names(self) -> tuple[str, ...]:
        """Every listing name known ahead of the crawl, aliases included, for ``-a sub=``."""
        return tuple(dict.fromkeys((*(n for name in self.listings for n in self.names_of(name)),
                                    *(name for names in self.below.values() for name in names))))

    def names_of(self, listing: str) -> tuple[str, ...]:
        """The listing's name and its aliases (要闻: 要闻, 要闻一, 要闻二)."""
        return (listing, *self.aliases.get(listing, ()))

    def listing_named(self, text: str) -> str | None:
        """The registry's listing that a link text names, by its name or an alias; None if none."""
        return next((name for name in self.listings if text in self.names_of(name)), None)


@dataclass(frozen=True)
class Section:
    spider: str
    description: str
    channels: tuple[Channel, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(n for c in self.channels for n in c.names))

    def choose(self, sub: str | None) -> frozenset[str]:
        """The listing names chosen by ``-a sub=A,B`` (empty: all); BadArgument for an unknown one."""
        if sub is None:
            return frozenset()
        chosen = [s.strip() for s in sub.replace("，", ",").split(",") if s.strip()]
        open_ended = any(not c.listings for c in self.channels)  # its listings are those its channel page links
        unknown = [] if open_ended and chosen else [s for s in chosen if s not in self.names]
        if unknown or not chosen:
            raise BadArgument(f"unknown sub-section {'、'.join(unknown) or repr(sub)} for spider {self.spider}; "
                              f"valid: {', '.join(self.names) or 'the names its channel page links'}")
        return frozenset(chosen)


# SITE.md: the home page of 2018 links 要闻 to node_20762 (menu) and node_20796 (its block's [更多]); article
# breadcrumbs name the listings 要闻一 / 要闻二.  时评 / 质量时评 is node_22276 under qt.
YAOWEN = MappingProxyType({"要闻": ("要闻一", "要闻二")})
ZONGHE = Channel("综合", "qt", ("要闻", "时评"), aliases=MappingProxyType({**YAOWEN, "时评": ("质量时评",)}),
                 node_ids=MappingProxyType({"要闻": (20762, 20796), "时评": (22276,)}))
ZGZLB = Channel("中国质量报", "zgzlb", tuple(f"第{n}版" for n in (
    "一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二", "十三", "十四", "十五", "十六")))
# SITE.md: 公告 / 质量公告 is node_172, the 抽查公告 of breadcrumbs; node_20334 started a crawler of 国家抽查;
# node_22312 is 投诉 (not 地方抽查); 家居 is node_22538; 召回 (recall notices) is node_22320.  健康 and 地方动态 are seen in breadcrumbs only.
MINSHENG = Channel("民生", "ms", ("抽查公告", "健康", "家居", "召回"),
                   below=MappingProxyType({"抽查公告": ("国家抽查", "地方抽查")}),
                   aliases=MappingProxyType({"抽查公告": ("公告", "质量公告")}),
                   node_ids=MappingProxyType({"抽查公告": (172,), "家居": (22538,), "召回": (22320,)}))
SHICHANG = Channel("市场监管", "zj", ("地方动态", "检验检测"), also=("质检",),
                   aliases=MappingProxyType({"检验检测": ("检测检验",)}),
                   node_ids=MappingProxyType({"检验检测": (20190,)}))
AUTO = Channel("汽车", "auto", ())  # no listing of 汽车 is on record: those its channel page links
PINPAI = Channel("品牌", "pp", ())

SECTIONS: tuple[Section, ...] = (
    Section("yaowen", "要闻 (headline news) of 综合: 要闻一 and 要闻二, however the site names them",
            (Channel("综合", "qt", ("要闻",), only_listed=True, aliases=YAOWEN,
                     node_ids=MappingProxyType({"要闻": (20762, 20796)})),)),
    Section("zonghe", "综合: every listing of the channel, 要闻 included", (ZONGHE,)),
    Section("zgzlb", "中国质量报: every 版 (第一版, 第二版...) of every issue", (ZGZLB,)),
    Section("minsheng", "民生: 抽查公告 (国家抽查/地方抽查, by year), 健康, 家居, 召回", (MINSHENG,)),
    Section("shichang", "市场监管: 地方动态, 检验检测", (SHICHANG,)),
    Section("auto", "汽车: automotive news and recalls", (AUTO,)),
    Section("pinpai", "品牌: brand news", (PINPAI,)),
    Section("newscenter",
            "the whole news centre in one run (zonghe, zgzlb, minsheng, shichang, auto, pinpai), each article once",
            (ZONGHE, ZGZLB, MINSHENG, SHICHANG, AUTO, PINPAI)),
)


def section(spider: str) -> Section:
    for s in SECTIONS:
        if s.spider == spider:
            return s
    raise KeyError(f"no section for spider {spider!r}; known: {', '.join(s.spider for s in SECTIONS)}")
