"""The export writers: what Excel opens, from a Table (no database)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, date, datetime
from pathlib import Path

from backend.exports.links import opened, signed_export_url
from backend.exports.writers import csv_chunks, write_xlsx
from backend.rest.finance import content_disposition
from backend.tabular import Cell, Column, Table
from payments.finance.exportable import ExportRequest
from tests.support.views import excel_moment, read_csv, read_xlsx

COLUMNS = (
    Column("paid_at", "Paid at", "moment"),
    Column("day", "Day", "day"),
    Column("payer", "Payer", "text"),
    Column("amount", "Amount (yuan)", "money"),
    Column("status", "Status", "label"),
)
# 2026-12-06 02:30:00 UTC is 10:30 in Beijing; 䶮 (CJK Extension A) and 𠮷 (outside the BMP) are not in GBK
ROWS: list[list[Cell]] = [
    [datetime(2026, 12, 6, 2, 30, tzinfo=UTC), date(2026, 12, 6), "䶮**", 123450, "Paid"],
    [datetime(2026, 12, 6, 16, 0, 1, tzinfo=UTC), date(2026, 12, 7), "𠮷*", -6000, "Refunded"],
    [datetime(2026, 12, 6, 3, 0, tzinfo=UTC), None, '=HYPERLINK("http://x")', 5, "Paid"],
]
SAY = {"Paid at": "支付时间", "Day": "日期", "Payer": "交款人", "Amount (yuan)": "金额（元）", "Status": "状态"}
SAY |= {"Paid": "已缴费", "Refunded": "已退款", "Payments": "缴费明细"}


def _table(batches: Sequence[Sequence[Sequence[Cell]]] = (ROWS[:2], ROWS[2:])) -> Table:
    async def rows() -> AsyncIterator[Sequence[Sequence[Cell]]]:
        for batch in batches:
            yield batch

    return Table(name="payments-2026-12-06", title="Payments", columns=COLUMNS, rows=rows())


async def _csv(encoding: str) -> bytes:
    return b"".join([chunk async for chunk in csv_chunks(_table(), lambda m: SAY.get(m, m), encoding)])  # type: ignore[arg-type]


def test_csv_in_utf8_has_a_bom_localized_headers_numbers_and_beijing_times() -> None:
    content = asyncio.run(_csv("utf-8-sig"))
    assert content.startswith(b"\xef\xbb\xbf")
    rows = read_csv(content, "utf-8-sig")
    assert rows[0] == ["支付时间", "日期", "交款人", "金额（元）", "状态"]
    assert rows[1] == ["2026-12-06 10:30:00", "2026-12-06", "䶮**", "1234.50", "已缴费"]
    # past midnight in Beijing: the next day
    assert rows[2] == ["2026-12-07 00:00:01", "2026-12-07", "𠮷*", "-60.00", "已退款"]
    # a text that Excel would run as a formula is kept as text
    assert rows[3][2] == '\'=HYPERLINK("http://x")' and rows[3][3] == "0.05" and rows[3][1] == ""


def test_csv_in_gbk_marks_characters_gbk_cannot_hold_and_keeps_the_rest() -> None:
    content = asyncio.run(_csv("gbk"))
    assert not content.startswith(b"\xef\xbb\xbf")
    rows = read_csv(content, "gbk")  # decodes strictly: nothing Excel on a Chinese Windows would misread
    assert rows[0][2] == "交款人" and rows[1][4] == "已缴费"
    assert rows[1][2] == "〓**" and rows[2][2] == "〓*"
    assert rows[1][3] == "1234.50"


def test_xlsx_has_numbers_with_two_decimals_beijing_datetimes_and_a_frozen_localized_header(tmp_path: Path) -> None:
    path = tmp_path / "payments.xlsx"
    written = asyncio.run(write_xlsx(_table(), path, lambda m: SAY.get(m, m)))
    assert written == 3
    sheet = read_xlsx(path.read_bytes())
    assert sheet.rows[0] == ["支付时间", "日期", "交款人", "金额（元）", "状态"]
    assert sheet.frozen and len(sheet.widths) == 5 and all(w >= 10 for w in sheet.widths)
    first = sheet.rows[1]
    assert excel_moment(first[0]) == "2026-12-06 10:30:00" and excel_moment(first[1]).startswith("2026-12-06")
    assert first[2] == "䶮**" and first[3] == 1234.5 and first[4] == "已缴费"
    assert sheet.formats[1][3] == "0.00" and sheet.formats[1][0] == "yyyy-mm-dd hh:mm:ss"
    assert sheet.rows[2][3] == -60.0 and sheet.rows[2][2] == "𠮷*"
    # a text is a string cell, never a formula
    assert sheet.rows[3][2] == '=HYPERLINK("http://x")'


def test_rows_past_what_a_worksheet_holds_go_on_to_the_next_sheet_not_lost(tmp_path: Path) -> None:
    path = tmp_path / "long.xlsx"
    # as if a worksheet held three rows (Excel's: 1,048,576), the header one of them
    assert asyncio.run(write_xlsx(_table(), path, lambda m: SAY.get(m, m), rows_per_sheet=3)) == 3
    first, second = read_xlsx(path.read_bytes(), 1), read_xlsx(path.read_bytes(), 2)
    assert first.rows[0] == second.rows[0] == ["支付时间", "日期", "交款人", "金额（元）", "状态"]
    assert [r[2] for r in first.rows[1:]] == ["䶮**", "𠮷*"] and [r[2] for r in second.rows[1:]] == [
        '=HYPERLINK("http://x")'
    ]
    assert second.frozen
    import zipfile

    names = zipfile.ZipFile(path).read("xl/workbook.xml").decode()
    assert 'name="缴费明细"' in names and 'name="缴费明细 (2)"' in names


def test_an_empty_export_is_a_header_only_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.xlsx"
    assert asyncio.run(write_xlsx(_table(()), path, lambda m: m)) == 0
    assert read_xlsx(path.read_bytes()).rows == [["Paid at", "Day", "Payer", "Amount (yuan)", "Status"]]


def test_a_download_link_opens_only_what_was_signed_and_not_after_it_expires() -> None:
    secret = b"s" * 32
    request = ExportRequest(kind="payments", day_from=date(2026, 12, 6), day_to=date(2026, 12, 6), format="csv_gbk")
    url, expires = signed_export_url("http://h", secret, request, "staff-1", 300, now=1_000_000)
    assert url.startswith("http://h/finance/exports/payments?") and expires == 1_000_300
    from urllib.parse import parse_qsl, urlsplit

    query = dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))
    found = opened(secret, "payments", query, now=1_000_100)
    assert found is not None and found.request == request and found.staff_id == "staff-1"
    assert opened(secret, "payments", query, now=1_000_301) is None  # expired
    assert opened(secret, "refunds", query, now=1_000_100) is None  # another kind
    assert opened(secret, "payments", query | {"to": "2026-12-07"}, now=1_000_100) is None  # a changed day
    assert opened(secret, "payments", query | {"staff": "staff-2"}, now=1_000_100) is None  # someone else
    assert opened(b"t" * 32, "payments", query, now=1_000_100) is None  # another platform's key


def test_a_filename_that_is_not_ascii_is_given_as_rfc_5987() -> None:
    assert content_disposition("payments-2026-12-06.xlsx") == 'attachment; filename="payments-2026-12-06.xlsx"'
    assert content_disposition("缴费-2026-12-06.csv") == (
        "attachment; filename=\"__-2026-12-06.csv\"; filename*=UTF-8''%E7%BC%B4%E8%B4%B9-2026-12-06.csv"
    )
