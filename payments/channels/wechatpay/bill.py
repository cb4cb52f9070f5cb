"""Reading WeChat Pay's trade bill: UTF-8 CSV, every field prefixed with a back-quote, detail rows
between a header line and the summary header (总交易单数,...).

Amounts are yuan with two decimals (fees with five); times are Beijing time without an offset. A
refund row carries 商户退款单号 (our out_request_no) and 退款金额; its amount is negative here.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal

from payments.channels.base import BillRow
from payments.channels.wechatpay.sdk import BEIJING

SUMMARY_HEADER = "总交易单数"


def _fen(text: str) -> int:
    """Yuan (two or five decimals) as fen, rounded half up; empty is zero."""
    if not text:
        return 0
    return int((Decimal(text) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _when(text: str) -> datetime | None:
    try:
        return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=BEIJING).astimezone(UTC)
    except ValueError:
        return None


def _cells(line: str) -> list[str]:
    return [cell.lstrip("`").strip() for cell in next(csv.reader([line]))]


def parse_bill(content: bytes) -> Iterator[BillRow]:
    """The detail rows, one at a time (an empty bill has none)."""
    lines = io.TextIOWrapper(io.BytesIO(content), encoding="utf-8-sig", newline="")
    header: dict[str, int] | None = None
    for raw in lines:
        line = raw.rstrip("\r\n")
        if not line.strip():
            continue
        if header is None:
            header = {name: i for i, name in enumerate(_cells(line))}
            continue
        if line.startswith(SUMMARY_HEADER):
            return
        cells = _cells(line)
        refund = cells[header["交易状态"]] == "REFUND"
        yield BillRow(
            kind="refund" if refund else "payment",
            trade_no=cells[header["微信订单号"]],
            out_trade_no=cells[header["商户订单号"]],
            request_no=cells[header["商户退款单号"]] or None if refund else None,
            amount_fen=-_fen(cells[header["退款金额"]]) if refund else _fen(cells[header["应结订单金额"]]),
            fee_fen=_fen(cells[header["手续费"]]),
            at=_when(cells[header["交易时间"]]),
        )
