from __future__ import annotations

import pytest

from cqnnews.crawl.spiders.registry import SPIDERS
from cqnnews.sections import SECTIONS, BadArgument, section

REQUIRED = {"yaowen", "zonghe", "zgzlb", "minsheng", "shichang", "auto", "pinpai", "newscenter"}


def test_every_required_spider_is_one_registry_entry() -> None:
    names = [s.spider for s in SECTIONS]
    assert len(names) == len(set(names)) and set(names) >= REQUIRED
    assert set(SPIDERS) == set(names)
    for name, cls in SPIDERS.items():
        assert cls.name == name and cls.section is section(name) and cls.__doc__


def test_newscenter_covers_every_other_channel() -> None:
    everything = {c.name for s in SECTIONS if s.spider != "newscenter" for c in s.channels}
    assert {c.name for c in section("newscenter").channels} == everything


@pytest.mark.parametrize(("spider", "sub", "chosen"), [
    ("yaowen", None, set()),
    ("yaowen", "要闻二", {"要闻二"}),
    ("yaowen", "要闻一, 要闻二", {"要闻一", "要闻二"}),
    ("minsheng", "地方抽查，健康", {"地方抽查", "健康"}),
    ("newscenter", "第一版,检验检测", {"第一版", "检验检测"}),
])
def test_sub_chooses_listings(spider: str, sub: str | None, chosen: set[str]) -> None:
    assert section(spider).choose(sub) == chosen


@pytest.mark.parametrize(("spider", "sub"), [("zgzlb", "第九十九版"), ("yaowen", "第一版"), ("yaowen", ","),
                                             ("minsheng", "健康,火星")])
def test_unknown_sub_names_the_valid_ones(spider: str, sub: str) -> None:
    with pytest.raises(BadArgument, match="valid: ") as err:
        section(spider).choose(sub)
    assert section(spider).names[0] in str(err.value)
