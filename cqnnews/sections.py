"""The news-centre sections, one entry each: adding a section is adding an entry here.

A channel is found by its link text in the home page's navigation (综合), its listings by
their link text on the channel page (要闻一, 要闻二); listings below a listing (抽查公告 >
国家抽查 > 2024) are found on that listing's page.  Node ids are optional configuration,
used only when a name is missing from the navigation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

_EMPTY: Mapping[str, int] = MappingProxyType({})


class BadArgument(ValueError):
    """A spider argument or setting the run cannot start with; the message says what is accepted."""


@dataclass(frozen=True)
class Channel:
    name: str  # link text in the home page's navigation
    slug: str  # URL slug, for /<slug>/index.htm when the navigation lacks the link
    listings: tuple[str, ...]  # link texts of its listings on the channel page
    only_listed: bool = False  # walk only ``listings``, not every listing the channel page links
    below: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))  # known sub-listings
    node_ids: Mapping[str, int] = field(default_factory=lambda: _EMPTY)

    @property
    def names(self) -> tuple[str, ...]:
        """Every listing name known ahead of the crawl, for ``-a sub=``."""
        return (*self.listings, *(name for names in self.below.values() for name in names))


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
        unknown = [s for s in chosen if s not in self.names]
        if unknown or not chosen:
            raise BadArgument(f"unknown sub-section {'、'.join(unknown) or repr(sub)} for spider {self.spider}; "
                              f"valid: {', '.join(self.names)}")
        return frozenset(chosen)


ZONGHE = Channel("综合", "qt", ("要闻一", "要闻二"))
ZGZLB = Channel("中国质量报", "zgzlb", tuple(f"第{n}版" for n in (
    "一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二", "十三", "十四", "十五", "十六")))
MINSHENG = Channel("民生", "ms", ("抽查公告", "健康", "家居"),
                   below=MappingProxyType({"抽查公告": ("国家抽查", "地方抽查")}),
                   node_ids=MappingProxyType({"抽查公告": 20334, "地方抽查": 22312}))
SHICHANG = Channel("市场监管", "zj", ("地方动态", "检验检测"), node_ids=MappingProxyType({"检验检测": 20190}))
AUTO = Channel("汽车", "auto", ("行业动态", "汽车召回"))
PINPAI = Channel("品牌", "pp", ("品牌资讯", "品牌观察"))

SECTIONS: tuple[Section, ...] = (
    Section("yaowen", "要闻 (headline news) of 综合: 要闻一 and 要闻二",
            (Channel("综合", "qt", ("要闻一", "要闻二"), only_listed=True),)),
    Section("zonghe", "综合: every listing of the channel, 要闻 included", (ZONGHE,)),
    Section("zgzlb", "中国质量报: every 版 (第一版, 第二版...) of every issue", (ZGZLB,)),
    Section("minsheng", "民生: 抽查公告 (国家抽查/地方抽查, by year), 健康, 家居", (MINSHENG,)),
    Section("shichang", "市场监管: 地方动态, 检验检测", (SHICHANG,)),
    Section("auto", "汽车: automotive news and recalls", (AUTO,)),
    Section("pinpai", "品牌: brand news", (PINPAI,)),
    Section("newscenter", "the whole news centre in one run (zonghe, zgzlb, minsheng, shichang, auto, pinpai), each article once",
            (ZONGHE, ZGZLB, MINSHENG, SHICHANG, AUTO, PINPAI)),
)


def section(spider: str) -> Section:
    for s in SECTIONS:
        if s.spider == spider:
            return s
    raise KeyError(f"no section for spider {spider!r}; known: {', '.join(s.spider for s in SECTIONS)}")
