"""What each field of an article can be: a reading whose value its field cannot hold is rejected.

A reading that finds something stops its chain; a reading that finds the wrong thing (the
time printed where the source was expected, a menu item where the headline was) would stop it
too and leave the field holding an impossible value.  Each field's check here says why a value
cannot be that field (a reason, or None when it can); the chain machinery
(:func:`cqnnews.reading.parsers.chain.first`, the body's habits in :mod:`cqnnews.reading.parsers.habits`)
asks it of every reading's value, and a rejected value falls through to the next reading,
counted ``extract/rejected/<field>/<reading>``.

- a source or an author is a name: not a date, a time, a URL, a number, the page's title or a
  label (来源, 作者, 打印, 分享到…), of a name's length;
- a title is not the site's name, a date, a breadcrumb or a menu item (a short link of the page to anything
  but an article);
- a publication time is within the site's life, not after the run's clock, and on the day the
  URL names where it names one (else the chain goes on to the URL's own day, flagged
  ``date_from_url``);
- an editor is a name (two to four CJK characters, or a Latin name), or a few of them, not a sentence;
- a subtitle is not the title again; a caption is not a paragraph of the body.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from datetime import datetime, timedelta
from typing import Any, Protocol

from cqnnews.reading.dates import EARLIEST, SHANGHAI
from cqnnews.text import compact

__all__ = ["CHECKS", "KNOWN_SOURCES", "OWN_SOURCE", "Facts", "article_problems", "author_problem",
           "caption_problem", "editor_problem", "is_org", "is_person", "problem", "source_problem",
           "subtitle_problem", "time_problem", "title_problem"]

OWN_SOURCE = "中国质量新闻网"
# The site's own outlets and those its reposts name (SITE.md), recognised wherever a meta line puts them.
KNOWN_SOURCES = frozenset({
    OWN_SOURCE, "中国质量报", "中国消费者报", "中国质量新闻网-中国质量报", "中国消费网", "国家药监局网站",
    "国家市场监督管理总局", "市场监管总局", "人民网", "人民日报", "新华网", "新华社", "央视网", "央视新闻",
    "中国新闻网", "中新网", "经济日报", "光明日报", "中国经济网", "中国网",
})
ORG_ENDINGS = ("局", "委", "会", "部", "院", "所", "厅", "办", "司", "网", "社", "报", "台", "站", "中心", "网站", "杂志",
               "日报", "晚报", "频道", "新闻", "集团", "公司", "协会")
# Words of page furniture that are never a name: labels of the meta line, buttons, the menu's commonest items.
LABELS = frozenset({
    "来源", "稿源", "来自", "出处", "作者", "记者", "通讯员", "文", "图", "编辑", "责任编辑", "责编", "主编", "审核", "校对",
    "打印", "打印本页", "打印此文", "关闭", "关闭窗口", "分享", "分享到", "收藏", "字号", "字体", "大", "中", "小",
    "发布时间", "发布日期", "时间", "日期", "点击", "点击数", "浏览", "浏览次数", "阅读", "阅读量", "评论", "返回", "顶部",
    "返回顶部", "纠错", "我要纠错", "扫一扫", "微信", "微博", "复制链接", "举报", "上一篇", "下一篇", "相关新闻", "转载", "原创",
})
MENU_WORDS = frozenset({"首页", "新闻中心", "网站首页", "登录", "注册", "搜索", "更多", "关于我们", "联系我们",
                        "广告服务", "版权声明", "网站地图", "RSS"})
MENU_ITEM_MAX = 8  # characters: a menu's items are short; a headline linked from the page (to itself, a list) is not one
SITE_NAMES = frozenset({OWN_SOURCE, "中国质量新闻网CQN", "CQN", "cqn.com.cn", "www.cqn.com.cn"})
SOURCE_LENGTH = (2, 40)
AUTHOR_LENGTH = (2, 20)
CAPTION_MAX = 80

_DATE = re.compile(r"(?:19|20)\d\d\s*[-/.年]\s*\d{1,2}(?:\s*[-/.月]\s*\d{1,2})?|\d{1,2}\s*月\s*\d{1,2}\s*日"
                   r"|\d{1,2}\s*[:：]\s*\d{2}")
_ONLY_DATE = re.compile(r"^[\s\d\-/.:：年月日时分秒TZ+]*$")
_URL = re.compile(r"^https?\b|https?://|www\.|\.(?:com|cn|net|org|gov|htm|html|shtml)\b", re.I)
_NUMBER = re.compile(r"^[\d\s.,，%％+\-]+$")
_SENTENCE = re.compile(r"[。！？!?；;]|[，,].*[，,]")
_BRACKETS = re.compile(r"[【】\[\]()（）<>《》「」|｜]")
_LABEL_COLON = re.compile(r"^\s*(?P<label>[\u4e00-\u9fff]{1,4})\s*[:：]")
_CJK_NAME = re.compile(r"^[\u4e00-\u9fff]{2,4}$|^[\u4e00-\u9fff]{1,6}·[\u4e00-\u9fff·]{1,10}$")
_LATIN_NAME = re.compile(r"^[A-Z][A-Za-z'\-]*\.?(?: [A-Z][A-Za-z'\-]*\.?){0,3}$")
_NAMES_SPLIT = re.compile(r"[\s、,，/;；]+")
_CRUMB_SPLIT = re.compile(r"\s*(?:>>|»|＞|→|\s>\s)\s*")
_POSITION = ("您当前位置", "当前位置", "您现在的位置", "现在的位置", "所在位置")
_URL_DAY = re.compile(r"/(?P<y>(?:19|20)\d\d)-(?P<m>\d\d)/(?P<d>\d\d)/")


class Facts(Protocol):
    """What a check may need to know of the page beside the value: its headline, URL, the run's clock,
    the texts of its links to pages that are not articles (its menus)."""

    @property
    def title(self) -> str | None: ...

    @property
    def url(self) -> str: ...

    @property
    def now(self) -> datetime | None: ...

    def menu_items(self) -> Collection[str]: ...


def is_org(name: str) -> bool:
    """An outlet or a body, by name: a known source, or a name ending as organisations do (…网, …报, …局)."""
    return name in KNOWN_SOURCES or name.endswith(ORG_ENDINGS)


def is_person(name: str) -> bool:
    """A person's name by its shape: two to four CJK characters (or a name with ·), or a Latin name."""
    return (bool(_CJK_NAME.match(name)) or bool(_LATIN_NAME.match(name))) and not is_org(name)


