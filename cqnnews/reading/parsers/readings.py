"""Every field of an article page by a chain of readings, tried in order.

The site's own templates are read by their class names first; when those are missing (a
redesign nobody here has seen), each field falls back to readings that hold on any news
page: ``<h1>``, ``<title>`` without the site's suffix, a date-time printed near the title,
the date in the URL, a ``来源：`` line, a ``您当前位置`` line.  Which reading gave each field is
kept, so a run can say how much of it was read by fallbacks (``extract/fallback/<field>/<reading>``).
Every value found is checked against what its field can be (:mod:`cqnnews.reading.parsers.fields`): a value
its field cannot hold is rejected, noted (``extract/rejected/<field>/<reading>``), and the chain goes on.
"""

from __future__ import annotations

import re
from datetime import datetime

from cqnnews.reading.dates import DAY, FULL_TIME, SHANGHAI, parse_datetime, plausible
from cqnnews.reading.parsers import fields
from cqnnews.reading.parsers.base import css, text_of, xpath
from cqnnews.reading.parsers.chain import Context, Reading
from cqnnews.reading.parsers.meta_line import meta_line
from cqnnews.reading.parsers.units import Element
from cqnnews.text import clean

OWN_SOURCE = fields.OWN_SOURCE
_SITE_SUFFIX = re.compile(r"\s*(?:[-_—–|｜]+|\s)\s*中国质量新闻网\s*$")
_LABELLED_TIME = re.compile(r"(?:发布时间|发布日期|时间|日期)\s*[:：]\s*(?P<when>(?:19|20)\d\d\s*[-/.年]\s*\d{1,2}\s*[-/.月]"
                            r"\s*\d{1,2}\s*日?(?:\s*\d{1,2}\s*[:：]\s*\d{1,2}(?:\s*[:：]\s*\d{1,2})?)?)")
_URL_DATE = re.compile(r"/(?P<y>(?:19|20)\d\d)-(?P<m>\d\d)/(?P<d>\d\d)/")
_SOURCE_TEXT = re.compile(r"(?:来源|稿源|来自)\s*[:：]\s*(?P<source>[^\s　|｜:：]{2,40})")
_SOURCE_PREFIX = re.compile(r"^\s*(?:来源|来自|稿源)\s*[:：]\s*")
_TIME_PREFIX = re.compile(r"^\s*(?:19|20)\d\d\s*[-/年]\s*\d{1,2}\s*[-/月]\s*\d{1,2}\s*日?"
                          r"(?:\s*\d{1,2}[:：]\d{1,2}(?:[:：]\d{1,2})?)?")
_KEYWORDS_ANYWHERE = "//meta[translate(@name,'KEYWORDS','keywords')='keywords']/@content"
_KEYWORD_SPLIT = re.compile(r"[,，;；、\s]+")
_POSITION = ("您当前位置", "当前位置", "您现在的位置", "现在的位置")
_CRUMB_SPLIT = re.compile(r"\s*(?:>>|»|>|＞|→)\s*")


# --- keywords ---------------------------------------------------------------------------

def split_keywords(text: str) -> list[str]:
    return list(dict.fromkeys(k for k in _KEYWORD_SPLIT.split(text) if k))


def meta_keywords(root: Element) -> list[str]:
    """The page's ``<meta name="keywords">``, in order, no repeats."""
    found = _head_keywords(root)
    if found is None:
        anywhere = xpath(_KEYWORDS_ANYWHERE)(root)
        found = str(anywhere[0]) if anywhere else None
    return split_keywords(found) if found is not None else []


def _head_keywords(root: Element) -> str | None:
    """What ``/html/head/meta[translate(@name,'KEYWORDS','keywords')='keywords']/@content`` finds first,
    without XPath: <head> has a handful of children, and evaluating the expression costs more."""
    if root.tag != "html":
        return None
    for head in root.iterchildren("head"):
        for meta in head.iterchildren("meta"):
            name = meta.get("name")
            if name and name.isascii() and name.lower() == "keywords" and (content := meta.get("content")) is not None:
                return content
    return None


# --- title -------------------------------------------------------------------------------

def title_at(selector: str) -> Reading[str]:
    def read(ctx: Context) -> str | None:
        for el in css(selector)(ctx.page.root):
            if text := clean(text_of(el)):
                ctx.title_element = el
                return text
        return None
    return Reading(selector, read)


def strip_site_suffix(title: str) -> str:
    """``标题_中国质量新闻网`` / ``标题 - 中国质量新闻网`` / ``标题--中国质量新闻网``: ``标题``."""
    return _SITE_SUFFIX.sub("", title).strip()


def _title_tag(ctx: Context) -> str | None:
    for el in xpath("//head/title | //title")(ctx.page.root):
        if text := strip_site_suffix(clean(text_of(el))):
            return text
    return None


TITLE_TAG: Reading[str] = Reading("<title>", _title_tag)
HEADLINE_MAX = 100  # the longest line read as a headline: longer is a paragraph


def _title_class(ctx: Context) -> str | None:
    """An element named for a title (``class``/``id`` holding "title"), with a headline's length."""
    for el in xpath("//body//*[not(self::input or self::textarea or self::script or self::style)]"
                    "[contains(translate(@class,'TITLE','title'),'title') or contains(translate(@id,'TITLE','title'),"
                    "'title')]")(ctx.page.root):
        if 4 <= len(text := clean(text_of(el))) <= HEADLINE_MAX:
            ctx.title_element = el
            return text
    return None


TITLE_CLASS: Reading[str] = Reading("title_class", _title_class)


# --- publication time --------------------------------------------------------------------

