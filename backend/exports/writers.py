"""A `backend.tabular.Table` written as a file finance staff open in Excel.

- xlsx (xlsxwriter in constant-memory mode: each row is flushed to disk as it is written, so a million
  rows never sit in memory): a header row of titles in the reader's language, frozen, with a filter;
  money as numbers in yuan with a 0.00 format; moments as Excel date-times in Beijing time; days as
  dates; column widths from the titles and the first batch of values.
- CSV in UTF-8 with a BOM (Excel reads the BOM as "this is UTF-8") and in GBK (what Excel on a Chinese
  Windows opens by double-click). GBK holds about 21,000 characters; a character it cannot hold (a rare
  surname such as 䶮, or 𠮷 outside the Basic Plane) is written as 〓 (the typesetter's mark for a missing
  character, itself in GBK), never dropped silently and never as bytes Excel would misread. The xlsx and
  the UTF-8 file keep every character; the GBK file says so in its place. (GB18030 would hold them, but
  Excel on Windows decodes with code page 936, which shows its four-byte characters as garbage.)
- In CSV, money is a plain number with two decimals (1234.50, no separators), moments are
  "2026-12-06 10:31:05" Beijing time, days "2026-12-06". Text that would start a formula (= + - @) is
  prefixed with an apostrophe: a typed reason is never run by Excel as a formula.
"""

from __future__ import annotations

import asyncio
import codecs
import csv
import io
import unicodedata
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

import xlsxwriter

from backend.tabular import Cell, Column, Table
from payments.finance.days import BEIJING
from payments.money import to_yuan

Say = Callable[[str], str]  # a msgid in the reader's language
Progress = Callable[[int], Any]  # told how many rows were just written
CsvEncoding = Literal["utf-8-sig", "gbk"]

MISSING_IN_GBK = "〓"
MEDIA_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "csv_gbk": "text/csv; charset=gbk",
}
EXTENSIONS = {"xlsx": "xlsx", "csv": "csv", "csv_gbk": "csv"}


