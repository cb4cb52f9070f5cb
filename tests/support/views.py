"""Reading what the finance exports wrote, as Excel would: the first sheet of an .xlsx (its XML, no
extra dependency) and CSV in UTF-8 with BOM or GBK."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from typing import Any
from xml.etree import ElementTree

import httpx

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


class Sheet:
    """A sheet's cells by row (values as written: numbers as floats, strings as text) and its number formats."""

    def __init__(
        self, rows: list[list[Any]], formats: list[list[str | None]], frozen: bool, widths: list[float]
    ) -> None:
        self.rows, self.formats, self.frozen, self.widths = rows, formats, frozen, widths


def _column(ref: str) -> int:
    letters = re.match(r"[A-Z]+", ref)
    assert letters is not None
    number = 0
    for ch in letters.group():
        number = number * 26 + ord(ch) - 64
    return number - 1


def _xml(data: bytes) -> ElementTree.Element:
    # the files are what our own writer made in the test, not someone else's upload
    return ElementTree.fromstring(data)  # noqa: S314


def read_xlsx(content: bytes, number: int = 1) -> Sheet:
    """A worksheet of a workbook (the first by default)."""
    book = zipfile.ZipFile(io.BytesIO(content))
    shared: list[str] = []
    if "xl/sharedStrings.xml" in book.namelist():
        root = _xml(book.read("xl/sharedStrings.xml"))
        shared = ["".join(t.text or "" for t in si.iter(f"{{{NS['m']}}}t")) for si in root.findall("m:si", NS)]
    styles = _xml(book.read("xl/styles.xml"))
    custom = {n.get("numFmtId"): n.get("formatCode") for n in styles.iter(f"{{{NS['m']}}}numFmt")}
    xfs = styles.find("m:cellXfs", NS)
    assert xfs is not None
    style_formats = [custom.get(xf.get("numFmtId")) for xf in xfs.findall("m:xf", NS)]
    sheet = _xml(book.read(f"xl/worksheets/sheet{number}.xml"))
    rows: list[list[Any]] = []
    formats: list[list[str | None]] = []
    for row in sheet.iter(f"{{{NS['m']}}}row"):
        values: list[Any] = []
        fmts: list[str | None] = []
        for cell in row.findall("m:c", NS):
            index = _column(cell.get("r", "A"))
            while len(values) < index:
                values.append(None)
                fmts.append(None)
            kind = cell.get("t")
            if kind == "inlineStr":
                value: Any = "".join(t.text or "" for t in cell.iter(f"{{{NS['m']}}}t"))
            elif kind == "s":
                value = shared[int(cell.findtext("m:v", "0", NS))]
            else:
                text = cell.findtext("m:v", None, NS)
                value = float(text) if text is not None else None
            values.append(value)
            fmts.append(style_formats[int(cell.get("s", "0"))])
        rows.append(values)
        formats.append(fmts)
    frozen = sheet.find(".//m:pane[@state='frozen']", NS) is not None
    widths = [
        float(c.get("width", "0"))
        for c in sheet.iter(f"{{{NS['m']}}}col")
        for _ in range(int(c.get("min", "1")), int(c.get("max", "1")) + 1)
    ]
    return Sheet(rows, formats, frozen, widths)


def excel_moment(serial: float) -> str:
    """An Excel date-time serial as "YYYY-MM-DD HH:MM:SS" (what the cell shows)."""
    from datetime import datetime, timedelta

    moment = datetime(1899, 12, 30) + timedelta(days=serial)
    return (moment + timedelta(microseconds=500_000)).strftime("%Y-%m-%d %H:%M:%S")


def read_csv(content: bytes, encoding: str) -> list[list[str]]:
    """The rows of a CSV file in `encoding` (utf-8-sig drops the BOM)."""
    return list(csv.reader(io.StringIO(content.decode(encoding), newline="")))


async def download(url: str) -> httpx.Response:
    """What a browser gets opening an export's link (no token)."""
    async with httpx.AsyncClient(timeout=60) as browser:
        return await browser.get(url)
