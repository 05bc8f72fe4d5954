"""The meta line of an article page: time, source and authors side by side under the headline, labelled or not."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from cqnnews.reading.dates import DAY, FULL_TIME
from cqnnews.reading.parsers import fields
from cqnnews.reading.parsers.base import text_of
from cqnnews.reading.parsers.chain import Context
from cqnnews.reading.parsers.units import Element
from cqnnews.text import clean


@dataclass(frozen=True)
class MetaLine:
    """What a short line after the headline holding a date says beside it: a source, authors."""

    source: str | None
    authors: list[str]


META_MAX = 160  # characters: a meta line is short; a longer element holds the body
_META_SCAN = 40  # elements after the headline looked at for it
_CLOCK = re.compile(r"\d{1,2}\s*[:：]\s*\d{1,2}(?:\s*[:：]\s*\d{1,2})?")
_META_LABEL = re.compile(r"(来源|稿源|来自|出处|作者|记者|撰稿|文|责任编辑|编辑|责编|发布时间|发布日期|时间|日期|点击|浏览次数|浏览"
                         r"|阅读)\s*[:：/]\s*")
_SOURCE_LABELS = frozenset({"来源", "稿源", "来自", "出处"})
_AUTHOR_LABELS = frozenset({"作者", "记者", "撰稿", "文"})
_TOKEN_SPLIT = re.compile(r"[\s|｜/]+")
_NOT_META = re.compile(r"[。，,；;！？]")


def _tokens(text: str) -> list[str]:
    """Words of a meta line; single CJK characters in a row are one name padded for print (何 可)."""
    out: list[str] = []
    run = ""
    for token in (t.strip("【】[]()（）") for t in _TOKEN_SPLIT.split(text)):
        if len(token) == 1 and "\u4e00" <= token <= "\u9fff":
            run += token
            continue
        if run:
            out.append(run)
            run = ""
        if token:
            out.append(token)
    if run:
        out.append(run)
    return out


def read_meta_line(text: str, title: str | None = None) -> MetaLine:
    """The source and authors of a meta line's text, its dates taken out: a labelled one as labelled, else by
    shape and position: a known outlet or a name ending as outlets do (…网, …报) is the source wherever it
    stands, else the first name after the time; the names of people are the authors."""
    rest = _CLOCK.sub(" ", DAY.sub(" ", FULL_TIME.sub(" ", text)))
    parts = _META_LABEL.split(rest)
    labelled: dict[str, list[str]] = {}
    free = _tokens(parts[0])
    for label, value in zip(parts[1::2], parts[2::2]):
        words = _tokens(value)
        if words:
            labelled.setdefault(label, []).append(words[0])
            free.extend(words[1:])
    names = [w for w in free if fields.source_problem(w, title) is None]
    source = next((v for k, vs in labelled.items() if k in _SOURCE_LABELS for v in vs), None)
    if source is None:
        source = next((w for w in names if fields.is_org(w)), None) or (names[0] if names and (
            len(names) > 1 or not fields.is_person(names[0])) else None)
    authors = [v for k, vs in labelled.items() if k in _AUTHOR_LABELS for v in vs]
    authors += [w for w in names if w != source and fields.is_person(w) and w not in authors]
    return MetaLine(source, authors if len(authors) <= 3 else [])


_NO_META_LINE = MetaLine(None, [])


_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")


def _headline_element(ctx: Context) -> Element | None:
    """Where the headline stands when it was read elsewhere (``<title>``): a heading, else the first element
    of the body outside links whose text is the title."""
    if ctx.title_element is not None or not ctx.title:
        return ctx.title_element
    body = ctx.page.root.find("body")
    if body is None:
        return None
    wanted = clean(ctx.title)
    for tags in (_HEADINGS, ("div", "p", "span", "strong", "b", "td")):
        for el in body.iter(*tags):
            if len(text := text_of(el)) < 3 * len(wanted) and clean(text) == wanted \
                    and not any(a.tag == "a" for a in el.iterancestors()):
                return el
    return None


def _following(el: Element, most: int) -> Iterator[Element]:
    """The first ``most`` elements after ``el`` in document order (not inside it), scripts and styles left out."""
    seen = 0
    node: Element | None = el
    while node is not None:
        for sibling in node.itersiblings():
            for found in sibling.iter():
                if not isinstance(found.tag, str) or found.tag in ("script", "style"):
                    continue
                yield found
                seen += 1
                if seen >= most:
                    return
        node = node.getparent()


def meta_line(ctx: Context) -> MetaLine:
    """The meta line of the page: the first short element after the headline holding a date, not a sentence."""
    if (found := ctx.memo.get("meta_line")) is not None:
        return found
    found = _NO_META_LINE
    if (headline := _headline_element(ctx)) is not None:
        for el in _following(headline, _META_SCAN):
            text = clean(" ".join(el.itertext()))  # <span>人民网</span><span>张井</span>: two words
            if len(text) <= META_MAX and DAY.search(text):
                if not _NOT_META.search(text):
                    found = read_meta_line(text, ctx.title)
                break
    ctx.memo["meta_line"] = found
    return found
