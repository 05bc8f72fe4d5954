"""Article templates whose meta line no label explains (``--articles unlabelled|source-first|byline-end``).

Many Chinese CMSs print the publication time and the source side by side without ``来源：`` or
``发布时间：``, in class names no parser here knows, with furniture a careless reading takes for a
field.  Each template keeps the site's URL scheme and body habits (reprint header, captions, 附件
links, the editor line); where it puts the byline is its own:

- ``unlabelled``: ``div.info`` holding ``<span>`` time, ``<span>`` source and, where the story has
  authors, ``<span>`` their names (the body has no byline); the headline is an ``<h2>``, and the site's
  logo is the page's only ``<h1>``;
- ``source-first``: the source, then the time, in one line under the headline; the breadcrumb sits in a
  ``div.title``; bylines stay in the body as the site writes them;
- ``byline-end``: the time and then the source in one line of text; the authors on a line of their own
  ending the text (``作者：``, ``记者：`` or ``文/``), before the editor line.

The truth is the story's (:mod:`tests.replica.truth`): what each page shows is the same story, placed
elsewhere.
"""

from __future__ import annotations

import dataclasses
import random
from dataclasses import dataclass
from datetime import datetime
from html import escape

from tests.replica.content import Story

TEMPLATES = ("unlabelled", "source-first", "byline-end")
_END_LABELS = ("作者：", "记者：", "文/")


@dataclass(frozen=True)
class Frame:
    """What every page of the site shows around an article: the menu, the sidebar, the footer, the crumbs
    (``(href, name)`` from the news centre down)."""

    nav: str
    sidebar: str
    footer: str
    crumbs: list[tuple[str, str]]


def body_story(template: str, story: Story) -> Story:
    """The story as the template's body prints it: without its byline where the template prints it elsewhere."""
    return story if template == "source-first" else dataclasses.replace(story, byline="none")


def _crumbs(frame: Frame) -> str:
    return " &gt; ".join(f'<a href="{href}">{escape(name)}</a>' for href, name in frame.crumbs)


def _head(story: Story, keywords: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
            f"<title>{escape(story.title)}_中国质量新闻网</title>"
            f'<meta name="keywords" content="{escape(keywords)}"></head>\n<body>\n')


def article_html(template: str, story: Story, published: datetime, fragments: list[str], frame: Frame,
                 rng: random.Random) -> str:
    """The article's page in ``template``; ``fragments`` are its body as :func:`body_story` prints it."""
    when = f"{published:%Y-%m-%d %H:%M:%S}"
    head = _head(story, ",".join(story.keywords))
    tail = f"\n</div>{frame.sidebar}</div>\n<footer>{frame.footer}</footer>\n</body></html>\n"
    if template == "unlabelled":
        names = f"<span>{escape(' '.join(story.authors))}</span>" if story.authors else ""
        return (head + f'<div class="hdr"><h1 class="logo"><a href="/">中国质量新闻网</a></h1>{frame.nav}</div>\n'
                f'<div class="g-crumbs">当前位置：{_crumbs(frame)}</div>\n<div class="wrap"><div class="article">\n'
                f'<h2 class="hd">{escape(story.title)}</h2>\n'
                f'<div class="info"><span>{when}</span> <span>{escape(story.source)}</span> {names}</div>\n'
                '<div class="txt">\n' + "\n".join(fragments) + "\n</div>\n"
                '<div class="tools"><a href="javascript:window.print()">打印</a> <a href="#">分享到</a></div>' + tail)
    if template == "source-first":
        return (head + f'<header>{frame.nav}</header>\n<div class="wrap"><div class="news">\n'
                f'<div class="title">当前位置：{_crumbs(frame)}</div>\n'
                f'<h1>{escape(story.title)}</h1>\n'
                f'<div class="m-info"><em>{escape(story.source)}</em>\u3000<em>{when}</em></div>\n'
                '<div class="m-text">\n' + "\n".join(fragments) + "\n</div>" + tail)
    if template == "byline-end":
        body = list(fragments)
        if story.authors:
            label = rng.choice(_END_LABELS)
            line = f"<p>{label}{escape(' '.join(story.authors))}</p>"
            body.insert(len(body) - 1 if story.editor else len(body), line)
        return (head + f'<div class="top">{frame.nav}</div>\n'
                f'<div class="path">您当前位置：{_crumbs(frame)}</div>\n<div class="wrap"><div class="detail">\n'
                f'<div class="detail-hd"><h1>{escape(story.title)}</h1>\n'
                f'<p class="detail-date">{when}\u3000{escape(story.source)}</p></div>\n'
                '<div class="detail-bd">\n' + "\n".join(body) + "\n</div>" + tail)
    raise ValueError(f"no article template {template!r}; one of {', '.join(TEMPLATES)}")