def _is_label(value: str) -> bool:
    words = [w.rstrip(":：") for w in _BRACKETS.sub(" ", value).split()]
    return bool(words) and all(w in LABELS or not w for w in words) or (
        (m := _LABEL_COLON.match(value)) is not None and m["label"] in LABELS and not value[m.end():].strip())


def _name_problem(value: str, title: str | None, length: tuple[int, int]) -> str | None:
    text = value.strip()
    if not text:
        return "empty"
    if _URL.search(text):
        return "a URL"
    if _DATE.search(text):
        return "a date or time"
    if _NUMBER.match(text):
        return "a number"
    if _is_label(text):
        return "a label"
    if title and (compact(text) == compact(title) or len(text) >= 8 and compact(text) in compact(title)):
        return "the page's title"
    if not length[0] <= len(text) <= length[1]:
        return f"{len(text)} characters, not a name's {length[0]}-{length[1]}"
    if _SENTENCE.search(text):
        return "a sentence"
    return None


def source_problem(value: str, title: str | None = None) -> str | None:
    """Why ``value`` cannot be an article's source (an outlet's name), or None."""
    return _name_problem(value, title, SOURCE_LENGTH)


def author_problem(value: str, title: str | None = None) -> str | None:
    """Why ``value`` cannot be one author's name, or None."""
    return _name_problem(value, title, AUTHOR_LENGTH)


def title_problem(value: str, menu: Collection[str] = ()) -> str | None:
    """Why ``value`` cannot be the headline: the site's name, a date, a breadcrumb, a menu item."""
    text = value.strip()
    if not text:
        return "empty"
    if compact(text) in SITE_NAMES:
        return "the site's name"
    if _ONLY_DATE.match(text) and _DATE.search(text):
        return "a date"
    crumbs = [c for c in _CRUMB_SPLIT.split(text) if c]
    if text.startswith(_POSITION) or len(crumbs) >= 3 or len(crumbs) == 2 and crumbs[0] in MENU_WORDS:
        return "a breadcrumb"
    if text in MENU_WORDS or len(text) <= MENU_ITEM_MAX and text in menu:
        return "a menu item"
    return None


