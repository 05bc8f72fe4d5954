"""Tables in spreadsheet attachments (``.xlsx`` with openpyxl, ``.xls`` with xlrd), read as the page's tables are.

Later national notices put their per-batch table only in a file linked under ``附件：``
(SITE.md).  Each sheet is a grid like an HTML table's: a merged range repeated in every cell
it covers, a caption row across the sheet, a header of one or two rows
(:func:`cqnnews.reading.parsers.tables.table_of_grid`).  Numbers print as a person reads them (``1``,
not ``1.0``), dates as ``YYYY-MM-DD``.  PDF and Word files are stored, not read.
"""

from __future__ import annotations

import io
from datetime import date, datetime
from typing import Any

from cqnnews.reading.parsers.tables import Grid, Table, table_of_grid
from cqnnews.text import clean

SPREADSHEETS = (".xlsx", ".xls")


class UnreadableSheet(ValueError):
    """The file is not a spreadsheet these readers know (a corrupt file, an .xls that is HTML...)."""


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return clean(str(value)).strip()


def _xlsx(data: bytes) -> list[Grid]:
    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(data), data_only=True)  # merged ranges need the full reader
    grids = []
    for sheet in workbook.worksheets:
        source: dict[tuple[int, int], int] = {}
        value: dict[tuple[int, int], Any] = {}
        for n, merged in enumerate(sheet.merged_cells.ranges, start=1):
            top = sheet.cell(merged.min_row, merged.min_col).value
            for row in range(merged.min_row, merged.max_row + 1):
                for col in range(merged.min_col, merged.max_col + 1):
                    source[(row, col)], value[(row, col)] = -n, top
        grid: Grid = []
        for row in sheet.iter_rows(min_row=1, max_row=sheet.max_row, max_col=sheet.max_column):
            grid.append([(_text(value.get((c.row, c.column), c.value)), source.get((c.row, c.column),
                                                                                     c.row * 100000 + c.column))
                         for c in row])
        grids.append(grid)
    return grids


def _xls(data: bytes) -> list[Grid]:
    import xlrd

    book = xlrd.open_workbook(file_contents=data, formatting_info=True)  # formatting_info: merged cells
    grids = []
    for sheet in book.sheets():
        source: dict[tuple[int, int], int] = {}
        for n, (r0, r1, c0, c1) in enumerate(sheet.merged_cells, start=1):
            for row in range(r0, r1):
                for col in range(c0, c1):
                    source[(row, col)] = -n

        def cell(row: int, col: int) -> tuple[str, int]:
            key = source.get((row, col))
            if key is not None:  # the merged range's value is in its top-left cell
                r0, _, c0, _ = sheet.merged_cells[-key - 1]
                row, col = r0, c0
            c = sheet.cell(row, col)
            if c.ctype == xlrd.XL_CELL_DATE:
                value: Any = xlrd.xldate.xldate_as_datetime(c.value, book.datemode)
            else:
                value = c.value if c.ctype != xlrd.XL_CELL_EMPTY else None
            return _text(value), key if key is not None else row * 100000 + col

        grids.append([[cell(r, c) for c in range(sheet.ncols)] for r in range(sheet.nrows)])
    return grids


def read_sheets(data: bytes, name: str) -> list[Table]:
    """Every non-empty sheet of the spreadsheet ``data`` (its file name says which kind) as a table."""
    kind = name.lower().rsplit(".", 1)[-1]
    try:
        grids = _xlsx(data) if kind == "xlsx" else _xls(data) if kind == "xls" else None
    except Exception as exc:  # each reader raises its own kinds for a file that is not what it says
        raise UnreadableSheet(f"not a readable .{kind} file ({type(exc).__name__}: {exc})") from None
    if grids is None:
        raise UnreadableSheet(f"not a spreadsheet: {name}")
    return [t for t in (table_of_grid(g) for g in grids) if t.header]
