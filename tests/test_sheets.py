"""Spot-check tables in .xlsx and .xls attachments (cqnnews/reading/sheets.py), against the replica's tables."""

from __future__ import annotations

import pytest

from cqnnews.reading.parsers.tables import Table
from cqnnews.reading.sheets import UnreadableSheet, read_sheets
from cqnnews.reading.spotchecks import table_records
from tests.conftest import NOW
from tests.replica.site import Site


def spot_tables() -> list:
    site = Site(seed=7, scale=30, now=NOW)
    return [b.spot for ref in site.articles() for b in site.story(ref).blocks if b.spot is not None][:25]


@pytest.mark.parametrize("kind", ["xlsx", "xls"])
def test_a_spreadsheet_reads_as_the_same_table_and_records(kind: str) -> None:
    spots = spot_tables()
    assert any(s.caption for s in spots) and any(s.items_in_rows for s in spots)
    for spot in spots:
        data = spot.xlsx() if kind == "xlsx" else spot.xls()
        [table] = read_sheets(data, f"附件1.{kind}")
        assert table == Table(spot.caption, list(spot.headers), spot.rows())
        records = table_records(table.header, table.rows)
        assert [r["manufacturer"] for r in records] == [b.manufacturer for b in spot.batches]
        assert [r["failed_items"] for r in records] == [b.failed_items for b in spot.batches]
        assert [r["agencies"] for r in records] == [b.agencies for b in spot.batches]


def test_a_file_that_is_not_what_it_says_is_one_clear_error() -> None:
    with pytest.raises(UnreadableSheet, match="not a readable .xlsx file"):
        read_sheets(b"<html>not a workbook</html>", "list.xlsx")
    with pytest.raises(UnreadableSheet, match="not a spreadsheet"):
        read_sheets(b"%PDF-1.4", "list.pdf")
