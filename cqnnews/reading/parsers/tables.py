"""Tables as a person reads them on screen: merged cells expanded, Word's fragments joined, a caption and a header.

The site's tables are Word pastes (SITE.md, "Spot-check notices"): cell text sits in one or
more ``<span>``s inside ``<p class="MsoNormal">``, often split mid-word; a cell with
``rowspan`` carries down (one maker, several failed items on several rows) and one with
``colspan`` across; the first row may be a caption (one cell across the whole table) above
the header, and a header may take two rows (a merged 检验结果 over 实测值 and 标准值).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

from cqnnews.items import TableRecord
from cqnnews.text import clean

Element = etree._Element

_BREAKS = frozenset({"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6"})  # apart by a space in a cell
MAX_SPAN = 200  # a rowspan/colspan beyond this is a typo (Word writes rowspan=9999), not a merge
_SPACE = re.compile(r"[\s\u00a0\u3000]+")
# a line break next to a CJK character is a seam of Word's HTML, not a space: Word wraps its HTML at spaces,
# or between CJK characters, where there is none (CSS Text 3's segment break rule, as Firefox shows it)
_CJK = "[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f“”]"
_SEAM = re.compile(rf"(?<={_CJK})[ \t\u00a0]*[\r\n][\s\u00a0]*|[ \t\u00a0]*[\r\n][\s\u00a0]*(?={_CJK})")


Grid = list[list[tuple[str, int]]]  # rows of (text, source cell): a merged cell repeated, with one source


@dataclass
class Table:
    caption: str | None = None
    header: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)

    def record(self) -> TableRecord:
        return {"caption": self.caption, "header": list(self.header), "rows": [list(r) for r in self.rows]}

    def lines(self) -> list[str]:
        """The table as body text: its caption, then its header and each row as tab-separated cells."""
        out = [self.caption] if self.caption else []
        return out + ["\t".join(row) for row in ([self.header] if self.header else []) + self.rows]


def cell_text(cell: Element) -> str:
    """A cell's text as shown: fragments joined as they are, paragraphs apart by a space, a line break of
    the HTML next to a CJK character closed, other white space (``&nbsp;``, full-width) one space,
    trimmed."""
    parts: list[str] = []
    for node in cell.iter():
        if node is not cell and isinstance(node.tag, str) and node.tag in _BREAKS:
            parts.append(" ")
        if node.text and isinstance(node.tag, str) and node.tag not in ("script", "style"):
            parts.append(node.text)
        if node is not cell and node.tail:
            parts.append(node.tail)
    return clean(_SPACE.sub(" ", _SEAM.sub("", "".join(parts))).strip())


def _span(cell: Element, name: str) -> int:
    try:
        value = int((cell.get(name) or "1").strip())
    except ValueError:
        return 1
    return min(max(value, 1), MAX_SPAN)


def grid(table: Element) -> Grid:
    """The table's rows with every merged cell repeated in each row and column it covers; each cell as
    (text, id of the source cell), so a caller can tell a merge from two equal cells.  Rows of nested
    tables are not this table's."""
    rows: list[list[tuple[str, int]]] = []
    carried: dict[tuple[int, int], tuple[str, int]] = {}  # (row, column) -> cell coming down from above
    trs = [tr for tr in table.iter("tr") if _owner(tr) == table]
    source = 0  # which cell of the page a grid cell comes from (lxml's element proxies have no stable id())
    for r, tr in enumerate(trs):
        row: list[tuple[str, int]] = []
        column = 0
        for cell in (c for c in tr if isinstance(c.tag, str) and c.tag in ("td", "th")):
            while (r, column) in carried:
                row.append(carried.pop((r, column)))
                column += 1
            text, width, height = cell_text(cell), _span(cell, "colspan"), _span(cell, "rowspan")
            source += 1
            for dc in range(width):
                row.append((text, source))
                for dr in range(1, height):
                    carried[(r + dr, column + dc)] = (text, source)
            column += width
        while (r, column) in carried:
            row.append(carried.pop((r, column)))
            column += 1
        rows.append(row)
    return [row for row in rows if any(text for text, _ in row)]


def _owner(tr: Element) -> Element | None:
    return next((a for a in tr.iterancestors() if a.tag == "table"), None)


def read_table(table: Element) -> Table:
    """The table of an HTML ``<table>``: see :func:`table_of_grid`."""
    return table_of_grid(grid(table))



def table_of_grid(cells: Grid) -> Table:
    """The table of a grid (an HTML table's, or a spreadsheet's): a first row that is one cell across the
    whole table is its caption; the next row its header, with the row below when a header cell spans down
    into it (names joined with ``/``); the rest its rows, each as wide as the widest."""
    cells = [row for row in cells if any(text for text, _ in row)]
    width = max((len(row) for row in cells), default=0)
    if not width:
        return Table()
    caption = None
    if len(cells) > 1 and width > 1 and len({source for _, source in cells[0]}) == 1 and len(cells[0]) == width:
        caption = cells.pop(0)[0][0] or None
    header_rows = cells[:1]
    if len(cells) > 2 and _spans_down(cells[0], cells[1]):
        header_rows = cells[:2]
    padded = [[text for text, _ in row] + [""] * (width - len(row)) for row in cells]
    header = ["/".join(dict.fromkeys(p for p in parts if p)) for parts in zip(*padded[:len(header_rows)])]
    return Table(caption, header, padded[len(header_rows):])


def _spans_down(first: list[tuple[str, int]], second: list[tuple[str, int]]) -> bool:
    """Whether the second row finishes a two-row header: some header cell covers both rows and another
    spans columns that the second row names one by one."""
    merged_down = any(a[1] == b[1] for a, b in zip(first, second))
    split_below = any(first[i][1] == first[i + 1][1] and second[i][1] != second[i + 1][1]
                      for i in range(min(len(first), len(second)) - 1))
    return merged_down and split_below
