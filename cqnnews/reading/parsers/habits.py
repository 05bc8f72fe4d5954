"""The site's body habits (SITE.md), read off a flat list of units.

What is not article text is taken out of the body and into its field: bylines in their
five forms into ``authors``, ``(责任编辑:语安)`` into ``editor``, the title and subtitle
that 中国质量报 reprints repeat, image captions into ``images``, ``附件:`` links into
``attachments``.  Tables go to ``tables`` whole (caption, header, rows), and stay in the body
as their caption and rows of tab-separated cells.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urljoin

from cqnnews.items import AttachmentRef, ImageRef, TableRecord
from cqnnews.reading.parsers.fields import (
    author_problem,
    caption_problem,
    editor_problem,
    source_problem,
    subtitle_problem,
)
from cqnnews.reading.parsers.units import Unit
from cqnnews.text import compact

L, R = "[（(]", "[）)]"
_EDITOR = re.compile(rf"^{L}?\s*责任编辑\s*[:：]\s*(?P<who>[^（）()]+?)\s*{R}?$")
_TRAILING = re.compile(rf"{L}(?P<who>[^（）()]{{2,40}}){R}$")
_LEAD = re.compile(rf"^(?P<dateline>[^（()，,。\s]{{1,24}}讯)\s*{L}(?P<who>[^（）()]{{1,40}}){R}\s*")
_BOX = re.compile(r"^□\s*(?P<who>.+)$")
# the meta line under a headline, taken into the text by the generic reader: a date-time, then a few short words
_META_LINE = re.compile(r"^(?:19|20)\d\d\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?\s*\d{1,2}\s*[:：]\s*\d{1,2}"
                        r"(?:\s*[:：]\s*\d{1,2})?(?P<rest>[^。，,；;！？]{0,40})$")
_AUTHOR_LINE = re.compile(rf"^{L}?\s*(?:作者|记者|撰稿|撰文|文)\s*[:：/]\s*(?P<who>[^（）():：]{{1,40}}?)\s*{R}?$")
_ATTACHMENT_LABEL = re.compile(r"^附件\s*[0-9一二三四五六七八九十]*\s*[:：]?\s*")
_ROLE = re.compile(r"(?:本报)?(?:特约|实习|见习)?(?:记者|通讯员|实习生)|本报")
_NAME = re.compile(r"[\u4e00-\u9fff·]{2,5}")
_NOT_NAMES = frozenset({"完", "待续", "未完待续", "附图", "全文完", "综合", "本报综合", "图文", "组图", "视频"})
_ORG_ENDINGS = ("局", "委", "会", "部", "院", "所", "厅", "办", "司", "网", "社", "报", "台", "站", "中心")
Canonicalize = Callable[[str], str]
FILE_EXTENSIONS = (".pdf", ".doc", ".docx", ".xls", ".xlsx", ".wps", ".et", ".zip", ".rar", ".7z", ".txt", ".csv")
SUBTITLE_MAX = 60


def parse_names(who: str) -> list[str] | None:
    """Names in a byline such as ``孙霞云 记者何 可``: ['孙霞云', '何可']; None if not a byline.

    Print pads two-character names with a space (何 可), so runs of single characters
    are one name.
    """
    names: list[str] = []
    for part in re.split(r"[、，,;；/]", who):
        for segment in _ROLE.split(part):
            run = ""
            for token in segment.split():
                if len(token) == 1:
                    run += token
                    continue
                if run:
                    names.append(run)
                    run = ""
                names.append(token)
            if run:
                names.append(run)
    if not names:
        return None
    for name in names:
        if not _NAME.fullmatch(name) or name in _NOT_NAMES or name.endswith(_ORG_ENDINGS) or name[0] in "据图":
            return None
    return names


@dataclass
class Body:
    text: str
    images: list[ImageRef] = field(default_factory=list)
    attachments: list[AttachmentRef] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    editor: str | None = None
    subtitle: str | None = None
    tables: list[TableRecord] = field(default_factory=list)
    rejected: list[tuple[str, str, str]] = field(default_factory=list)  # (field, reading, why) of values refused

    def names(self, reading: str, who: str, title: str) -> list[str] | None:
        """The authors a byline reading found in ``who``, if each is a name (else noted as rejected)."""
        names = parse_names(who)
        if names is None:
            return None
        for name in names:
            if (why := author_problem(name, title)) is not None:
                self.rejected.append(("authors", reading, why))
                return None
        return names


def _is_attachment_link(href: str) -> bool:
    return href.split("?")[0].lower().endswith(FILE_EXTENSIONS)


def _take_attachments(units: list[Unit], base_url: str, canonical: Canonicalize) -> tuple[list[Unit], list[AttachmentRef]]:
    kept: list[Unit] = []
    found: list[AttachmentRef] = []
    for unit in units:
        if unit.kind != "text" or not (unit.links or unit.text.startswith("附件")):
            kept.append(unit)
            continue
        files = [(href, text) for href, text in unit.links if _is_attachment_link(href)]
        rest = _ATTACHMENT_LABEL.sub("", unit.text) if unit.text.startswith("附件") else unit.text
        for _, text in files:
            rest = rest.replace(text, "", 1)
        if files and not compact(rest).strip("、，,;；.0123456789"):
            found.extend({"url": canonical(urljoin(base_url, href)), "title": text, "path": None, "checksum": None,
                          "size": None, "content_type": None, "tables": None} for href, text in files)
        elif not _ATTACHMENT_LABEL.sub("", unit.text).strip() and unit.text.startswith("附件"):
            continue  # the bare "附件:" label above the links
        else:
            kept.append(unit)
    return kept, found


def _is_meta_line(text: str) -> bool:
    """A date-time and a few short names (no sentence): the meta line under a headline."""
    return (m := _META_LINE.match(text)) is not None and all(source_problem(w) is None for w in m["rest"].split())


def interpret(units: list[Unit], title: str, base_url: str, canonical: Canonicalize) -> Body:
    """Split the units into body text and the fields hidden in it."""
    units, attachments = _take_attachments(units, base_url, canonical)
    body = Body(text="", attachments=attachments)

    # editor line, near the end
    for i in range(len(units) - 1, max(-1, len(units) - 4), -1):
        unit = units[i]
        if unit.kind == "text" and (m := _EDITOR.match(unit.text)):
            if (why := editor_problem(who := m["who"].strip())) is None:
                body.editor = who
                del units[i]
            else:
                body.rejected.append(("editor", "责任编辑", why))
            break

    # images and the caption paragraph under each: a centred line under the image, if it can be a caption
    kept: list[Unit] = []
    paragraphs = {u.text for j, u in enumerate(units) if u.kind == "text" and not (j and units[j - 1].kind == "image")} \
        if any(u.kind == "image" for u in units) else set()
    i = 0
    while i < len(units):
        unit = units[i]
        if unit.kind == "image":
            caption = None
            nxt = units[i + 1] if i + 1 < len(units) else None
            if nxt is not None and nxt.kind == "text" and nxt.centered:
                if (why := caption_problem(nxt.text, paragraphs)) is None:
                    caption = nxt.text
                    i += 1
                else:
                    body.rejected.append(("caption", "centred_line", why))
            body.images.append({"url": canonical(urljoin(base_url, unit.src)), "caption": caption})
        else:
            kept.append(unit)
        i += 1
    units = kept
    texts = [u for u in units if u.kind == "text"]

    # the headline and the page's meta line (time, source, names), when the reader took them in with the text,
    # and 中国质量报 reprints: the title again, a subtitle, a boxed byline
    repeated = False
    while texts and (compact(texts[0].text) == compact(title) or _is_meta_line(texts[0].text)):
        repeated = repeated or compact(texts[0].text) == compact(title)
        units.remove(texts.pop(0))
    if repeated and (texts and texts[0].centered and len(texts[0].text) <= SUBTITLE_MAX
                     and not _BOX.match(texts[0].text) and not _LEAD.match(texts[0].text)):
        if (why := subtitle_problem(texts[0].text, title)) is None:
            body.subtitle = texts[0].text.lstrip("—-－ ")
            units.remove(texts.pop(0))
        else:
            body.rejected.append(("subtitle", "centred_line", why))
    for unit in texts[:3]:
        if (m := _BOX.match(unit.text)) and (names := body.names("□", m["who"], title)):
            body.authors.extend(names)
            units.remove(unit)
            texts.remove(unit)
            break

    # a dateline lead: 中国消费者报太原讯（记者冯铁飞）/ 本报讯 （孙霞云 记者何 可）
    if texts and (m := _LEAD.match(texts[0].text)) and (names := body.names("dateline", m["who"], title)):
        body.authors.extend(n for n in names if n not in body.authors)
        texts[0].text = texts[0].text[m.end():].strip()

    # a labelled byline ending the text: 作者：张井 李明 / 记者：张井 / 文/张井
    for unit in texts[-2:]:
        if (m := _AUTHOR_LINE.match(unit.text)) and (names := body.names("作者", m["who"], title)):
            body.authors.extend(n for n in names if n not in body.authors)
            units.remove(unit)
            texts.remove(unit)
            break

    # a trailing byline: ...参加了会议。（张井）, or a paragraph of its own
    if texts and (m := _TRAILING.search(texts[-1].text)) and (names := body.names("（）", m["who"], title)):
        if not body.authors:
            body.authors = names
        texts[-1].text = texts[-1].text[: m.start()].rstrip()

    lines: list[str] = []
    for unit in units:
        if unit.kind == "table" and unit.table is not None:
            lines.extend(unit.table.lines())
            body.tables.append(unit.table.record())
        elif unit.text:
            lines.append(unit.text)
    body.text = "\n".join(lines)
    return body
