"""The reference article, rebuilt from the visible text of the real page (SITE.md).

The record behind ``qt-content_6121542.txt`` turned full-width punctuation into ASCII;
the real page most likely uses the full-width forms, so the replica restores them in the
body (never inside times such as ``17:13:55``).
"""

from __future__ import annotations

import hashlib
import re
from functools import cache
from pathlib import Path

from tests.replica.content import Block, Image, Story

TEXT_FILE = Path(__file__).parent / "data" / "qt-content_6121542.txt"
IMG_DIR = "/qt/img/2018-08/03/"
# Captions stand alone under their image; the text file shows them as short lines.
CAPTIONS = ("与会代表观看包头市实施标准化战略助力经济高质量发展成果展",
            "与会代表在内蒙古北方重型汽车股份有限公司现场观摩")
_FULL_WIDTH = str.maketrans({",": "，", "(": "（", ")": "）"})


def full_width(text: str) -> str:
    return re.sub(r"(?<!\d):|:(?!\d)", "：", text.translate(_FULL_WIDTH))


@cache
def reference_story() -> Story:
    lines = [ln.strip() for ln in TEXT_FILE.read_text(encoding="utf-8").splitlines()]
    start = lines.index("2018-08-03 17:13:55 中国质量新闻网") + 1
    end = lines.index("(责任编辑:语安)")
    blocks: list[Block] = []
    for line in (ln for ln in lines[start:end] if ln):
        if line in CAPTIONS:
            digest = hashlib.md5(line.encode()).hexdigest()
            image = Image(src=f"{IMG_DIR}{CAPTIONS.index(line) + 1}_{digest}.jpg", caption=line)
            blocks.append(Block("image", image=image))
            continue
        blocks.append(Block("p", text=full_width(line)))
    last = blocks[-1]
    assert last.kind == "p" and last.text.endswith("（张井）")
    last.text = last.text.removesuffix("（张井）")
    return Story(
        title=next(ln for ln in lines[lines.index("您当前位置: 新闻中心>>综合>>要闻二>>") + 1 :] if ln),
        subtitle=None,
        source="中国质量新闻网",
        authors=["张井"],
        editor="语安",
        keywords=["标准化", "包头"],
        blocks=blocks,
        parens="full",
        byline="trailing",
    )