def _missing_in_gbk(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    return MISSING_IN_GBK * len(error.object[error.start : error.end]), error.end


codecs.register_error("onewindow.missing_in_gbk", _missing_in_gbk)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _beijing_naive(moment: datetime) -> datetime:
    return moment.astimezone(BEIJING).replace(tzinfo=None)


def said_label(value: Cell, say: Say) -> str:
    """A label cell in the reader's language: one msgid, or several joined with "; "."""
    return "; ".join(say(part) for part in value) if isinstance(value, tuple) else say(str(value))


def cell_text(value: Cell, column: Column, say: Say) -> str:
    """A cell as CSV writes it."""
    if value is None:
        return ""
    if column.kind == "money" and isinstance(value, int):
        return to_yuan(value)
    if isinstance(value, datetime):
        return _beijing_naive(value).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    if column.kind == "label":
        return said_label(value, say)
    text = str(value)
    return "'" + text if column.kind == "text" and text.startswith(_FORMULA_START) else text


async def csv_chunks(
    table: Table, say: Say, encoding: CsvEncoding, progress: Progress | None = None
) -> AsyncIterator[bytes]:
    """The table as CSV bytes, one chunk per batch of rows (the header first, with the BOM in UTF-8)."""
    errors = "onewindow.missing_in_gbk" if encoding == "gbk" else "strict"
    body = "gbk" if encoding == "gbk" else "utf-8"  # the BOM goes once, before the header
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([say(column.title) for column in table.columns])
    yield buffer.getvalue().encode(encoding, errors)
    async for batch in table.rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerows([cell_text(v, c, say) for v, c in zip(row, table.columns, strict=True)] for row in batch)
        yield buffer.getvalue().encode(body, errors)
        if progress is not None:
            progress(len(batch))


def _width(text: str) -> int:
    """How many columns of Excel's default font a text takes (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


_KIND_WIDTHS = {"moment": 20, "day": 12, "money": 14, "integer": 12}


EXCEL_MAX_ROWS = 1_048_576  # rows of one worksheet, the header included


class _Sheet:
    """A workbook being written row by row (xlsxwriter calls; run off the event loop). Rows past what one
    worksheet holds go on to a second one, "Title (2)", with the same header: never silently cut off."""

    def __init__(self, path: Path, table: Table, say: Say, rows_per_sheet: int) -> None:
        self.book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False})
        self.title = "".join(ch for ch in say(table.title) if ch not in "[]:*?/\\")[:26] or "Sheet"
        self.columns = table.columns
        self.say = say
        self.formats = {
            "money": self.book.add_format({"num_format": "0.00"}),
            "moment": self.book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"}),
            "day": self.book.add_format({"num_format": "yyyy-mm-dd"}),
            "header": self.book.add_format({"bold": True, "bg_color": "#DDEBF7", "bottom": 1}),
        }
        self.header = [say(column.title) for column in table.columns]
        self.widths = [
            max(_KIND_WIDTHS.get(c.kind, 12), _width(h) + 2) for c, h in zip(self.columns, self.header, strict=True)
        ]
        self.rows_per_sheet = rows_per_sheet
        self.sheets = 0
        self.sheet: Any = None
        self.row = 0
        self.written = 0

    def size_columns(self, first: Sequence[Sequence[Cell]]) -> None:
        """Widths from the titles and the first batch's values (the rest are not known yet)."""
        for index, column in enumerate(self.columns):
            if column.kind in ("text", "label"):
                values = [cell_text(row[index], column, self.say) for row in first[:500]]
                self.widths[index] = min(max([self.widths[index], *(_width(v) + 2 for v in values)]), 60)

    def start_sheet(self) -> None:
        """A worksheet with the header row, frozen, and the column widths."""
        self.finish_sheet()
        self.sheets += 1
        self.sheet = self.book.add_worksheet(self.title if self.sheets == 1 else f"{self.title} ({self.sheets})")
        for index, width in enumerate(self.widths):
            self.sheet.set_column(index, index, width)
        for index, title in enumerate(self.header):
            self.sheet.write_string(0, index, title, self.formats["header"])
        self.sheet.freeze_panes(1, 0)
        self.row = 1

    def finish_sheet(self) -> None:
        if self.sheet is not None:
            self.sheet.autofilter(0, 0, max(self.row - 1, 0), len(self.columns) - 1)

    def write(self, batch: Sequence[Sequence[Cell]]) -> None:
        for values in batch:
            if self.row >= self.rows_per_sheet:
                self.start_sheet()
            for index, (value, column) in enumerate(zip(values, self.columns, strict=True)):
                if value is None:
                    continue
                if column.kind == "money" and isinstance(value, int):
                    self.sheet.write_number(self.row, index, value / 100, self.formats["money"])
                elif isinstance(value, datetime):
                    self.sheet.write_datetime(self.row, index, _beijing_naive(value), self.formats["moment"])
                elif isinstance(value, date):
                    self.sheet.write_datetime(self.row, index, value, self.formats["day"])
                elif isinstance(value, int):
                    self.sheet.write_number(self.row, index, value)
                else:
                    # write_string, never write: a text is never taken for a formula or a number
                    text = said_label(value, self.say) if column.kind == "label" else str(value)
                    self.sheet.write_string(self.row, index, text)
            self.row += 1
            self.written += 1

    def close(self) -> None:
        self.finish_sheet()
        self.book.close()


async def write_xlsx(
    table: Table, path: Path, say: Say, progress: Progress | None = None, rows_per_sheet: int = EXCEL_MAX_ROWS
) -> int:
    """Write the table to `path` as .xlsx; the number of rows written (the headers not counted)."""
    sheet = await asyncio.to_thread(_Sheet, path, table, say, rows_per_sheet)
    async for batch in table.rows:
        if sheet.sheets == 0:
            await asyncio.to_thread(sheet.size_columns, batch)
            await asyncio.to_thread(sheet.start_sheet)
        await asyncio.to_thread(sheet.write, batch)
        if progress is not None:
            progress(len(batch))
    if sheet.sheets == 0:
        await asyncio.to_thread(sheet.start_sheet)
    await asyncio.to_thread(sheet.close)
    return sheet.written
