"""Reading Alipay's daily trade bill: a zip of GBK CSVs whose detail file ends in 业务明细.csv.

Numbers carry a trailing tab (Alipay's way of keeping Excel from mangling them); fees are negative in
the bill (taken from us), positive in a BillRow.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from payments.channels.alipay import sdk
from payments.channels.base import BillRow
from payments.money import to_fen

BEIJING_OFFSET = timedelta(hours=8)  # China has kept UTC+8 without summer time since 1991


def _when(text: str) -> datetime | None:
    """ "2026-12-06 23:59:58" (Beijing) as UTC. Sliced, not strptime'd: a city's bill is a million rows,
    and strptime alone would take seconds of them."""
    text = text.strip()
    try:
        if len(text) == 19 and text[4] == "-" and text[13] == ":":
            local = datetime(
                int(text[:4]),
                int(text[5:7]),
                int(text[8:10]),
                int(text[11:13]),
                int(text[14:16]),
                int(text[17:19]),
                tzinfo=UTC,
            )
            return local - BEIJING_OFFSET
        return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=sdk.BEIJING).astimezone(UTC)
    except ValueError:
        return None


class _Remembered(dict[str, Any]):
    """Values already worked out from their text: a bill repeats its seconds and amounts thousands of
    times, so each is parsed once (bounded: a day has 86,400 seconds; amounts past the bound are parsed
    again each time)."""

    def __init__(self, parse: Callable[[str], Any], bound: int = 100_000) -> None:
        super().__init__()
        self._parse, self._bound = parse, bound

    def __missing__(self, text: str) -> Any:
        value = self._parse(text)
        if len(self) < self._bound:
            self[text] = value
        return value


def _fen(text: str) -> int:
    text = text.strip()
    return to_fen(text) if text else 0


def parse_bill(content: bytes) -> Iterator[BillRow]:
    """The detail rows of a bill zip (entry names and contents in GBK), one at a time."""
    moments, amounts = _Remembered(_when), _Remembered(_fen)
    with zipfile.ZipFile(io.BytesIO(content), metadata_encoding="gbk") as archive:
        detail = next(name for name in archive.namelist() if name.endswith("业务明细.csv"))
        with archive.open(detail) as raw:
            text = io.TextIOWrapper(raw, encoding="gbk", newline="")
            # comment lines (#...) and blank ones are skipped as rows, not filtered as lines: a million-row
            # bill pays for every Python-level step per line
            reader = (cells for cells in csv.reader(text) if cells and not cells[0].startswith("#"))
            column = {name: i for i, name in enumerate(next(reader))}
            kind, trade, ours = column["业务类型"], column["支付宝交易号"], column["商户订单号"]
            request, amount, fee, when = (
                column["退款批次号/请求号"],
                column["订单金额（元）"],
                column["服务费（元）"],
                column["完成时间"],
            )
            for cells in reader:
                yield BillRow(
                    kind="refund" if cells[kind] == "退款" else "payment",
                    trade_no=cells[trade].strip(),
                    out_trade_no=cells[ours].strip(),
                    request_no=cells[request].strip() or None,
                    amount_fen=amounts[cells[amount]],
                    fee_fen=-amounts[cells[fee]],
                    at=moments[cells[when]],
                )