def time_problem(value: datetime, url: str = "", now: datetime | None = None) -> str | None:
    """Why ``value`` cannot be the publication time of the article at ``url`` read at ``now``."""
    if value < EARLIEST:
        return "before the site's life"
    if now is not None and value > now + timedelta(days=1):
        return "after the run's clock"
    if (m := _URL_DAY.search(url)) is not None:
        day = value.astimezone(SHANGHAI).date()
        if (day.year, day.month, day.day) != (int(m["y"]), int(m["m"]), int(m["d"])):
            return "not the URL's day"
    return None


def editor_problem(value: str) -> str | None:
    """Why ``value`` cannot be the editor line's name(s): each a name of two to four CJK characters (or with
    a ·) or a Latin name, at most three, not a sentence."""
    text = value.strip()
    if not text:
        return "empty"
    if _SENTENCE.search(text) or len(text) > 40:
        return "a sentence"
    names = [n for n in (_NAMES_SPLIT.split(text) if not _LATIN_NAME.match(text) else [text]) if n]
    if len(names) > 3 or not all(_CJK_NAME.match(n) or _LATIN_NAME.match(n) for n in names):
        return "not a name"
    if any(n in LABELS for n in names):
        return "a label"
    return None


def subtitle_problem(value: str, title: str | None) -> str | None:
    """Why ``value`` cannot be the subtitle of an article headed ``title``."""
    if not value.strip():
        return "empty"
    if title and compact(value).lstrip("—-－") == compact(title):
        return "the title again"
    return None


def caption_problem(value: str, paragraphs: Collection[str] = ()) -> str | None:
    """Why ``value`` cannot be an image's caption: a paragraph of the body (a sentence, too long, a byline in
    parentheses, or a line the body has again)."""
    text = value.strip()
    if not text:
        return "empty"
    if len(text) > CAPTION_MAX or text.endswith(("。", "！", "？")):
        return "a paragraph of the body"
    if text[0] in "（(":
        return "a byline"
    if text in paragraphs:
        return "a paragraph of the body"
    return None


Check = Callable[[Any, Facts], "str | None"]
CHECKS: Mapping[str, Check] = {
    "title": lambda v, f: title_problem(v, f.menu_items() if len(v.strip()) <= MENU_ITEM_MAX else ()),
    "published_at": lambda v, f: time_problem(v, f.url, f.now),
    "source": lambda v, f: source_problem(v, f.title),
}


def problem(field: str, value: Any, facts: Facts) -> str | None:
    """Why ``value`` cannot be the field ``field`` of the page ``facts`` describe; None when it can (and for
    fields without a check)."""
    check = CHECKS.get(field)
    return check(value, facts) if check is not None else None


def article_problems(record: Mapping[str, Any]) -> list[str]:
    """Every field of an exported article (a feed line) that holds a value its check rejects, with why."""
    found: list[str] = []
    title = record.get("title") or ""

    def note(name: str, why: str | None, value: Any) -> None:
        if why is not None:
            found.append(f"{name} {value!r}: {why}")

    note("title", title_problem(title), title)
    if record.get("source") != OWN_SOURCE:
        note("source", source_problem(record.get("source") or "", title), record.get("source"))
    for author in record.get("authors") or []:
        note("author", author_problem(author, title), author)
    if record.get("editor") is not None:
        note("editor", editor_problem(record["editor"]), record["editor"])
    if record.get("subtitle") is not None:
        note("subtitle", subtitle_problem(record["subtitle"], title), record["subtitle"])
    paragraphs = set((record.get("body") or "").split("\n"))
    for image in record.get("images") or []:
        if image.get("caption") is not None:
            note("caption", caption_problem(image["caption"], paragraphs), image["caption"])
    if record.get("published_at") and "date_from_url" not in (record.get("flags") or []):
        note("published_at", time_problem(datetime.fromisoformat(record["published_at"]), record.get("url") or ""),
             record["published_at"])
    return found
