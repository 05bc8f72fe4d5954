"""The pieces of a recall notice's wording: dates (a year left out taken from context), counts (万 and
thousands separators read), production ranges, company names, brands and products.

Used by :mod:`cqnnews.reading.recalls`; every function reads text as printed and never guesses beyond it.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

# a date as notices print it: 2016年4月11日, 2016年4月, 2016年, 4月11日 (the year from context)
DATE = r"(?:\d{4}年(?:\d{1,2}月(?:\d{1,2}日)?)?|\d{1,2}月(?:\d{1,2}日)?)"
_PARTS = re.compile(r"(?:(?P<y>\d{4})年)?(?:(?P<m>\d{1,2})月)?(?:(?P<d>\d{1,2})日)?")
RANGE = re.compile(rf"(?P<a>{DATE})\s*(?:至|到|—|－|-|~|～)\s*(?P<b>{DATE})\s*(?:期间|之间|间)?\s*(?:生产|制造|进口|销售)")
ONE = re.compile(r"(?P<a>\d{4}年(?:\d{1,2}月(?:\d{1,2}日)?)?)\s*(?:期间|内)?\s*(?:生产|制造)的")
START = re.compile(rf"自\s*(?P<s>{DATE}|即日)\s*起")
END = re.compile(rf"起\s*至\s*(?P<e>{DATE})\s*止|(?:召回)?(?:截止|截至)(?:日期|时间)?(?:为|到|至)?\s*(?P<e2>{DATE})")
UNITS = "辆|台|件|只|个|套|双|顶|张|把|瓶|袋|块|条|盒|箱|支|组|部"
COUNT = re.compile(rf"(?P<n>\d{{1,3}}(?:,\d{{3}})+|\d+(?:\.\d+)?)\s*(?P<wan>万)?\s*(?P<unit>{UNITS})(?!分)")
_APPROXIMATE_BEFORE = ("超", "逾", "约", "近", "超过", "多达", "上")
_APPROXIMATE_AFTER = ("余", "多", "左右")
TOTAL_WORDS = re.compile(r"(?:合计|总计|共计|一共|累计|总数|共涉及|共|涉及)\s*$")
COMPANY = re.compile(r"[\u4e00-\u9fffA-Za-z0-9（）()\-·]{2,40}?(?:股份有限公司|有限责任公司|有限公司|集团公司|株式会社)")
_CONJUNCTION = re.compile(r"^(?:以及|和|及|与|并)")
REGULATION = re.compile(r"《[^《》]{2,40}?(?:条例|规定|办法|法|细则|通知)》")
RECALL_ID = re.compile(r"召回编号\s*[:：]\s*(?P<id>[A-Za-z0-9][A-Za-z0-9\-]{3,30})")
ORIGIN = re.compile(r"原产(?:国|地)\s*[:：为是]?\s*(?P<country>[\u4e00-\u9fff]{2,8}?)(?=[）)，,。；;\s]|$)")
VEHICLE_NOUNS = ("电动汽车", "新能源汽车", "汽车", "轿车", "越野车", "客车", "货车", "摩托车", "挂车")
# vehicle brands as notices write them before a model (奔驰GLE, 别克GL8); the longest that opens the object wins
BRANDS = ("梅赛德斯-奔驰", "梅赛德斯-AMG", "奔驰", "宝马", "MINI", "奥迪", "大众", "斯柯达", "保时捷", "丰田", "雷克萨斯",
          "本田", "讴歌", "日产", "英菲尼迪", "马自达", "三菱", "斯巴鲁", "铃木", "现代", "起亚", "福特", "林肯", "别克",
          "雪佛兰", "凯迪拉克", "Jeep", "克莱斯勒", "道奇", "特斯拉", "沃尔沃", "路虎", "捷豹", "标致", "雪铁龙", "DS",
          "雷诺", "菲亚特", "玛莎拉蒂", "法拉利", "兰博基尼", "宾利", "劳斯莱斯", "smart", "哈弗", "长城", "吉利",
          "领克", "比亚迪", "长安", "奇瑞", "荣威", "名爵", "传祺", "红旗", "蔚来", "理想", "小鹏", "五菱", "宝骏")


def date_parts(text: str) -> tuple[int | None, int | None, int | None]:
    m = _PARTS.fullmatch(text.strip())
    if m is None:
        return None, None, None
    return tuple(int(v) if v else None for v in (m["y"], m["m"], m["d"]))  # type: ignore[return-value]


def iso(year: int, month: int | None, day: int | None) -> str | None:
    """To the precision written: 2016, 2016-04, 2016-04-11 (None for a date that does not exist)."""
    try:
        if month is None:
            return f"{year:04d}"
        if day is None:
            date(year, month, 1)
            return f"{year:04d}-{month:02d}"
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def near(text: str, around: date) -> str | None:
    """A date whose year may be left out, read as the one nearest ``around`` (4月11日 in a notice of December
    is this year's; 1月5日 in one of late December, next year's)."""
    y, m, d = date_parts(text)
    if m is None and y is None:
        return None
    if y is None:
        assert m is not None
        candidates = [(abs((date(around.year + k, m, min(d or 1, 28)) - around).days), around.year + k) for k in (-1, 0, 1)]
        y = min(candidates)[1]
    return iso(y, m, d)


def production_range(a: str, b: str, around: date) -> dict[str, str | None] | None:
    """``{from, to}`` of 2016年4月11日至2017年3月5日; a year left out of one end is the other's (至8月5日), or
    the one before ``around`` when neither says it."""
    (ya, ma, da), (yb, mb, db) = date_parts(a), date_parts(b)
    if ya is None and yb is None:
        yb = around.year if (mb or 1) <= around.month else around.year - 1
    if yb is None:
        yb = ya if (mb or 12) >= (ma or 1) else (ya or 0) + 1
    if ya is None:
        ya = yb if (ma or 1) <= (mb or 12) else (yb or 0) - 1
    assert ya is not None and yb is not None
    lo, hi = iso(ya, ma, da), iso(yb, mb, db)
    return None if lo is None or hi is None else {"from": lo, "to": hi}


def count_value(number: str, wan: str | None) -> int:
    value = Decimal(number.replace(",", ""))
    return int(value * 10000) if wan else int(value)


def counts(text: str) -> list[tuple[int, str, bool, int]]:
    """Each exact count of ``text``: (value, unit, whether a total word precedes it, where); counts written as
    approximate (超3万辆, 2万余台) are left out."""
    out = []
    for m in COUNT.finditer(text):
        before, after = text[:m.start()], text[m.end():]
        if before.endswith(_APPROXIMATE_BEFORE) or after.startswith(_APPROXIMATE_AFTER) or m["n"].startswith("0"):
            continue
        if re.search(r"[\dA-Za-z\-.]$", before):  # the tail of a model name or a number (型号A4L120台?): not a count
            continue
        out.append((count_value(m["n"], m["wan"]), m["unit"], bool(TOTAL_WORDS.search(before[-6:])), m.start()))
    return out


def companies(text: str) -> list[str]:
    return [_CONJUNCTION.sub("", m.group()) for m in COMPANY.finditer(text)]


def brand_and_models(body: str) -> tuple[str | None, list[str]]:
    """部分进口奔驰GLE、GLS -> (奔驰, [GLE, GLS]): a known brand opening the object, else the Chinese before the
    first Latin letter or digit."""
    body = re.sub(r"^(?:部分|全部)?(?:进口|国产)?", "", body.strip())
    brand = max((b for b in BRANDS if body.startswith(b)), key=len, default=None)
    if brand is None and (m := re.match(r"[\u4e00-\u9fff]{2,6}(?=[A-Za-z0-9])", body)):
        brand = m.group()
    rest = body[len(brand):] if brand else body
    models = [x.strip() for x in re.split(r"[、/]|及|和", rest) if x.strip()]
    return brand, models


def published_day(published_at: str | None) -> date | None:
    """The day of publication (the site's own time, +08:00) of an ISO time."""
    if not published_at:
        return None
    try:
        return date.fromisoformat(published_at[:10])
    except ValueError:
        return None