def time_at(selector: str) -> Reading[datetime]:
    def read(ctx: Context) -> datetime | None:
        el = css(selector)(ctx.page.root)
        if not el:
            return None
        text = clean(text_of(el[0]))
        return parse_datetime(m[0]) if (m := _TIME_PREFIX.match(text) or FULL_TIME.search(text)) else None
    return Reading(selector, read)


def _enp_date(ctx: Context) -> datetime | None:
    return parse_datetime(ctx.properties["date"]) if "date" in ctx.properties else None


_DATE_MARKUP = (
    "//meta[@property='article:published_time' or @name='pubdate' or @name='PubDate' or @name='publishdate'"
    " or @itemprop='datePublished' or @name='citation_date' or @name='citation_publication_date'"
    " or @name='DC.date' or @name='dc.date']/@content",
    "//time/@datetime",
)


def _date_markup(ctx: Context) -> datetime | None:
    """Machine-readable dates a redesign may carry: ``<meta property="article:published_time">``, ``<time>``."""
    for expression in _DATE_MARKUP:
        for value in xpath(expression)(ctx.page.root):
            if (found := parse_datetime(str(value))) is not None:
                return found
    return None


def _time_near_title(ctx: Context) -> datetime | None:
    text = ctx.after_title()
    m = FULL_TIME.search(text) or _LABELLED_TIME.search(text)
    return parse_datetime(m[0]) if m else None


def _labelled_time(ctx: Context) -> datetime | None:
    """``发布时间：2018-08-03 17:13:55`` anywhere in the page's body, the first one."""
    body = ctx.page.root.find("body")
    for text in (body if body is not None else ctx.page.root).itertext():
        if ("时间" in text or "日期" in text) and (m := _LABELLED_TIME.search(text)):
            return parse_datetime(m["when"])
    return None


def _time_in_page(ctx: Context) -> datetime | None:
    """The first full date-time anywhere in the page's body (one 2019 crawler of the site read it so)."""
    body = ctx.page.root.find("body")
    for text in (body if body is not None else ctx.page.root).itertext():
        if len(text) >= 10 and (m := FULL_TIME.search(text)) and (found := parse_datetime(m[0])) is not None:
            return found
    return None


def _day_near_title(ctx: Context) -> datetime | None:
    m = DAY.search(ctx.after_title())
    return parse_datetime(m[0]) if m else None


def _url_date(ctx: Context) -> datetime | None:
    m = _URL_DATE.search(ctx.url)
    if m is None:
        return None
    try:
        return plausible(datetime(int(m["y"]), int(m["m"]), int(m["d"]), tzinfo=SHANGHAI), None)
    except ValueError:
        return None


ENP_DATE: Reading[datetime] = Reading("enpproperty", _enp_date)
DATE_MARKUP: Reading[datetime] = Reading("meta", _date_markup)
TIME_NEAR_TITLE: Reading[datetime] = Reading("near_title", _time_near_title)
LABELLED_TIME: Reading[datetime] = Reading("labelled", _labelled_time)
TIME_IN_PAGE: Reading[datetime] = Reading("in_page", _time_in_page)
DAY_NEAR_TITLE: Reading[datetime] = Reading("day_near_title", _day_near_title)
URL_DATE: Reading[datetime] = Reading("url", _url_date)  # a day without its time: flagged date_from_url


# --- source ------------------------------------------------------------------------------

def source_in(selector: str, within: str | None = None, empty_means_site: bool = False) -> Reading[str]:
    """The text of ``selector`` (below the first ``within``); an element present but empty is the site
    itself where ``empty_means_site`` (the site leaves ``span.from`` empty for its own stories)."""
    def read(ctx: Context) -> str | None:
        scope = ctx.page.root
        if within is not None:
            found = css(within)(scope)
            if not found:
                return None
            scope = found[0]
        el = css(selector)(scope)
        if not el:
            return None
        text = _SOURCE_PREFIX.sub("", clean(text_of(el[0]))).strip()
        return text or (OWN_SOURCE if empty_means_site else None)
    name = f"{within} {selector}" if within else selector
    return Reading(name, read)


def _source_text(ctx: Context) -> str | None:
    """``来源：国家药监局网站`` just after the title."""
    m = _SOURCE_TEXT.search(ctx.after_title())
    return m["source"] if m else None


SOURCE_TEXT: Reading[str] = Reading("来源", _source_text)


META_LINE: Reading[str] = Reading("meta_line", lambda ctx: meta_line(ctx).source)
SITE: Reading[str] = Reading("site", lambda ctx: OWN_SOURCE)


# --- breadcrumb --------------------------------------------------------------------------

def crumbs_of(el: Element) -> list[str]:
    """The crumbs of a breadcrumb element: its links' texts, else its text split at ``>>``."""
    links = [c for c in (clean(text_of(a)) for a in el.iter("a")) if c]
    if links:
        return links
    text = clean(text_of(el))
    for prefix in _POSITION:
        if text.startswith(prefix):
            text = text[len(prefix):].lstrip(":： ")
            break
    return [c for c in _CRUMB_SPLIT.split(text) if c]


def breadcrumb_at(selector: str) -> Reading[list[str]]:
    def read(ctx: Context) -> list[str] | None:
        found = css(selector)(ctx.page.root)
        return crumbs_of(found[0]) if found else None
    return Reading(selector, read)


def _position_line(ctx: Context) -> list[str] | None:
    """The element whose own text starts ``您当前位置`` (or ``当前位置``…): the breadcrumb of any template."""
    for el in xpath("//body//*[text()]")(ctx.page.root):
        text = (el.text or "").lstrip()
        if text.startswith(_POSITION) and (crumbs := crumbs_of(el)):
            return crumbs
    return None


POSITION_LINE: Reading[list[str]] = Reading("您当前位置", _position_line)
NO_BREADCRUMB: Reading[list[str]] = Reading("none", lambda ctx: [])
