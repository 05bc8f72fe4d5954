"""The news-centre sections a spider can walk, found by link text in the site's navigation.

A section names its channel as the navigation writes it (综合) and its sub-sections as the
channel page writes them (要闻一, 要闻二).  Node ids are optional configuration, used when
a name is not found in the navigation; they are never the only way in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType


@dataclass(frozen=True)
class Section:
    spider: str
    description: str
    channel: str  # link text of the channel in the home page's navigation
    slug: str  # the channel's URL slug, for /<slug>/index.htm when the navigation fails
    subsections: tuple[str, ...]  # link texts of the listings on the channel page
    node_ids: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))


SECTIONS: tuple[Section, ...] = (
    Section("yaowen", "要闻 (headline news) under 综合: 要闻一 and 要闻二", "综合", "qt", ("要闻一", "要闻二")),
)


def section(spider: str) -> Section:
    for s in SECTIONS:
        if s.spider == spider:
            return s
    raise KeyError(f"no section for spider {spider!r}; known: {', '.join(s.spider for s in SECTIONS)}")
